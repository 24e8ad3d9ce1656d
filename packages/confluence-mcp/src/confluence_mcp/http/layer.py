"""``build_http_layer``: everything the remote service adds around the MCP endpoint.

The server calls it once, before building the HTTP app::

    layer = build_http_layer(mcp, remote)
    app = create_http_app(  # confluence_mcp.http.app, the one place the app is built
        mcp,
        remote.core,
        routes=layer.routes,
        middleware=layer.middleware,
        allowed_hosts=layer.allowed_hosts,
        allowed_origins=layer.allowed_origins,
    )

It installs the mcp-auth provider and scope/audit/metrics middleware on ``mcp`` and returns
the routes (health, readiness, optional ``/metrics``; with ``MCP_METRICS_PORT`` the metrics
route is a separate app, ``layer.metrics_app``, served on its own port behind the same Host
checks and IP limit) and the ASGI middleware, outermost first: lifecycle → access log →
error reporting (with ``SENTRY_DSN``) → security (query tokens, Host, Origin, headers) →
replica session ids (stateful with ``MCP_REPLICA_ID``) → CORS → per-IP rate limit → body
limit. The per-principal rate limit sits right after FastMCP's authentication, inside the
provider's middleware. Both rate limits count in ``MCP_RATE_LIMIT_STORAGE``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confluence_mcp.http.access_log import AccessLogMiddleware
from confluence_mcp.http.bodylimit import BodyLimitMiddleware
from confluence_mcp.http.forms import NoMultipartMiddleware
from confluence_mcp.http.health import HEALTH_PATH, READY_PATH, ReadinessProbe, health_routes
from confluence_mcp.http.limit_storage import build_storage
from confluence_mcp.http.replica import ReplicaSessionMiddleware
from confluence_mcp.http.security import OriginPolicy, SecurityMiddleware
from confluence_mcp.http.sessions import SessionLimiter, SessionLimitMiddleware
from confluence_mcp.remote.auth import (
    build_audit_logger,
    build_verifiers,
    confluence_scope_policy,
)
from confluence_mcp.remote.startup import check_startup_safety, ignored_replica_id

if TYPE_CHECKING:
    from fastmcp import FastMCP
    from limits.aio.storage import Storage

    from confluence_mcp.http.health import ProbeClientFactory
    from confluence_mcp.http.ratelimit import RateLimiter
    from confluence_mcp.identity.upstream import UpstreamIdentities
    from confluence_mcp.remote.metrics import MetricsRecorder
    from confluence_mcp.remote.settings import RemoteSettings
    from confluence_mcp.settings import Settings
    from mcp_auth import AuditLogger, TokenVerifier
    from mcp_auth.fastmcp import MCPAuthProvider

__all__ = ["CORS_EXPOSED_HEADERS", "HttpLayer", "build_http_layer", "build_metrics"]

METRICS_PATH = "/metrics"
CORS_EXPOSED_HEADERS = ("Mcp-Session-Id", "WWW-Authenticate", "Retry-After", "X-Request-ID")
_CORS_ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "Last-Event-ID",
    "Mcp-Session-Id",
    "Mcp-Protocol-Version",
    "X-Request-ID",
)
_LOG = logging.getLogger("confluence_mcp.remote")

Closer = Callable[[], Awaitable[None]]


@dataclass
class HttpLayer:
    """What :func:`build_http_layer` made: pass ``routes`` and ``middleware`` to the app."""

    routes: list[BaseRoute]
    middleware: list[Middleware]
    audit: AuditLogger
    provider: MCPAuthProvider | None = None
    metrics: MetricsRecorder | None = None
    allowed_hosts: list[str] | None = None
    allowed_origins: list[str] | None = None
    metrics_app: ASGIApp | None = None
    rate_limit_storage: Storage | None = None
    closers: list[Closer] = field(default_factory=list)

    async def aclose(self) -> None:
        """Close verifiers and the readiness client, then flush the audit log."""
        for closer in reversed(self.closers):
            try:
                await closer()
            except Exception:  # one failing closer must not keep the others open
                _LOG.exception("error while closing the HTTP layer")
        self.closers.clear()
        self.audit.close()


def _store_probe(remote: RemoteSettings, layer: HttpLayer) -> Callable[[], Awaitable[str | None]]:
    """Readiness in a per-user mode: the token store answers (closed with the layer)."""
    from confluence_mcp.errors import CredentialError
    from confluence_mcp.identity.credentials import open_credential_store

    store = open_credential_store(remote)
    layer.closers.append(store.aclose)

    async def probe() -> str | None:
        try:
            await store.get("readyz:probe")  # no principal id looks like this
        except CredentialError:
            return "the token store cannot be read"
        return None

    return probe


def build_metrics(remote: RemoteSettings) -> MetricsRecorder | None:
    """The recorder ``MCP_METRICS`` asks for (None for ``none``: nothing is imported)."""
    if remote.mcp_metrics == "prometheus":
        from confluence_mcp.remote.metrics import PrometheusMetrics

        return PrometheusMetrics()
    if remote.mcp_metrics == "otel":
        from confluence_mcp.remote.metrics import OTelMetrics

        return OTelMetrics()
    return None


def build_http_layer(
    mcp: FastMCP[Any],
    remote: RemoteSettings,
    *,
    audit: AuditLogger | None = None,
    metrics: MetricsRecorder | None = None,
    probe_client_factory: ProbeClientFactory | None = None,
    identities: UpstreamIdentities | None = None,
) -> HttpLayer:
    """Configure ``mcp`` for remote serving and return the HTTP pieces (see module doc).

    In ``oauth`` mode the server is also the MCP clients' authorization server in front of
    Atlassian (:mod:`confluence_mcp.remote.oauth_mode`); its tokens are kept in
    ``identities``' credential store, which then renews them.

    Raises :class:`~confluence_mcp.errors.ConfigError` for unsafe or invalid settings
    (e.g. a non-loopback bind without authentication).
    """
    from confluence_mcp.errors import ConfigError
    from confluence_mcp.remote.observability import current_observability
    from confluence_mcp.remote.principal_spaces import (
        PrincipalSpaces,
        PrincipalSpacesMiddleware,
    )
    from confluence_mcp.remote.provider import ConfluenceAuthProvider
    from confluence_mcp.remote.telemetry import ToolMetricsMiddleware
    from mcp_auth import AuthConfigurationError, is_loopback_host
    from mcp_auth.fastmcp import ScopeMiddleware

    settings = remote.core
    if metrics is None:
        observability = current_observability()
        metrics = observability.metrics if observability is not None else build_metrics(remote)
    if audit is None:
        audit = build_audit_logger(remote.mcp_audit_log, metrics=metrics, settings=settings)
    check_startup_safety(remote, host=settings.host, transport=settings.transport, audit=audit)
    layer = HttpLayer(routes=[], middleware=[], audit=audit, metrics=metrics)
    storage: Storage | None = None
    if _needs_storage(remote):
        storage, close_storage = build_storage(remote.mcp_rate_limit_storage)
        layer.rate_limit_storage = storage
        if close_storage is not None:
            layer.closers.append(close_storage)

    mcp_path = "/sse" if settings.transport == "sse" else settings.streamable_http_path
    base_url = _base_url(remote.mcp_public_url, mcp_path) or _local_base_url(
        settings.host, settings.port
    )
    if (
        remote.mcp_public_url is None
        and remote.auth_configured
        and not is_loopback_host(settings.host)
    ):
        audit.config_warning(
            "MCP_PUBLIC_URL is not set: the protected-resource metadata names the bind "
            "address, which clients outside this host cannot use",
            setting="MCP_PUBLIC_URL",
        )
    ignored = ignored_replica_id(remote)
    if ignored is not None:
        _LOG.warning("WARNING: %s", ignored)
        audit.config_warning(ignored, setting="MCP_REPLICA_ID")
    policy = confluence_scope_policy()
    sessions = _session_limiter(remote, settings, mcp_path)
    if metrics is not None:
        from confluence_mcp.registry import tool_catalog
        from confluence_mcp.toolsets import visible_tool_names

        tool_names = visible_tool_names(tool_catalog(mcp), settings)
        mcp.add_middleware(ToolMetricsMiddleware(metrics, tool_names=tool_names))
    if remote.auth_configured:
        verifiers = build_verifiers(remote, resource_url=base_url + mcp_path, audit=audit)
        servers = _authorization_servers(remote, audit)
        if settings.confluence_auth_mode == "oauth":
            verifiers, servers = _oauth_mode(remote, identities, base_url, mcp_path, layer)
        try:
            provider = ConfluenceAuthProvider.from_verifiers(
                verifiers,
                base_url=base_url,
                authorization_servers=servers,
                policy=policy,
                audit=audit,
                limiter=_limiter(remote.mcp_rate_limit, storage),
                metrics=metrics,
                sessions=sessions,
            )
        except AuthConfigurationError as exc:
            raise ConfigError(f"MCP_PUBLIC_URL / MCP_AUTH_SERVERS: {exc}") from None
        mcp.auth = provider
        layer.provider = provider
        layer.closers.extend(_verifier_closers(verifiers))
        # tools/list (and the other lists) show a caller only what its scopes allow.
        mcp.add_middleware(ScopeMiddleware(policy, audit=audit, hide_forbidden=True))
        # Outermost: the caller's own spaces hold for everything the request runs.
        spaces = PrincipalSpaces(remote.mcp_spaces_claim, remote.mcp_principal_spaces_file)
        mcp.middleware.insert(0, PrincipalSpacesMiddleware(spaces))
    else:
        # No policy to enforce, but every tool call is still audited.
        mcp.add_middleware(ScopeMiddleware(None, audit=audit))

    probe = (
        ReadinessProbe(settings, cache_seconds=remote.mcp_readiness_cache_seconds)
        if probe_client_factory is None
        else ReadinessProbe(
            settings,
            cache_seconds=remote.mcp_readiness_cache_seconds,
            client_factory=probe_client_factory,
        )
    )
    layer.closers.append(probe.aclose)
    if settings.per_user:
        probe.store_probe = _store_probe(remote, layer)
    layer.routes.extend(health_routes(probe, metrics))
    # Probes are exempt from the Host check and the IP limit (they reveal nothing and must
    # not be starved); /metrics is not: it would otherwise be readable by DNS rebinding.
    exempt = frozenset({HEALTH_PATH, READY_PATH})
    metrics_route = None
    prometheus_route = getattr(metrics, "route", None)
    if callable(prometheus_route):
        token = remote.mcp_metrics_token
        metrics_route = prometheus_route(
            METRICS_PATH, token=token.get_secret_value() if token is not None else None
        )
        if remote.mcp_metrics_port is None:
            layer.routes.append(metrics_route)
        elif remote.mcp_metrics_port == settings.port:
            raise ConfigError("MCP_METRICS_PORT: choose a port other than the MCP port")

    origins = OriginPolicy.build(
        bind_host=settings.host,
        public_url=remote.mcp_public_url,
        allowed_hosts=remote.mcp_allowed_hosts,
        # CORS wildcards ("*") must not switch the Origin check (DNS rebinding) off: only
        # explicitly listed CORS origins join the allow-list.
        allowed_origins=(
            *remote.mcp_allowed_origins,
            *(origin for origin in remote.mcp_cors_origins if "*" not in origin),
        ),
    )
    layer.allowed_hosts = list(origins.allowed_hosts) or None
    layer.allowed_origins = list(origins.allowed_origins) or None
    hsts = (remote.mcp_public_url or "").startswith("https://")
    security = Middleware(
        SecurityMiddleware, policy=origins, audit=audit, hsts=hsts, host_exempt_paths=exempt
    )
    layer.middleware.extend(
        [
            Middleware(LifecycleMiddleware, on_shutdown=layer.aclose),
            Middleware(AccessLogMiddleware),
            *_error_reporting(),
            security,
        ]
    )
    if remote.mcp_replica_id is not None and sessions.streamable_paths:
        layer.middleware.append(
            Middleware(ReplicaSessionMiddleware, replica_id=remote.mcp_replica_id)
        )
    if remote.mcp_cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        layer.middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(remote.mcp_cors_origins),
                allow_methods=["GET", "POST", "DELETE", "OPTIONS"],
                allow_headers=list(_CORS_ALLOWED_HEADERS),
                expose_headers=list(CORS_EXPOSED_HEADERS),
                max_age=600,
            )
        )
    ip_limiter = _limiter(remote.mcp_ip_rate_limit, storage)
    ip_limit: Middleware | None = None
    if ip_limiter is not None:
        from confluence_mcp.http.ratelimit import IPRateLimitMiddleware

        ip_limit = Middleware(
            IPRateLimitMiddleware,
            limiter=ip_limiter,
            audit=audit,
            metrics=metrics,
            exempt_paths=exempt,
        )
        layer.middleware.append(ip_limit)
    if metrics_route is not None and remote.mcp_metrics_port is not None:
        from starlette.applications import Starlette

        layer.metrics_app = Starlette(
            routes=[metrics_route],
            middleware=[
                Middleware(AccessLogMiddleware),
                security,
                *([ip_limit] if ip_limit is not None else []),
            ],
        )
    if layer.provider is None:
        # Without authentication there is no principal: sessions are capped per client IP.
        layer.middleware.append(Middleware(SessionLimitMiddleware, limiter=sessions, audit=audit))
    layer.middleware.append(Middleware(NoMultipartMiddleware))
    layer.middleware.append(
        Middleware(
            BodyLimitMiddleware,
            max_bytes=remote.mcp_max_body_bytes,
            timeout=remote.mcp_body_timeout,
            total_timeout=remote.mcp_body_total_timeout,
            audit=audit,
        )
    )
    return layer


def _oauth_mode(
    remote: RemoteSettings,
    identities: UpstreamIdentities | None,
    base_url: str,
    mcp_path: str,
    layer: HttpLayer,
) -> tuple[list[TokenVerifier], tuple[str, ...]]:
    """``oauth`` mode: serve the authorization server in front of Atlassian, accept only its
    tokens (the MCP endpoint names this server as its authorization server), and let it
    renew each person's Atlassian tokens."""
    from confluence_mcp.errors import ConfigError
    from confluence_mcp.remote.atlassian_tokens import sign_in_message
    from confluence_mcp.remote.oauth_mode import build_oauth_proxy, oauth_routes
    from confluence_mcp.remote.oauth_session import OAuthSessionVerifier

    if identities is None:
        raise ConfigError("CONFLUENCE_AUTH_MODE=oauth needs the per-user identity layer")
    if remote.auth_configured_besides_oauth:
        raise ConfigError(
            "CONFLUENCE_AUTH_MODE=oauth signs people in itself: unset MCP_API_KEYS_FILE, "
            "MCP_JWT_* and MCP_OAUTH_INTROSPECTION_URL (their callers have no Atlassian sign-in)"
        )
    proxy = build_oauth_proxy(remote, identities.store, base_url=base_url)
    identities.refresher = proxy.tokens.refresh
    identities.refused_message = sign_in_message(proxy.tokens.public_url)
    layer.routes.extend(oauth_routes(proxy, mcp_path))
    return [OAuthSessionVerifier(proxy)], (base_url,)


