"""Safe by default: refuse to serve an unauthenticated MCP endpoint beyond loopback.

Binding a non-loopback interface (``0.0.0.0``, a LAN address) without any authentication
method configured would hand the service account's Confluence rights to anyone who can reach
the port. The server refuses to start unless ``MCP_ALLOW_UNAUTHENTICATED=true`` says it is
deliberate (another layer authenticates, e.g. a gateway); then it warns loudly, in the log
and as a ``config.warning`` audit event.

``MCP_ENVIRONMENT=prod`` also refuses what is tolerable on a laptop but not in production:
``CONFLUENCE_SSL_VERIFY=false`` (the service account's token readable by anyone on the path)
and a wildcard CORS origin (any web page could drive the server from a user's browser).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from confluence_mcp.errors import ConfigError
from mcp_auth import is_loopback_host

if TYPE_CHECKING:
    from confluence_mcp.remote.settings import RemoteSettings
    from mcp_auth import AuditLogger

__all__ = ["check_startup_safety", "ignored_replica_id"]

_LOG = logging.getLogger("confluence_mcp.remote")


def check_startup_safety(
    remote: RemoteSettings,
    *,
    host: str,
    transport: str,
    audit: AuditLogger | None = None,
) -> None:
    """Raise :class:`ConfigError` for an unauthenticated non-loopback HTTP bind, and in
    ``prod`` for disabled TLS verification or a wildcard CORS origin.

    stdio never listens on a socket and loopback is reachable only from this machine: both
    pass. With ``MCP_ALLOW_UNAUTHENTICATED=true`` the bind is allowed with a warning.
    """
    if remote.mcp_environment == "prod":
        _check_production(remote)
    if transport == "stdio" or remote.auth_configured or is_loopback_host(host):
        return
    if not remote.mcp_allow_unauthenticated:
        raise ConfigError(
            f"refusing to serve without authentication on {host}: anyone who reaches this "
            "port would act with the server's Confluence credentials. Configure "
            "MCP_API_KEYS_FILE, MCP_JWT_JWKS_URL / MCP_JWT_PUBLIC_KEY or "
            "MCP_OAUTH_INTROSPECTION_URL, bind HOST=127.0.0.1, or set "
            "MCP_ALLOW_UNAUTHENTICATED=true if a gateway in front authenticates callers"
        )
    detail = (
        f"serving WITHOUT authentication on {host} (MCP_ALLOW_UNAUTHENTICATED=true): "
        "every caller acts with the server's Confluence credentials"
    )
    _LOG.warning("WARNING: %s", detail)
    if audit is not None:
        audit.config_warning(detail, setting="MCP_ALLOW_UNAUTHENTICATED")


def ignored_replica_id(remote: RemoteSettings) -> str | None:
    """Why ``MCP_REPLICA_ID`` does nothing here, or None when it takes effect.

    Warned about, not refused: one env file may serve both a stateful and a stateless
    deployment.
    """
    core = remote.core
    if remote.mcp_replica_id is None or core.transport == "stdio":
        return None
    if core.stateless_http and core.transport != "sse":
        why = "STATELESS_HTTP=true: stateless mode has no sessions to route"
    elif core.transport == "sse":
        why = "TRANSPORT=sse: only streamable HTTP session ids carry it"
    else:
        return None
    return f"MCP_REPLICA_ID={remote.mcp_replica_id} has no effect with {why}"


def _check_production(remote: RemoteSettings) -> None:
    if not remote.core.confluence_ssl_verify:
        raise ConfigError(
            "CONFLUENCE_SSL_VERIFY=false is refused with MCP_ENVIRONMENT=prod: the Confluence "
            "credentials would travel over a connection anyone on the path can intercept. "
            "Trust the site's CA instead (SSL_CERT_FILE / REQUESTS_CA_BUNDLE)"
        )
    wildcards = [origin for origin in remote.mcp_cors_origins if "*" in origin]
    if wildcards:
        raise ConfigError(
            f"MCP_CORS_ORIGINS={wildcards[0]} is refused with MCP_ENVIRONMENT=prod: any web "
            "page a user opens could call this server with their credentials. List the exact "
            "browser origins, e.g. MCP_CORS_ORIGINS=https://app.example.com"
        )
