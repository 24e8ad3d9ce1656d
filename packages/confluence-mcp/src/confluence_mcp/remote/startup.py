"""Safe by default: refuse to serve an unauthenticated MCP endpoint beyond loopback.

Binding a non-loopback interface (``0.0.0.0``, a LAN address) without any authentication
method configured would hand the service account's Confluence rights to anyone who can reach
the port. The server refuses to start unless ``MCP_ALLOW_UNAUTHENTICATED=true`` says it is
deliberate (another layer authenticates, e.g. a gateway); then it warns loudly, in the log
and as a ``config.warning`` audit event.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from confluence_mcp.errors import ConfigError
from mcp_auth import is_loopback_host

if TYPE_CHECKING:
    from confluence_mcp.remote.settings import RemoteSettings
    from mcp_auth import AuditLogger

__all__ = ["check_startup_safety"]

_LOG = logging.getLogger("confluence_mcp.remote")


def check_startup_safety(
    remote: RemoteSettings, *, host: str, transport: str, audit: AuditLogger | None = None
) -> None:
    """Raise :class:`ConfigError` for an unauthenticated non-loopback HTTP bind.

    stdio never listens on a socket and loopback is reachable only from this machine: both
    pass. With ``MCP_ALLOW_UNAUTHENTICATED=true`` the bind is allowed with a warning.
    """
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