def _error_reporting() -> list[Middleware]:
    """Sentry's reporter right inside the access log, where the request id is bound."""
    from confluence_mcp.remote.error_tracking import HttpErrorReporter, error_tracking_enabled

    return [Middleware(HttpErrorReporter)] if error_tracking_enabled() else []


def _authorization_servers(remote: RemoteSettings, audit: AuditLogger) -> tuple[str, ...]:
    """``MCP_AUTH_SERVERS``, else the JWT issuers: RFC 9728 metadata must name at least one
    authorization server whenever tokens come from one (API keys need none)."""
    if remote.mcp_auth_servers:
        return remote.mcp_auth_servers
    if not (remote.jwt_configured or remote.mcp_oauth_introspection_url):
        return ()
    issuers = tuple(issuer for issuer in remote.mcp_jwt_issuer if "://" in issuer)
    if not issuers:
        audit.config_warning(
            "MCP_AUTH_SERVERS is not set: clients cannot discover where to obtain tokens",
            setting="MCP_AUTH_SERVERS",
        )
    return issuers


def _session_limiter(remote: RemoteSettings, settings: Settings, mcp_path: str) -> SessionLimiter:
    from confluence_mcp.http.app import LEGACY_SSE_PATH
    from confluence_mcp.http.sessions import UNUSED_SESSION_TIMEOUT

    stateful = settings.transport != "sse" and not settings.stateless_http
    legacy = settings.transport == "sse" or settings.legacy_sse
    return SessionLimiter(
        max_sessions=remote.mcp_max_sessions,
        per_client=remote.mcp_max_sessions_per_principal,
        idle_timeout=remote.mcp_session_idle_timeout,
        unused_timeout=min(UNUSED_SESSION_TIMEOUT, remote.mcp_session_idle_timeout),
        streamable_paths=frozenset({mcp_path}) if stateful else frozenset(),
        sse_paths=frozenset({LEGACY_SSE_PATH}) if legacy else frozenset(),
    )


