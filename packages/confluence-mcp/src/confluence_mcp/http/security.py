"""Request hygiene in front of everything: tokens in URLs, Host/Origin, security headers.

- A credential in the query string (:func:`mcp_auth.query_carries_credential`: a parameter
  named like one, or any value shaped like a JWT or an mcp-auth API key) is refused with 400
  before anything logs the URL: MCP requires tokens in the ``Authorization`` header only.
- Host validation (DNS-rebinding protection): when the allowed host names are known
  (``MCP_PUBLIC_URL``, ``MCP_ALLOWED_HOSTS``, or a loopback bind) any other ``Host`` gets 421.
  Loopback names (``localhost``, ``127.0.0.1``, ``[::1]``, any port) always pass: a rebinding
  page cannot send them, and a server with a public URL must still answer on its own host.
- Origin validation: a browser request from an origin that is not this server, a loopback
  page of a loopback-bound server, or listed in ``MCP_ALLOWED_ORIGINS`` /
  ``MCP_CORS_ORIGINS`` gets 403. Requests without ``Origin`` (non-browser clients) pass.
- Every response carries ``nosniff``, ``Cache-Control: no-store``, ``Referrer-Policy``,
  a deny-all CSP and, behind an https public URL, HSTS.

Refusals are written to the audit log as ``auth.failure`` with a safe detail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confluence_mcp.http.responses import send_json
from mcp_auth import AuditLogger, RefusalReason, is_loopback_host, query_carries_credential

__all__ = [
    "OriginPolicy",
    "SecurityMiddleware",
    "normalize_origin",
]

_LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(origin: str) -> str:
    """``scheme://host:port`` in lower case with the default port made explicit."""
    text = origin.strip().rstrip("/").lower()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    if not parts.scheme or not parts.hostname:
        return text
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    port = port or _DEFAULT_PORTS.get(parts.scheme)
    return f"{parts.scheme}://{host}:{port}" if port else f"{parts.scheme}://{host}"


@dataclass(frozen=True)
class OriginPolicy:
    """Which ``Host`` and ``Origin`` values are accepted."""

    allowed_hosts: tuple[str, ...] = ()
    allowed_origins: tuple[str, ...] = ()
    loopback_bound: bool = False

    @classmethod
    def build(
        cls,
        *,
        bind_host: str,
        public_url: str | None,
        allowed_hosts: Iterable[str] = (),
        allowed_origins: Iterable[str] = (),
    ) -> OriginPolicy:
        """The policy for a server bound on ``bind_host`` and reached at ``public_url``."""
        loopback = is_loopback_host(bind_host)
        hosts = [host.strip().lower() for host in allowed_hosts if host.strip()]
        origins = [normalize_origin(origin) for origin in allowed_origins if origin.strip()]
        if public_url:
            hosts.append((urlsplit(public_url).hostname or "").lower())
            origins.append(normalize_origin(public_url))
        if hosts or loopback:
            hosts.extend(_LOOPBACK_NAMES)
        return cls(tuple(dict.fromkeys(hosts)), tuple(dict.fromkeys(origins)), loopback)

    def host_allowed(self, host_header: str) -> bool:
        """True when host validation is off (no names known) or the Host matches."""
        if not self.allowed_hosts:
            return True
        host = _host_name(host_header)
        return any(_matches(host, pattern) for pattern in self.allowed_hosts)

    def origin_allowed(self, origin: str, *, scheme: str, host_header: str) -> bool:
        """True for same-origin requests, listed origins, and loopback pages of a loopback
        server."""
        normalized = normalize_origin(origin)
        if any(_matches(normalized, pattern) for pattern in self.allowed_origins):
            return True
        if normalized == normalize_origin(f"{scheme}://{host_header}"):
            return True
        origin_host = urlsplit(normalized).hostname or ""
        return self.loopback_bound and is_loopback_host(origin_host)


def _matches(value: str, pattern: str) -> bool:
    """Exact match, or a ``*`` wildcard pattern (brackets are literal: IPv6 hosts)."""
    if value == pattern:
        return True
    return "*" in pattern and fnmatchcase(value, pattern.replace("[", "[[]"))


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class SecurityMiddleware:
    """Pure ASGI middleware: query-token refusal, Host/Origin checks, security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        policy: OriginPolicy,
        audit: AuditLogger | None = None,
        hsts: bool = False,
        host_exempt_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.policy = policy
        self.audit = audit
        self.host_exempt_paths = host_exempt_paths
        headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
        ]
        if hsts:
            headers.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        self._headers = headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_headers(send)
        if query_carries_credential(scope.get("query_string") or b""):
            self._refused("access token in the query string")
            await send_json(
                send,
                400,
                {
                    "error": "invalid_request",
                    "error_description": "send credentials in the Authorization header, "
                    "never in the URL",
                },
            )
            return
        host = _header(scope, b"host") or ""
        if scope.get("path") not in self.host_exempt_paths and not self.policy.host_allowed(host):
            self._refused("Host header not allowed")
            await send_json(
                send,
                421,
                {"error": "misdirected_request", "error_description": "unknown Host"},
            )
            return
        origin = _header(scope, b"origin")
        if origin is not None and not self.policy.origin_allowed(
            origin, scheme=str(scope.get("scheme", "http")), host_header=host
        ):
            self._refused("Origin not allowed")
            await send_json(
                send,
                403,
                {
                    "error": "forbidden_origin",
                    "error_description": "this Origin is not allowed (MCP_ALLOWED_ORIGINS)",
                },
            )
            return
        await self.app(scope, receive, send)

    def _refused(self, detail: str) -> None:
        if self.audit is not None:
            self.audit.auth_failure(RefusalReason.MALFORMED, detail=detail)

    def _with_headers(self, send: Send) -> Send:
        extra = self._headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (key, value)
                    for key, value in message.get("headers", [])
                    if key.lower() != b"cache-control"
                ]
                headers.extend(extra)
                headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        return send_with_headers


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None
