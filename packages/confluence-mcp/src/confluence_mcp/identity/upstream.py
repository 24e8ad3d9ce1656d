"""Who acts in Confluence for this request: the caller's own credential, its SDK client.

In a per-user mode (``CONFLUENCE_AUTH_MODE=user-token`` or ``oauth``) the server never uses
one account for everybody. :class:`UpstreamIdentities` looks up the calling principal's
credential in the :class:`~confluence_mcp.identity.credentials.CredentialStore` and keeps one
SDK client per principal (rebuilt when the credential changes, the oldest closed beyond
``max_clients``). :class:`UpstreamIdentityMiddleware` resolves the credential once per tool
call, resource read or prompt, before the scope and audit middleware run, so every audit event
of it names the Confluence account used (``upstream_account``) beside the MCP principal.

An OAuth credential close to expiry is handed to ``refresher`` (the oauth mode's), which
returns a fresh one (and stores it) or raises :class:`~confluence_mcp.errors.CredentialError`
telling the user to sign in again.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext

from confluence_mcp.errors import CredentialError, own_credential_refused
from confluence_mcp.identity.credentials import CredentialStore, UpstreamCredential, principal_id
from mcp_auth import bind_upstream_account

if TYPE_CHECKING:
    from confluence_client import ConfluenceClient
    from confluence_mcp.services import ClientFactory
    from confluence_mcp.settings import Settings
    from mcp_auth import Principal

__all__ = ["Refresher", "UpstreamIdentities", "UpstreamIdentityMiddleware"]

Refresher = Callable[[str, UpstreamCredential], Awaitable[UpstreamCredential]]

# Refresh an OAuth access token this long before it expires (a call may take a while).
_REFRESH_MARGIN_SECONDS = 60.0

# The credential resolved for the current MCP request: (principal id, credential or error).
_resolved: ContextVar[tuple[str, UpstreamCredential | CredentialError] | None] = ContextVar(
    "confluence_mcp_upstream", default=None
)


class UpstreamIdentities:
    """Per-principal credentials and SDK clients for the per-user modes."""

    def __init__(
        self,
        settings: Settings,
        store: CredentialStore,
        client_factory: ClientFactory,
        *,
        refresher: Refresher | None = None,
        max_clients: int = 256,
    ) -> None:
        self.settings = settings
        self.store = store
        self.refresher = refresher
        # What a caller whose own credential Confluence refuses (401) is told; the oauth mode
        # sets its "sign in again" message.
        self.refused_message = (
            "Confluence refused the credential bound to you (HTTP 401): ask an administrator "
            "to bind a valid one"
        )
        self._client_factory = client_factory
        self._max_clients = max_clients
        # principal id -> (credential fingerprint, client), least recently used first.
        self._clients: OrderedDict[str, tuple[str, ConfluenceClient]] = OrderedDict()
        self._lock = asyncio.Lock()
        # Principal id -> its refresh lock; weak, so idle principals cost nothing.
        self._refresh_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def credential_for(self, principal: Principal | None) -> UpstreamCredential:
        """The principal's credential, refreshed when it is about to expire. Raises
        :class:`CredentialError` (a message for the caller) when there is none."""
        if principal is None:
            raise CredentialError(
                "this server acts in Confluence as each caller, and this request is not "
                "authenticated: send an API key or a bearer token"
            )
        key = principal_id(principal)
        credential = await self.store.get(key)
        if credential is None:
            raise CredentialError(self._unbound_message(principal))
        if credential.kind == "oauth" and credential.expired(_REFRESH_MARGIN_SECONDS):
            credential = await self._refreshed(key, credential)
        return credential

    async def _refreshed(self, key: str, credential: UpstreamCredential) -> UpstreamCredential:
        if self.refresher is None:
            raise CredentialError("your Confluence sign-in has expired: sign in again")
        lock = self._refresh_locks.setdefault(key, asyncio.Lock())
        async with lock:
            # One refresh per principal at a time in this process: refresh tokens rotate, so
            # a second concurrent refresh would spend a token the first already replaced.
            latest = await self.store.get(key)
            if latest is not None and not latest.expired(_REFRESH_MARGIN_SECONDS):
                return latest
            return await self.refresher(key, latest or credential)

    async def client(self) -> ConfluenceClient:
        """The SDK client acting as the current MCP principal."""
        from mcp_auth.fastmcp import current_principal

        principal = current_principal()
        resolved = _resolved.get()
        if (
            resolved is not None
            and principal is not None
            and resolved[0] == principal_id(principal)
        ):
            found = resolved[1]
            if isinstance(found, CredentialError):
                raise found
            credential = found
        else:
            credential = await self.credential_for(principal)
        assert principal is not None  # credential_for refuses a missing principal
        return await self._client(principal_id(principal), credential)

    async def _client(self, key: str, credential: UpstreamCredential) -> ConfluenceClient:
        stale: list[ConfluenceClient] = []
        async with self._lock:
            cached = self._clients.get(key)
            if cached is not None and cached[0] == credential.fingerprint:
                self._clients.move_to_end(key)
                return cached[1]
            if cached is not None:
                stale.append(cached[1])
            client = self._client_factory(credential.apply_to(self.settings))
            self._clients[key] = (credential.fingerprint, client)
            while len(self._clients) > self._max_clients:
                stale.append(self._clients.popitem(last=False)[1][1])
        for old in stale:
            await old.aclose()
        return client

    async def forget(self, key: str) -> None:
        """Close and drop ``key``'s client (its credential was revoked or replaced)."""
        async with self._lock:
            cached = self._clients.pop(key, None)
        if cached is not None:
            await cached[1].aclose()

    async def aclose(self) -> None:
        """Close every client and the store."""
        async with self._lock:
            clients = [client for _, client in self._clients.values()]
            self._clients.clear()
        for client in clients:
            await client.aclose()
        await self.store.aclose()

    def _unbound_message(self, principal: Principal) -> str:
        from mcp_auth import AuthMethod

        if self.settings.confluence_auth_mode == "oauth":
            return "you are not signed in to Confluence through this server: sign in again"
        if principal.auth_method is AuthMethod.API_KEY:
            return (
                f"no Confluence credential is bound to your API key ({principal.subject}): "
                "this server acts in Confluence as each caller. Ask an administrator to bind "
                "your Confluence API token (Cloud) or personal access token (Data Center): "
                "confluence-mcp users set-token --key <key name> --token-file <file>"
            )
        return (
            f"no Confluence credential is bound to your identity ({principal.subject}): this "
            "server acts in Confluence as each caller. Ask an administrator to run: "
            "confluence-mcp users set-token <subject> --token-file <file>"
        )


