"""``confluence-mcp demo``: the server against a fake Confluence with demo content.

No account needed: the fake (from ``confluence_client.testing``) runs in this process on a free
loopback port with the ``DEMO`` and ``ENG`` spaces, and the MCP server is pointed at it.
Without ``--transport`` the demo serves HTTP on 127.0.0.1:8000 so MCP Inspector can connect.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from typing import Any

__all__ = ["DEMO_API_TOKEN", "DEMO_USERNAME", "run_demo"]

DEMO_USERNAME = "demo@example.com"
DEMO_API_TOKEN = "demo-api-token"  # noqa: S105 - the fake's credential, not a secret


def run_demo(overrides: dict[str, Any], *, env_file: str | None = ".env") -> int:
    """Start the fake Confluence, then serve MCP against it until interrupted."""
    import anyio

    from confluence_client.testing import FakeConfluenceServer
    from confluence_mcp.app import create_server
    from confluence_mcp.http.serving import endpoint_urls
    from confluence_mcp.remote.settings import load_remote_settings
    from confluence_mcp.serving import serve

    given = dict(overrides)
    if given.get("transport") is None:
        given["transport"] = "http"
    with FakeConfluenceServer(
        seed="demo", username=DEMO_USERNAME, api_token=DEMO_API_TOKEN
    ) as fake:
        remote = load_remote_settings(
            {
                **given,
                "confluence_url": fake.wiki_url,
                "confluence_deployment": "cloud",
                "confluence_username": DEMO_USERNAME,
                "confluence_api_token": DEMO_API_TOKEN,
                # Blank means unset: real credentials in the environment must not leak in.
                "confluence_personal_token": "",
                "confluence_oauth_token": "",
                "confluence_oauth_gateway_url": "",
            },
            env_file=env_file,
        )
        settings = remote.core
        mcp = create_server(settings)
        say = _stderr
        say(f"confluence-mcp demo: fake Confluence (spaces DEMO and ENG) at {fake.wiki_url}")
        urls: list[str] = []

        def announce(url: str) -> None:
            urls.append(url)
            say(f"confluence-mcp demo: serving {url}")
            if len(urls) == len(endpoint_urls(settings)):
                say(
                    "Connect MCP Inspector (npx @modelcontextprotocol/inspector; Node 22+) "
                    "to the URL above. Press Ctrl+C to stop."
                )

        if settings.transport == "stdio":
            say("confluence-mcp demo: serving MCP on stdio. Press Ctrl+C to stop.")
        with contextlib.suppress(KeyboardInterrupt):
            anyio.run(functools.partial(serve, mcp, remote, announce=announce))
    return 0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
