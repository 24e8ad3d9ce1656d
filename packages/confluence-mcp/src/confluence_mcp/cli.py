"""``confluence-mcp``: serve (default), demo, check, keys, users, audit.

Imports stay lazy: ``--help``, ``--version`` and configuration errors answer without loading
FastMCP, and nothing loads the SDK until a tool needs Confluence.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import sys
from typing import TYPE_CHECKING, Any

from confluence_mcp import __version__

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_mcp.http.layer import HttpLayer
    from confluence_mcp.identity.upstream import UpstreamIdentities
    from confluence_mcp.remote.settings import RemoteSettings
    from confluence_mcp.services import ClientFactory

__all__ = ["main"]

_COMMANDS = ("serve", "demo", "check", "keys", "users", "audit")
EXIT_CONFIG = 2
DEFAULT_ENV_FILE = ".env"  # read when present; a file named with --env-file must exist


def _transport_flags(parser: argparse.ArgumentParser, *, default: str) -> None:
    parser.add_argument(
        "--transport",
        choices=["stdio", "http", "streamable-http", "sse"],
        help=f"stdio, http (Streamable HTTP + legacy SSE at /sse) or sse only (default {default})",
    )
    parser.add_argument("--host", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="TCP port (default 8000)")
    parser.add_argument("--path", dest="streamable_http_path", help="MCP endpoint (default /mcp)")
    parser.add_argument(
        "--stateless",
        dest="stateless_http",
        action="store_const",
        const=True,
        help="Streamable HTTP without sessions (for load-balanced replicas)",
    )
    parser.add_argument(
        "--no-legacy-sse",
        dest="legacy_sse",
        action="store_const",
        const=False,
        help="with --transport http, do not also serve legacy SSE at /sse",
    )
    parser.add_argument(
        "--read-only",
        dest="read_only_mode",
        action="store_const",
        const=True,
        help="hide every tool that writes or deletes",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="confluence-mcp",
        description="MCP server for Confluence Cloud and Data Center. Configuration comes from "
        "the environment and .env (CONFLUENCE_URL, CONFLUENCE_USERNAME, "
        "CONFLUENCE_API_TOKEN, ...); flags override it.",
    )
    parser.add_argument("--version", action="version", version=f"confluence-mcp {__version__}")
    _env_file_flag(parser, default=None)
    commands = parser.add_subparsers(dest="command", metavar="{serve,demo,check,keys,users,audit}")
    serve = commands.add_parser("serve", help="serve MCP (the default command)")
    _transport_flags(serve, default="stdio")
    demo = commands.add_parser(
        "demo", help="serve MCP against a built-in fake Confluence with demo content"
    )
    _transport_flags(demo, default="http")
    check = commands.add_parser(
        "check", help="validate the configuration as serve does, then call Confluence once"
    )
    for command in (serve, demo, check):
        # Accepted after the command too; SUPPRESS keeps a value given before it.
        _env_file_flag(command, default=argparse.SUPPRESS)
    from confluence_mcp.remote import add_keys_command

    add_keys_command(commands)
    from confluence_mcp.identity.commands import add_users_command

    add_users_command(commands)
    from confluence_mcp.remote.usage import add_audit_command

    add_audit_command(commands)
    return parser


def _env_file_flag(parser: argparse.ArgumentParser, *, default: Any) -> None:
    parser.add_argument(
        "--env-file",
        default=default,
        metavar="FILE",
        help=f"dotenv file to read (default {DEFAULT_ENV_FILE} when it exists)",
    )


def _env_file(args: argparse.Namespace) -> str:
    """The dotenv file to read: ``--env-file`` (which must exist), else ``.env``."""
    from confluence_mcp.errors import ConfigError

    given: str | None = args.env_file
    if given is None:
        return DEFAULT_ENV_FILE
    if not os.path.isfile(given):
        raise ConfigError(f"--env-file {given}: no such file")
    return given


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    names = (
        "transport",
        "host",
        "port",
        "streamable_http_path",
        "stateless_http",
        "legacy_sse",
        "read_only_mode",
    )
    return {name: getattr(args, name, None) for name in names}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    try:
        args = _parser().parse_args(_with_default_command(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help, --version, or a usage error (argparse exits with 2)
        return exc.code if isinstance(exc.code, int) else 0

    from confluence_mcp.errors import ConfigError, ServiceRefusedError

    try:
        if args.command == "audit":
            from confluence_mcp.remote.usage import run_audit

            return run_audit(args.audit_args)
        env_file = _env_file(args)
        if args.command == "keys":
            from confluence_mcp.remote import run_keys

            return run_keys(args.keys_args, env_file=env_file)
        if args.command == "users":
            from confluence_mcp.identity.commands import run_users
            from confluence_mcp.remote.settings import load_remote_settings

            return run_users(args, load_remote_settings(env_file=env_file))
        if args.command == "check":
            return _check(_load(env_file, {}))
        if args.command == "demo":
            from confluence_mcp.demo import run_demo

            return run_demo(_overrides(args), env_file=env_file)
        return _serve_command(env_file, args)
    except ServiceRefusedError as exc:  # well-formed, but a service said no: as check, 1
        print(f"confluence-mcp {args.command}: {exc}", file=sys.stderr)
        return 1
    except ConfigError as exc:
        print(f"confluence-mcp: configuration error\n{_indent(str(exc))}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0


def _with_default_command(argv: list[str]) -> list[str]:
    """``confluence-mcp [flags]`` means ``confluence-mcp serve [flags]``. A word that is not a
    command is left for argparse to refuse by name (serve takes no positional argument): read
    as serve's, ``confluence-mcp usage --help`` printed serve's help."""
    index = 0
    while index < len(argv) and argv[index].startswith("--env-file"):  # the global option
        index += 1 if "=" in argv[index] else 2
    if index < len(argv) and (
        argv[index] in (*_COMMANDS, "-h", "--help", "--version") or not argv[index].startswith("-")
    ):
        return list(argv)
    return [*argv[:index], "serve", *argv[index:]]


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def _load(env_file: str, overrides: dict[str, Any]) -> RemoteSettings:
    from confluence_mcp.remote.settings import load_remote_settings

    remote = load_remote_settings(overrides, env_file=env_file)
    remote.core.require_connection()
    return remote


def _build(
    remote: RemoteSettings, client_factory: ClientFactory | None = None
) -> tuple[FastMCP[Any], HttpLayer | None]:
    """The server and, for HTTP, its remote layer: what ``serve`` and ``check`` both build.

    Raises :class:`~confluence_mcp.errors.ConfigError` for everything ``serve`` refuses
    before it listens: ``ENABLED_TOOLS`` naming unknown tools, and over HTTP the
    authentication and protection settings (e.g. an unauthenticated public bind).
    """
    from confluence_mcp.app import create_server
    from confluence_mcp.services import build_client

    factory = client_factory or build_client
    identities = None
    if remote.core.per_user:
        identities = _upstream_identities(remote, factory)
    mcp = create_server(remote.core, client_factory=factory, identities=identities)
    if remote.core.transport == "stdio":
        return mcp, None
    from confluence_mcp.http.layer import build_http_layer

    return mcp, build_http_layer(mcp, remote, identities=identities)


def _upstream_identities(remote: RemoteSettings, factory: ClientFactory) -> UpstreamIdentities:
    """Each caller's own Confluence credential (the per-user modes need the remote service:
    over stdio there is no caller identity to bind a credential to)."""
    from confluence_mcp.errors import ConfigError
    from confluence_mcp.identity.credentials import open_credential_store
    from confluence_mcp.identity.upstream import UpstreamIdentities

    mode = remote.core.confluence_auth_mode
    if remote.core.transport == "stdio":
        raise ConfigError(
            f"CONFLUENCE_AUTH_MODE={mode} needs the remote service: serve over HTTP "
            "(TRANSPORT=http) with authentication, or use CONFLUENCE_AUTH_MODE=service "
            "(one service account) over stdio"
        )
    return UpstreamIdentities(remote.core, open_credential_store(remote), factory)


def describe_auth_mode(remote: RemoteSettings) -> str:
    """One line for start-up and ``check``: whose Confluence rights calls use."""
    core = remote.core
    if not core.per_user:
        return f"Auth mode: service (every caller acts as the service account, {core.auth_method})"
    kind = remote.mcp_token_store.split(":", 1)[0] if remote.mcp_token_store else "memory"
    how = (
        "their own Atlassian sign-in"
        if core.confluence_auth_mode == "oauth"
        else "the Confluence token bound to their key or subject"
    )
    return (
        f"Auth mode: {core.confluence_auth_mode} (each caller acts with {how}; token store: {kind})"
    )


def _check(remote: RemoteSettings) -> int:
    import anyio

    from confluence_mcp.check import run_check

    _mcp, layer = _build(remote)
    if layer is not None and not anyio.run(_check_layer, remote, layer):
        return 1
    print(describe_auth_mode(remote))
    if remote.core.per_user:
        from confluence_mcp.check import run_store_check

        if run_store_check(remote) != 0:
            return 1
        if remote.core.auth_method is None:
            print("No service credentials: Confluence is called with each caller's own.")
            return 0
    return run_check(remote.core)


async def _check_layer(remote: RemoteSettings, layer: HttpLayer) -> bool:
    """A shared rate-limit storage (Redis) must answer: the limits would not hold without.
    The layer is closed afterwards (``check`` serves nothing)."""
    from confluence_mcp.http.limit_storage import redact_storage_uri

    try:
        storage = layer.rate_limit_storage
        uri = redact_storage_uri(remote.mcp_rate_limit_storage)
        if storage is None or uri.startswith("memory://"):
            return True
        if await storage.check():
            print(f"Rate-limit storage: {uri} answers")
            return True
        print(
            f"check failed: MCP_RATE_LIMIT_STORAGE={uri} does not answer (is Redis running "
            "and reachable from here?)",
            file=sys.stderr,
        )
        return False
    finally:
        await layer.aclose()


def _serve_command(env_file: str, args: argparse.Namespace) -> int:
    from confluence_mcp.serving import pause_collection

    collecting = pause_collection()  # _serve turns it back on before serving
    try:
        return _serve(_load(env_file, _overrides(args)))
    finally:
        if collecting:
            gc.enable()


def _serve(remote: RemoteSettings) -> int:
    import anyio

    from confluence_mcp.remote import configure_observability
    from confluence_mcp.serving import runner_options, serve, settle_heap

    # Logging (JSON/text, secrets redacted), OpenTelemetry and metrics, once per process.
    observability = configure_observability(remote)
    try:
        options = runner_options(remote)
        mcp, layer = _build(remote, observability.client_factory)
    except BaseException:
        # A refused configuration must not leave this setup as the process's current one.
        observability.shutdown()
        raise
    observability.attach(mcp)

    announced: list[str] = []

    def announce(url: str) -> None:
        if not announced:  # once, when the port is bound
            announced.append(url)
            print(f"confluence-mcp: {describe_auth_mode(remote)}", file=sys.stderr, flush=True)
        print(f"confluence-mcp: serving {url}", file=sys.stderr, flush=True)

    # Collection back on (paused for start-up); a long-lived HTTP server also settles its heap.
    settle_heap(long_lived=remote.core.transport != "stdio")
    try:
        anyio.run(
            functools.partial(serve, mcp, remote, layer=layer, announce=announce),
            backend_options=options,
        )
    finally:
        observability.shutdown()
    return 0
