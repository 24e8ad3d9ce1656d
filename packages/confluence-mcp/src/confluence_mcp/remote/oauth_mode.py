"""``CONFLUENCE_AUTH_MODE=oauth`` assembled from the settings: the Atlassian token keeper, the
OAuth proxy in front of Atlassian, and what the HTTP layer needs from them.

Every piece of state lives in the one encrypted token store (``MCP_TOKEN_STORE``, keys
``MCP_TOKEN_ENCRYPTION_KEY``): each person's Atlassian tokens under their principal id, and
the proxy's own (registered clients, pending sign-ins, codes, token ids) beside them. The
proxy signs its tokens with a key derived from ``ATLASSIAN_OAUTH_CLIENT_SECRET``. Replicas
sharing the store and the secret therefore serve the same signed-in users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.routing import Route

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from confluence_mcp.identity.credentials import CredentialStore
    from confluence_mcp.remote.atlassian_proxy import AtlassianOAuthProxy
    from confluence_mcp.remote.settings import RemoteSettings

__all__ = ["build_oauth_proxy", "oauth_routes"]

_PROTECTED_RESOURCE = "/.well-known/oauth-protected-resource"
_CALLBACK = "/auth/callback"  # FastMCP's default redirect path: the Atlassian app's callback


def build_oauth_proxy(
    remote: RemoteSettings, credentials: CredentialStore, *, base_url: str
) -> AtlassianOAuthProxy:
    """The proxy for ``remote`` (no I/O). ``base_url`` is the server's public URL without the
    MCP path: the authorization server's issuer and the callback's base."""
    from confluence_client import DEFAULT_API_GATEWAY_URL
    from confluence_client.oauth import AtlassianOAuth
    from confluence_mcp.remote.atlassian_proxy import AtlassianOAuthProxy
    from confluence_mcp.remote.atlassian_reconnect import Reconnector
    from confluence_mcp.remote.atlassian_tokens import AtlassianTokens

    core = remote.core
    client_id = remote.atlassian_oauth_client_id or ""
    secret = remote.atlassian_oauth_client_secret
    client_secret = secret.get_secret_value() if secret is not None else ""
    gateway = core.confluence_oauth_gateway_url
    oauth = AtlassianOAuth(
        client_id,
        client_secret,
        auth_url=remote.atlassian_oauth_auth_url,
        # accessible-resources and /me live on the API gateway, like Confluence's 3LO paths.
        api_url=str(gateway) if gateway is not None else DEFAULT_API_GATEWAY_URL,
    )
    tokens = AtlassianTokens(
        oauth,
        credentials,
        public_url=remote.mcp_public_url or base_url,
        site_url=str(core.confluence_url) if core.confluence_url is not None else None,
    )
    proxy = AtlassianOAuthProxy(
        tokens,
        client_id=client_id,
        client_secret=client_secret,
        scopes=remote.atlassian_scopes,
        base_url=base_url,
        storage=credentials.tokens.key_value(),
        auth_url=remote.atlassian_oauth_auth_url,
    )
    proxy.reconnector = Reconnector(
        tokens, base_url=base_url, client_secret=client_secret, scopes=remote.atlassian_scopes
    )
    tokens.reconnect_url = proxy.reconnector.url_for
    return proxy


def oauth_routes(proxy: AtlassianOAuthProxy, mcp_path: str) -> list[BaseRoute]:
    """The authorization server's routes (metadata, ``/register``, ``/authorize``,
    ``/consent``, ``/auth/callback``, ``/token``) and the reconnect link's
    (``/auth/reconnect``, sharing the callback). The protected-resource document stays the
    resource provider's (it names this server as the authorization server)."""
    from confluence_mcp.remote.atlassian_reconnect import RECONNECT_PATH

    reconnector = proxy.reconnector
    routes: list[BaseRoute] = []
    for route in proxy.get_routes(mcp_path):
        if isinstance(route, Route) and route.path.startswith(_PROTECTED_RESOURCE):
            continue
        if reconnector is not None and isinstance(route, Route) and route.path == _CALLBACK:
            route = Route(_CALLBACK, reconnector.wrap_callback(route.app), methods=["GET"])
        routes.append(route)
    if reconnector is not None:
        routes.append(Route(RECONNECT_PATH, reconnector.start, methods=["GET"]))
    return routes
