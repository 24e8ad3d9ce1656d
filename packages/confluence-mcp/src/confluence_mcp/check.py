"""``confluence-mcp check``: validate the configuration and call Confluence once.

Prints who the credentials belong to and which spaces the server will expose; exits 1 with the
reason when Confluence refuses or cannot be reached (the safe message a tool would give), when
``CONFLUENCE_URL`` answers 404 (not a Confluence site, or a wrong base path), or when
``CONFLUENCE_SPACES_FILTER`` names spaces that do not exist. The configuration itself is
validated before, by the code ``serve`` uses (see :mod:`confluence_mcp.cli`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from confluence_mcp.remote.settings import RemoteSettings
    from confluence_mcp.settings import Settings

__all__ = ["run_check", "run_store_check"]

_MAX_LISTED = 50


def run_check(settings: Settings) -> int:
    """Run the check; returns the exit code (0 ok, 1 Confluence refused or unreachable)."""
    import anyio

    return anyio.run(_check, settings)


def run_store_check(remote: RemoteSettings) -> int:
    """Per-user modes: read the token store once (reachable, and the key opens it)."""
    import anyio

    return anyio.run(_store_check, remote)


async def _store_check(remote: RemoteSettings) -> int:
    from confluence_mcp.identity.credentials import open_credential_store
    from mcp_auth.token_store import TokenStoreError

    store = open_credential_store(remote)
    try:
        # A key no principal id can take (ids are "api_key:..." or "user:..."): a pure probe.
        # The raw store, not CredentialStore.get: its error is worded for a tool's caller.
        await store.tokens.get("check:probe")
    except TokenStoreError as exc:
        print(
            f"check failed: MCP_TOKEN_STORE ({store.tokens.kind}) cannot be read: "
            f"{exc.message}. Is it reachable from here, and MCP_TOKEN_ENCRYPTION_KEY "
            "the key (or one of the keys) it was written with?",
            file=sys.stderr,
        )
        return 1
    finally:
        await store.aclose()
    print(f"Token store: {store.tokens.kind}, readable")
    return 0


async def _check(settings: Settings) -> int:
    from confluence_client import RetryPolicy
    from confluence_mcp.errors import is_confluence_error
    from confluence_mcp.services import build_client

    print(f"Confluence: {settings.confluence_url} ({settings.deployment}, {settings.auth_method})")
    try:
        # One attempt: a check should report a problem at once, not retry it for a minute.
        async with build_client(settings, retry=RetryPolicy.disabled()) as client:
            user = await client.get_current_user()
            print(f"Signed in as: {user.display_name}" + (f" <{user.email}>" if user.email else ""))
            allowed = settings.allowed_spaces
            keys = [
                space.key
                async for space in client.iter_spaces(limit=100)
                if allowed is None or space.key.upper() in allowed
            ]
    except Exception as exc:
        if not is_confluence_error(exc):
            raise
        print(f"check failed: {_explain(exc)}", file=sys.stderr)
        return 1
    shown = ", ".join(keys[:_MAX_LISTED]) + (" ..." if len(keys) > _MAX_LISTED else "")
    print(f"Visible spaces ({len(keys)}): {shown or 'none'}")
    if settings.allowed_spaces is not None:
        missing = sorted(settings.allowed_spaces - {key.upper() for key in keys})
        if missing:
            print(
                f"check failed: CONFLUENCE_SPACES_FILTER names spaces that do not exist or that "
                f"this account cannot see: {', '.join(missing)}",
                file=sys.stderr,
            )
            return 1
    return 0


def _explain(exc: BaseException) -> str:
    """Why the check failed; a 404 on the first call means the URL is not a Confluence site."""
    import confluence_client as sdk
    from confluence_mcp.errors import describe_error

    if isinstance(exc, sdk.NotFoundError):
        # The tools' "page not found" text would mislead: no page was asked for.
        return (
            f"this URL does not look like a Confluence site (HTTP 404 at {exc.path}); check "
            "CONFLUENCE_URL (Cloud: https://your-site.atlassian.net/wiki)"
        )
    return describe_error(exc)  # type: ignore[arg-type]
