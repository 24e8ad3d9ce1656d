"""``python -m confluence_client.testing``: run the fake Confluence until interrupted."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

from ._server import FakeConfluenceServer, ServerStartError
from .seed import SEEDS

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m confluence_client.testing",
        description="Run a fake Confluence (Cloud v2/v1, Data Center, OAuth gateway) for demos.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8090, help="port (0 picks a free one)")
    parser.add_argument("--seed", choices=SEEDS, default="demo", help="initial content")
    parser.add_argument("--username", default="fake@example.com", help="basic-auth user")
    parser.add_argument("--token", default="fake-api-token", help="basic-auth API token")
    parser.add_argument("--pat", default="fake-pat", help="bearer token (PAT / OAuth)")
    return parser


def main(argv: Sequence[str] | None = None, stop: threading.Event | None = None) -> int:
    """Start the server, print its base URLs, serve until Ctrl-C (or ``stop`` is set)."""
    args = _parser().parse_args(argv)
    server = FakeConfluenceServer(
        args.seed, args.username, args.token, args.pat, host=args.host, port=args.port
    )
    try:
        server.start()
    except ServerStartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"Fake Confluence ({args.seed} seed) is running; user {args.username}")
    print(f"  Cloud site base:    {server.wiki_url}")
    print(f"  Data Center base:   {server.url}")
    print(f"  OAuth gateway base: {server.gateway_url}")
    print(f"  Control endpoint:   {server.control_url}/faults")
    print("Press Ctrl-C to stop.", flush=True)
    waiter = stop or threading.Event()
    try:
        while not waiter.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":  # pragma: no cover - exercised by spawning the module
    raise SystemExit(main())
