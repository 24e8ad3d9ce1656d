"""What every tool, resource, prompt and completion handler works with.

One :class:`Services` object is built per server by the app factory and handed to each
module's ``register(mcp, services)``; handlers close over it. It holds the settings, the space
guard, the content converter and the cursor sealer, and creates the SDK's ``ConfluenceClient``
on first use (so start-up imports no SDK and makes no Confluence call). The server's lifespan
closes the client.

In a per-user mode (``CONFLUENCE_AUTH_MODE=user-token`` or ``oauth``) there is no shared
client: :meth:`Services.client` returns the calling principal's own
(:class:`~confluence_mcp.identity.upstream.UpstreamIdentities`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from confluence_mcp.content import ContentConverter
from confluence_mcp.cursors import CursorSealer
from confluence_mcp.guard import SpaceGuard
from confluence_mcp.safety.confirm import Confirmations

if TYPE_CHECKING:
    from confluence_client import ConfluenceClient, Page, RequestObserver, RetryPolicy
    from confluence_mcp.identity.upstream import UpstreamIdentities
    from confluence_mcp.settings import Settings

__all__ = ["ClientFactory", "Services", "build_client"]

ClientFactory = Callable[["Settings"], "ConfluenceClient"]


def build_client(
    settings: Settings,
    *,
    retry: RetryPolicy | None = None,
    on_request: RequestObserver | None = None,
) -> ConfluenceClient:
    """Construct the SDK client the settings describe (no network I/O).

    The default retry policy retries twice and waits at most 10 s in total: a tool call should
    answer "rate limited, retry after N s" or "Confluence is failing" well inside an MCP
    client's tool timeout rather than hang. ``on_request`` is the SDK's per-HTTP-attempt
    observer (telemetry).
    """
    from confluence_client import (
        BasicAuth,
        ConfluenceClient,
        OAuthToken,
        PersonalAccessToken,
        RetryPolicy,
    )

    settings.require_connection()
    if settings.auth_method is None:
        # A per-user mode without service credentials: only callers' own clients exist.
        from confluence_mcp.errors import ConfigError

        raise ConfigError("no Confluence credentials to build a client with")
    auth: BasicAuth | PersonalAccessToken | OAuthToken
    if settings.confluence_oauth_token is not None:
        auth = OAuthToken(
            access_token=settings.confluence_oauth_token.get_secret_value(),
            cloud_id=settings.confluence_cloud_id or "",
        )
    elif settings.confluence_personal_token is not None:
        auth = PersonalAccessToken(token=settings.confluence_personal_token.get_secret_value())
    else:
        # require_connection() guarantees both are set here; BasicAuth refuses blanks anyway.
        token = settings.confluence_api_token
        auth = BasicAuth(
            username=settings.confluence_username or "",
            api_token=token.get_secret_value() if token is not None else "",
        )
    extra: dict[str, Any] = {}
    if settings.confluence_oauth_gateway_url is not None:
        extra["api_gateway_url"] = str(settings.confluence_oauth_gateway_url)
    return ConfluenceClient(
        str(settings.confluence_url),
        auth,
        deployment=settings.deployment,
        timeouts=settings.confluence_timeout,
        verify_ssl=settings.confluence_ssl_verify,
        retry=retry if retry is not None else RetryPolicy(max_retries=2, max_total_wait=10.0),
        on_request=on_request,
        **extra,
    )


class Services:
    """Settings, SDK client (lazy), space guard and content converter for one server."""

    def __init__(
        self,
        settings: Settings,
        client_factory: ClientFactory = build_client,
        *,
        identities: UpstreamIdentities | None = None,
    ) -> None:
        self.settings = settings
        # Per-user modes: each caller's own client instead of the shared one.
        self.identities = identities
        self.content = ContentConverter()
        self.guard = SpaceGuard(settings.allowed_spaces, self.client)
        self.confirmations = Confirmations(enabled=settings.confirm_destructive)
        # MCP_CURSOR_KEY lets replicas open each other's cursors; else a per-process key.
        cursor_key = settings.mcp_cursor_key
        self.cursors = CursorSealer(cursor_key.get_secret_value() if cursor_key else None)
        self._client_factory = client_factory
        self._client: ConfluenceClient | None = None
        self._lock: asyncio.Lock | None = None
        # Set by the app factory once the tool filters are applied (completions follow them).
        self.visible_tools: frozenset[str] = frozenset()

    async def client(self) -> ConfluenceClient:
        """The SDK client for this call: the shared one (created on first use), or in a
        per-user mode the caller's own (raises
        :class:`~confluence_mcp.errors.CredentialError` when the caller has none)."""
        if self.identities is not None:
            return await self.identities.client()
        if self._client is not None:
            return self._client
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._client is None:
                self._client = self._client_factory(self.settings)
            return self._client

    async def space_key_of(self, page: Page) -> str | None:
        """The key of the page's space (Cloud pages may carry only the space id); the SDK
        client remembers each id's key, so this asks Confluence once per space."""
        if page.space_key is not None or page.space_id is None:
            return page.space_key
        client = await self.client()
        return await client.space_key_for_id(page.space_id)

    async def aclose(self) -> None:
        """Close the client if one was created; a later call creates a fresh one."""
        client, self._client = self._client, None
        self._lock = None
        if client is not None:
            await client.aclose()
        if self.identities is not None:
            await self.identities.aclose()

    @asynccontextmanager
    async def lifespan(self, _server: Any) -> AsyncIterator[dict[str, Any]]:
        """FastMCP lifespan: nothing happens at start-up; the client is closed at shutdown."""
        try:
            yield {"services": self}
        finally:
            await self.aclose()