class UpstreamIdentityMiddleware(Middleware):
    """Resolves the caller's Confluence credential once per tool call, resource read and
    prompt, and names its account in every audit event of it (an unbound caller proceeds:
    what needs Confluence then answers with the reason). Listings and the handshake never
    touch the token store."""

    def __init__(self, identities: UpstreamIdentities) -> None:
        self.identities = identities

    async def on_call_tool(
        self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]
    ) -> Any:
        return await self._resolved(context, call_next)

    async def on_read_resource(
        self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]
    ) -> Any:
        return await self._resolved(context, call_next)

    async def on_get_prompt(
        self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]
    ) -> Any:
        return await self._resolved(context, call_next)

    async def _resolved(
        self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]
    ) -> Any:
        from mcp_auth.fastmcp import current_principal

        principal = current_principal()
        if principal is None:
            return await call_next(context)
        found: UpstreamCredential | CredentialError
        try:
            found = await self.identities.credential_for(principal)
        except CredentialError as exc:
            found = exc
        token = _resolved.set((principal_id(principal), found))
        account = found.account if isinstance(found, UpstreamCredential) else None
        try:
            with (
                bind_upstream_account(account),
                own_credential_refused(self.identities.refused_message),
            ):
                return await call_next(context)
        finally:
            _resolved.reset(token)
