"""confluence-mcp as a remote service: settings, auth, scopes, audit, keys, telemetry.

The HTTP layer that wires these into requests lives in :mod:`confluence_mcp.http`. The
server calls these (all lazy about heavy imports):

- :class:`RemoteSettings`: the service's settings (``MCP_*``, ``LOG_*``) around the core
  ``Settings`` (``.core``); :func:`load_remote_settings` reads both, once per process;
- :func:`configure_observability`: logging (JSON/text, redacted), OpenTelemetry tracing
  from the standard ``OTEL_*`` env and metrics, once per process; gives the SDK client
  factory for ``create_server``;
- :func:`add_keys_command` / :func:`run_keys`: ``confluence-mcp keys create|list|revoke``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from confluence_mcp.remote.auth import (
        SCOPE_ADMIN,
        SCOPE_DELETE,
        SCOPE_READ,
        SCOPE_WRITE,
        build_audit_logger,
        confluence_scope_policy,
    )
    from confluence_mcp.remote.keys import KEYS_COMMAND, add_keys_command, run_keys
    from confluence_mcp.remote.observability import (
        Observability,
        configure_observability,
        current_observability,
    )
    from confluence_mcp.remote.settings import RemoteSettings, load_remote_settings
    from confluence_mcp.remote.startup import check_startup_safety

# Imported on first use: the CLI imports this package for ``keys``, and that must not load
# Starlette, limits or mcp-auth (``--help`` and configuration errors stay fast).
_LAZY = {
    "SCOPE_ADMIN": "auth",
    "SCOPE_DELETE": "auth",
    "SCOPE_READ": "auth",
    "SCOPE_WRITE": "auth",
    "build_audit_logger": "auth",
    "confluence_scope_policy": "auth",
    "KEYS_COMMAND": "keys",
    "add_keys_command": "keys",
    "run_keys": "keys",
    "Observability": "observability",
    "configure_observability": "observability",
    "current_observability": "observability",
    "RemoteSettings": "settings",
    "load_remote_settings": "settings",
    "check_startup_safety": "startup",
}

__all__ = [
    "KEYS_COMMAND",
    "SCOPE_ADMIN",
    "SCOPE_DELETE",
    "SCOPE_READ",
    "SCOPE_WRITE",
    "Observability",
    "RemoteSettings",
    "add_keys_command",
    "build_audit_logger",
    "check_startup_safety",
    "configure_observability",
    "confluence_scope_policy",
    "current_observability",
    "load_remote_settings",
    "run_keys",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
