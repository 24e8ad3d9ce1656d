"""Authentication, authorization and audit for MCP servers.

The core is framework-neutral and never imports FastMCP; the FastMCP integration lives in
`mcp_auth.fastmcp` (install the `mcp-auth[fastmcp]` extra).
"""

from importlib import import_module as _import_module
from importlib.metadata import version as _version
from typing import TYPE_CHECKING as _TYPE_CHECKING
from typing import Any as _Any

from mcp_auth._audit import AuditEvent, AuditEventName, AuditLogger, scrub_secrets
from mcp_auth._audit_sinks import AuditSink, FileSink, LoggingSink, MemorySink, StreamSink
from mcp_auth._context import (
    RequestContext,
    bind_request_context,
    bind_upstream_account,
    current_request_context,
    current_trace_ids,
    current_upstream_account,
    new_request_id,
    reset_request_context,
    set_request_context,
)
from mcp_auth._errors import (
    AuthConfigurationError,
    AuthenticationError,
    AuthorizationError,
    MCPAuthError,
    RefusalReason,
)
from mcp_auth._jwt_shape import looks_like_jwt
from mcp_auth._key_format import DEFAULT_KEY_PREFIX, parse_api_key
from mcp_auth._principal import AuthMethod, Principal
from mcp_auth._query_credentials import QUERY_CREDENTIAL_NAMES, query_carries_credential
from mcp_auth._scopes import ScopeDecision, ScopePolicy
from mcp_auth._urls import is_loopback_host
from mcp_auth._verifier import TokenVerifier

if _TYPE_CHECKING:
    from mcp_auth._api_key_verifier import APIKeyStore, APIKeyVerifier
    from mcp_auth._api_keys import (
        APIKeyRecord,
        CreatedAPIKey,
        create_api_key,
        list_api_keys,
        revoke_api_key,
    )
    from mcp_auth._audited import AuditedVerifier
    from mcp_auth._chain import ChainVerifier
    from mcp_auth._introspection import IntrospectionVerifier
    from mcp_auth._jwt import JWTVerifier
    from mcp_auth._quantiles import QuantileSketch
    from mcp_auth._usage import UsageReport, UsageRow, build_usage_report

__version__ = _version("mcp-auth")

# Loaded on first use: PyJWT (with cryptography) and the introspection HTTP client take
# ~10 MB and a noticeable share of start-up that an API-key-only or stdio server never needs;
# key files, verifier chains and usage reports (~0.5 MB) are not needed without keys.
_LAZY = {
    "JWTVerifier": "mcp_auth._jwt",
    "IntrospectionVerifier": "mcp_auth._introspection",
    "APIKeyStore": "mcp_auth._api_key_verifier",
    "APIKeyVerifier": "mcp_auth._api_key_verifier",
    "APIKeyRecord": "mcp_auth._api_keys",
    "CreatedAPIKey": "mcp_auth._api_keys",
    "create_api_key": "mcp_auth._api_keys",
    "list_api_keys": "mcp_auth._api_keys",
    "revoke_api_key": "mcp_auth._api_keys",
    "AuditedVerifier": "mcp_auth._audited",
    "ChainVerifier": "mcp_auth._chain",
    "QuantileSketch": "mcp_auth._quantiles",
    "UsageReport": "mcp_auth._usage",
    "UsageRow": "mcp_auth._usage",
    "build_usage_report": "mcp_auth._usage",
}


def __getattr__(name: str) -> _Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'mcp_auth' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "__version__",
    # who is calling
    "AuthMethod",
    "Principal",
    "TokenVerifier",
    # verifiers
    "APIKeyVerifier",
    "JWTVerifier",
    "IntrospectionVerifier",
    "ChainVerifier",
    "AuditedVerifier",
    "looks_like_jwt",
    # API key management
    "APIKeyStore",
    "APIKeyRecord",
    "CreatedAPIKey",
    "DEFAULT_KEY_PREFIX",
    "create_api_key",
    "list_api_keys",
    "revoke_api_key",
    "parse_api_key",
    # scopes
    "ScopePolicy",
    "ScopeDecision",
    # audit log
    "AuditLogger",
    "AuditEvent",
    "AuditEventName",
    "AuditSink",
    "StreamSink",
    "FileSink",
    "LoggingSink",
    "MemorySink",
    "scrub_secrets",
    # request hygiene
    "QUERY_CREDENTIAL_NAMES",
    "query_carries_credential",
    "is_loopback_host",
    # usage analytics over audit logs (also `mcp-auth audit report`)
    "build_usage_report",
    "UsageReport",
    "UsageRow",
    "QuantileSketch",
    # request context (bound by the transport layer, read by the audit log)
    "RequestContext",
    "bind_request_context",
    "set_request_context",
    "reset_request_context",
    "current_request_context",
    "current_trace_ids",
    "new_request_id",
    "bind_upstream_account",
    "current_upstream_account",
    # errors
    "MCPAuthError",
    "AuthenticationError",
    "AuthorizationError",
    "AuthConfigurationError",
    "RefusalReason",
]
