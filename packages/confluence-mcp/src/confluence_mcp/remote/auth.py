"""From settings to mcp-auth: verifiers, their chain, the scope policy and the audit log.

Nothing here verifies a token itself: mcp-auth does, and ``mcp_auth.fastmcp`` answers the
401/403/503 challenges and serves the RFC 9728 metadata. This module only decides *which*
verifiers the environment asks for and how Confluence tools map to scopes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from confluence_mcp.errors import ConfigError
from confluence_mcp.remote.scopes import SCOPE_ADMIN, SCOPE_DELETE, SCOPE_READ, SCOPE_WRITE
from mcp_auth import (
    AuditLogger,
    FileSink,
    ScopePolicy,
    StreamSink,
    TokenVerifier,
)

if TYPE_CHECKING:
    from confluence_mcp.remote.metrics import MetricsRecorder
    from confluence_mcp.remote.settings import RemoteSettings
    from confluence_mcp.settings import Settings
    from mcp_auth import AuditSink, JWTVerifier

__all__ = [
    "SCOPE_ADMIN",
    "SCOPE_DELETE",
    "SCOPE_READ",
    "SCOPE_WRITE",
    "READ_ONLY_COMPONENTS",
    "build_audit_logger",
    "build_verifiers",
    "confluence_scope_policy",
]


# Resources and prompts only read Confluence; they carry no access tag, so they are named.
READ_ONLY_COMPONENTS = ("page", "space", "summarize_page", "draft_page", "review_page_changes")


def confluence_scope_policy() -> ScopePolicy:
    """Tools' access tags to scopes: read → ``confluence:read``, write → ``confluence:write``,
    delete → ``confluence:delete``, and the ``admin`` area tag adds ``confluence:admin``; the
    page/space resources and the prompts need ``confluence:read``.

    Anything else without an access tag (none exists today: ``confluence_tool`` always sets
    one) would need all three scopes: an unclassified component must not be open to a
    read-only token.
    """
    return ScopePolicy(
        operations=dict.fromkeys(READ_ONLY_COMPONENTS, SCOPE_READ),
        # Tags add up: an admin-tagged write tool needs confluence:write and confluence:admin.
        tags={
            "read": SCOPE_READ,
            "write": SCOPE_WRITE,
            "delete": SCOPE_DELETE,
            "admin": SCOPE_ADMIN,
        },
        default=(SCOPE_READ, SCOPE_WRITE, SCOPE_DELETE),
    )


def build_audit_logger(
    target: str,
    *,
    metrics: MetricsRecorder | None = None,
    settings: Settings | None = None,
) -> AuditLogger:
    """``MCP_AUDIT_LOG``: ``stderr`` (default), ``stdout``, ``off``, or a file path (0600).

    With ``metrics``, every event is also counted there (even when the log itself is off).
    With ``settings``, every event names the auth mode (``upstream_mode``) and, in the
    service mode, the service account (``upstream_account``; per-user modes bind the caller's
    account per request).
    """
    import sys

    mode, account = _upstream(settings)

    def make(sinks: list[AuditSink]) -> AuditLogger:
        return AuditLogger(sinks, upstream_mode=mode, upstream_account=account)

    counted: list[AuditSink] = []
    if metrics is not None:
        from confluence_mcp.remote.metrics import MetricsAuditSink

        counted.append(MetricsAuditSink(metrics))
    value = target.strip()
    if value.lower() in ("off", "none", ""):
        return make(counted)
    if value.lower() == "stderr":
        return make([StreamSink(), *counted])
    if value.lower() == "stdout":
        return make([StreamSink(sys.stdout), *counted])
    import os

    # The sink opens the file on first write; check now so a typo fails at start-up.
    directory = os.path.dirname(os.path.abspath(value))
    if not os.path.isdir(directory) or not os.access(directory, os.W_OK):
        raise ConfigError(
            f"MCP_AUDIT_LOG: cannot write {value!r} (its directory is missing or read-only); "
            "use a writable path, stderr or off"
        )
    return make([FileSink(value), *counted])


def _upstream(settings: Settings | None) -> tuple[str | None, str | None]:
    """The auth mode, and the service account when every call uses it."""
    if settings is None:
        return None, None
    mode = settings.confluence_auth_mode
    if settings.per_user:
        return mode, None
    accounts = {
        "basic": settings.confluence_username,
        "pat": "service account (personal access token)",
        "oauth": "service account (OAuth token)",
    }
    method = settings.auth_method
    return mode, None if method is None else accounts[method]


def build_verifiers(
    remote: RemoteSettings, *, resource_url: str, audit: AuditLogger | None = None
) -> list[TokenVerifier]:
    """The verifiers the settings configure, in chain order (API keys, JWT, introspection).

    ``resource_url`` is this server's canonical MCP URL: the audience an introspected token
    must carry when ``MCP_JWT_AUDIENCE`` does not name one. Raises :class:`ConfigError` with
    the variable to fix when a verifier refuses its configuration.
    """
    from mcp_auth import (
        APIKeyVerifier,
        AuthConfigurationError,
        IntrospectionVerifier,
    )

    verifiers: list[TokenVerifier] = []
    try:
        if remote.mcp_api_keys_file is not None:
            verifiers.append(APIKeyVerifier(remote.mcp_api_keys_file, audit=audit))
        if remote.jwt_configured:
            verifiers.append(_jwt_verifier(remote, audit))
        if remote.mcp_oauth_introspection_url:
            secret = remote.mcp_oauth_client_secret
            verifiers.append(
                IntrospectionVerifier(
                    remote.mcp_oauth_introspection_url,
                    client_id=remote.mcp_oauth_client_id or "",
                    client_secret=secret.get_secret_value() if secret else "",
                    audience=_audiences(remote.mcp_jwt_audience, resource_url),
                    issuer=remote.mcp_jwt_issuer or None,
                    audit=audit,
                    keep_claims=_spaces_claim(remote),
                )
            )
    except AuthConfigurationError as exc:
        raise ConfigError(f"authentication settings: {exc}") from None
    return verifiers


def _spaces_claim(remote: RemoteSettings) -> tuple[str, ...]:
    """The claim carrying a principal's spaces (``MCP_SPACES_CLAIM``), kept on its principal."""
    return (remote.mcp_spaces_claim,) if remote.mcp_spaces_claim else ()


