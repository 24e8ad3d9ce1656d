"""Binding a Confluence credential to a principal, for the admin commands.

The token is read from a file or standard input, never from the command line (shell history,
``ps``) and never printed or logged. Before it is stored, Confluence is asked who it belongs
to (one call): a wrong token fails here, not at the user's first tool call, and the account
found is what audit events name for that principal.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from pydantic import SecretStr

from confluence_mcp.errors import ConfigError, ServiceRefusedError
from confluence_mcp.identity.credentials import UpstreamCredential, open_credential_store

if TYPE_CHECKING:
    from confluence_mcp.remote.settings import RemoteSettings

__all__ = [
    "bind_credential",
    "bound_message",
    "forget_credential",
    "read_token",
    "require_shared_store",
    "verified_credential",
]

T = TypeVar("T")


def read_token(path: str | None, *, stdin: TextIO | None = None) -> str:
    """The token in file ``path`` (or on standard input when ``path`` is None): one line,
    surrounding whitespace removed. Raises :class:`ConfigError` (never quoting the token)."""
    if path is not None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read the token file {path!r} ({exc.strerror})") from None
    else:
        text = (stdin or sys.stdin).read()
    token = text.strip()
    if not token:
        raise ConfigError("the token is empty: put the Confluence token alone in the file")
    if any(ch.isspace() for ch in token):
        raise ConfigError(
            "the token contains spaces or several lines: put only the Confluence token there"
        )
    return token


def verified_credential(
    remote: RemoteSettings, token: str, *, username: str | None
) -> UpstreamCredential:
    """The credential for ``token`` (an API token with ``username``, else a Data Center PAT),
    with the account Confluence says it belongs to. Raises :class:`ConfigError` when the
    combination does not fit the site, :class:`ServiceRefusedError` when Confluence refuses
    it (or cannot be reached)."""
    import anyio

    core = remote.core
    if core.confluence_url is None:
        raise ConfigError("CONFLUENCE_URL is not set: the token is checked with Confluence")
    if username is None and core.deployment == "cloud":
        raise ConfigError(
            "Confluence Cloud API tokens are used with the account's email: add "
            "--confluence-username EMAIL (personal access tokens are for Data Center)"
        )
    kind = "api_token" if username is not None else "pat"
    credential = UpstreamCredential(kind=kind, secret=SecretStr(token), username=username)
    return anyio.run(_who, remote, credential)


async def _who(remote: RemoteSettings, credential: UpstreamCredential) -> UpstreamCredential:
    from confluence_client import RetryPolicy
    from confluence_mcp.errors import describe_error, is_confluence_error
    from confluence_mcp.services import build_client

    settings = credential.apply_to(remote.core)
    try:
        async with build_client(settings, retry=RetryPolicy.disabled()) as client:
            user = await client.get_current_user()
    except Exception as exc:
        from confluence_client import AuthenticationError

        if not is_confluence_error(exc):
            raise
        if isinstance(exc, AuthenticationError):
            # describe_error speaks of the server's CONFLUENCE_* credentials; here the
            # credential refused is the one being bound.
            raise ServiceRefusedError(
                "Confluence refused the token (HTTP 401): check the token, and that "
                "--username/--confluence-username is the email of the Cloud account it "
                "belongs to (a Data Center personal access token takes no username)"
            ) from None
        raise ServiceRefusedError(
            f"Confluence refused the token: {describe_error(exc)}"  # type: ignore[arg-type]
        ) from None
    return credential.model_copy(
        update={
            "account_id": user.id,
            "email": user.email or credential.username,
            "display_name": user.display_name,
        }
    )


def bound_message(remote: RemoteSettings, label: str, credential: UpstreamCredential) -> str:
    """What the commands print after binding (and whether the server will use it)."""
    text = f"bound {label} to Confluence account {credential.account}"
    if remote.core.confluence_auth_mode != "user-token":
        text += (
            f" (note: CONFLUENCE_AUTH_MODE is {remote.core.confluence_auth_mode} here; the "
            "server uses bound tokens with CONFLUENCE_AUTH_MODE=user-token)"
        )
    return text


def bind_credential(remote: RemoteSettings, key: str, credential: UpstreamCredential) -> None:
    """Store ``credential`` for principal id ``key`` in ``MCP_TOKEN_STORE``."""
    require_shared_store(remote)

    async def put() -> None:
        store = open_credential_store(remote)
        try:
            await store.put(key, credential)
        finally:
            await store.aclose()

    _run(put)


def forget_credential(remote: RemoteSettings, key: str) -> bool:
    """Delete principal id ``key``'s credential; True when there was one. A memory store
    (nothing shared to clean) answers False."""
    if remote.mcp_token_store.strip().lower() in ("", "memory", "memory://"):
        return False

    async def delete() -> bool:
        store = open_credential_store(remote)
        try:
            return await store.delete(key)
        finally:
            await store.aclose()

    return _run(delete)


def require_shared_store(remote: RemoteSettings) -> None:
    """Refuse a store a command cannot share with the server (memory), or without its key."""
    if remote.mcp_token_store.strip().lower() in ("", "memory", "memory://"):
        raise ConfigError(
            "MCP_TOKEN_STORE=memory lives inside one server process: a token bound by this "
            "command would be lost. Set MCP_TOKEN_STORE=file:/path/tokens.json (one replica) "
            "or redis://host:6379/0, and MCP_TOKEN_ENCRYPTION_KEY, for this command and the "
            "server alike"
        )
    if remote.mcp_token_encryption_key is None:
        raise ConfigError("MCP_TOKEN_ENCRYPTION_KEY is required to store Confluence tokens")


def _run(operation: Callable[[], Awaitable[T]]) -> T:
    import anyio

    from mcp_auth.token_store import TokenStoreError

    try:
        return anyio.run(operation)
    except TokenStoreError as exc:
        raise ServiceRefusedError(f"token store: {exc.message}") from None