def _needs_storage(remote: RemoteSettings) -> bool:
    """Whether a rate-limit storage is built: not for the default in-memory one with both
    limits off (``limits`` then never loads); a configured Redis is always built (and
    checked), as before."""
    on = remote.mcp_rate_limit != "off" or remote.mcp_ip_rate_limit != "off"
    return on or not remote.mcp_rate_limit_storage.strip().lower().startswith("memory://")


def _limiter(rate: str, storage: Storage | None) -> RateLimiter | None:
    if rate == "off":
        return None
    from confluence_mcp.http.ratelimit import RateLimiter

    return RateLimiter(rate, storage)


def _base_url(public_url: str | None, mcp_path: str) -> str | None:
    """``MCP_PUBLIC_URL`` without the MCP path: users often give the endpoint URL itself."""
    if public_url is None:
        return None
    suffix = mcp_path.rstrip("/")
    if suffix and public_url.endswith(suffix):
        return public_url[: -len(suffix)]
    return public_url


def _local_base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _verifier_closers(verifiers: Sequence[object]) -> list[Closer]:
    closers: list[Closer] = []
    for verifier in verifiers:
        aclose = getattr(verifier, "aclose", None)
        if callable(aclose):
            closers.append(aclose)
    return closers


class LifecycleMiddleware:
    """Runs ``on_shutdown`` when the ASGI server shuts the app down (lifespan protocol)."""

    def __init__(self, app: ASGIApp, *, on_shutdown: Closer) -> None:
        self.app = app
        self.on_shutdown = on_shutdown

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        on_shutdown = self.on_shutdown

        async def send_after_cleanup(message: Message) -> None:
            if message["type"] in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                await on_shutdown()
            await send(message)

        await self.app(scope, receive, send_after_cleanup)