def _audiences(configured: Sequence[str], resource_url: str) -> list[str]:
    return list(configured) if configured else [resource_url]


def _jwt_verifier(remote: RemoteSettings, audit: AuditLogger | None) -> TokenVerifier:
    verifier = _jwt_verifier_for_key(remote, audit)
    verifier.keep_claims = (*verifier.keep_claims, *_spaces_claim(remote))
    return verifier


def _jwt_verifier_for_key(remote: RemoteSettings, audit: AuditLogger | None) -> JWTVerifier:
    from mcp_auth import JWTVerifier

    algorithms = list(remote.mcp_jwt_algorithms) or None
    if remote.mcp_jwt_public_key is not None:
        try:
            key = remote.mcp_jwt_public_key.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(
                f"MCP_JWT_PUBLIC_KEY: cannot read {str(remote.mcp_jwt_public_key)!r} "
                f"({exc.strerror}); point it at a PEM public key file"
            ) from None
        return JWTVerifier(
            issuer=list(remote.mcp_jwt_issuer),
            audience=list(remote.mcp_jwt_audience),
            public_key=key,
            algorithms=algorithms,
            audit=audit,
        )
    return JWTVerifier(
        issuer=list(remote.mcp_jwt_issuer),
        audience=list(remote.mcp_jwt_audience),
        jwks_url=remote.mcp_jwt_jwks_url,
        algorithms=algorithms,
        audit=audit,
    )
