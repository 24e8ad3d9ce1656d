"""Optional error tracking with Sentry (``SENTRY_DSN``; extra ``confluence-mcp[sentry]``).

:func:`configure_error_tracking` starts the Sentry SDK once per process; then unexpected
exceptions are reported with the request id and, for tools, the tool name:

- in tools (:class:`ToolErrorReporter`, a FastMCP middleware): bugs, not the refusals and
  Confluence answers that become tool errors on purpose;
- in the HTTP layer (:class:`HttpErrorReporter`, ASGI, inside the access log so the request
  id is bound) and in the readiness probe (:func:`report_unexpected`);
- in the SDK: exceptions raised from ``confluence_client`` that are not Confluence answers
  (a bug), and ``MalformedResponseError`` (Confluence said something the SDK cannot read),
  tagged ``origin=sdk``.

Expected outcomes (4xx/429/5xx from Confluence, timeouts, scope refusals, invalid arguments)
are metrics and audit events, not Sentry issues. Nothing personal or secret leaves:
:func:`scrub_event` (``before_send``) keeps only exception types, stack frames without
local variables, the request's method and path, and our tags. Exception messages can quote a
page body, a comment or a tool argument, so they are dropped too.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    import mcp.types as mt
    from fastmcp.tools.base import ToolResult

    from confluence_mcp.remote.settings import RemoteSettings

__all__ = [
    "HttpErrorReporter",
    "ToolErrorReporter",
    "close_error_tracking",
    "configure_error_tracking",
    "error_tracking_enabled",
    "report_unexpected",
    "scrub_event",
]

_LOG = logging.getLogger("confluence_mcp.remote")
_enabled: list[bool] = []
_REDACTED = "[redacted]"
# Event keys that may be sent as they are; everything else (user, extra, request bodies,
# module lists, ...) is dropped.
_KEPT = frozenset(
    {
        "event_id",
        "timestamp",
        "start_timestamp",
        "platform",
        "level",
        "logger",
        "type",
        "transaction",
        "transaction_info",
        "server_name",
        "release",
        "environment",
        "dist",
        "sdk",
        "tags",
        "contexts",
        "exception",
        "spans",
        "measurements",
        "request",
        "breadcrumbs",
        "fingerprint",
    }
)
_CONTEXTS_KEPT = frozenset({"runtime", "os", "trace"})
_TAGS_KEPT = frozenset({"tool", "request_id", "origin"})


def configure_error_tracking(remote: RemoteSettings) -> bool:
    """Start Sentry when ``SENTRY_DSN`` is set; True if it now reports errors."""
    if remote.sentry_dsn is None:
        return False
    try:
        import sentry_sdk
        from sentry_sdk.integrations.dedupe import DedupeIntegration
        from sentry_sdk.integrations.logging import LoggingIntegration
        from sentry_sdk.integrations.starlette import StarletteIntegration
    except ImportError:
        from confluence_mcp.errors import ConfigError

        raise ConfigError(
            "SENTRY_DSN needs the sentry extra: install confluence-mcp[sentry]"
        ) from None
    from confluence_mcp import __version__

    sentry_sdk.init(
        dsn=remote.sentry_dsn.get_secret_value(),
        environment=remote.sentry_environment,
        release=f"confluence-mcp@{__version__}",
        traces_sample_rate=remote.sentry_traces_sample_rate,
        # No user, no request bodies, no frame variables (scrub_event drops them again).
        data_collection={"user_info": False, "http_bodies": [], "stack_frame_variables": False},
        include_local_variables=False,
        # Events are plain dicts at run time; the SDK types them as a TypedDict.
        before_send=cast("Any", scrub_event),
        before_send_transaction=cast("Any", scrub_event),
        before_breadcrumb=_scrub_breadcrumb,
        # Only what we chose: no auto-enabled HTTP client or framework hooks that record
        # URLs with query strings (CQL, search text) or bodies.
        default_integrations=False,
        auto_enabling_integrations=False,
        integrations=[
            DedupeIntegration(),
            # Log records become breadcrumbs only; we report the exceptions ourselves, once.
            LoggingIntegration(level=logging.INFO, event_level=None),
            # Request transactions (SENTRY_TRACES_SAMPLE_RATE); 5xx answers are not issues.
            StarletteIntegration(transaction_style="url", failed_request_status_codes=set()),
        ],
    )
    _enabled[:] = [True]
    return True


def close_error_tracking(timeout: float = 2.0) -> None:
    """Send what is queued (up to ``timeout`` seconds) and stop reporting."""
    if not _enabled:
        return
    import sentry_sdk

    sentry_sdk.get_client().close(timeout=timeout)
    # Sentry's framework hooks patch Starlette for the whole process and stay; they do nothing
    # only once no client is set. A closed client left in place still had its Starlette hook
    # read every request body of every app in the process (and parse, then never close, a
    # multipart form: an unclosed spooled file per upload).
    sentry_sdk.get_global_scope().set_client(None)
    _enabled.clear()


def error_tracking_enabled() -> bool:
    """Whether :func:`configure_error_tracking` started Sentry in this process."""
    return bool(_enabled)


def report_unexpected(
    exc: BaseException, *, tool: str | None = None, request_id: str | None = None
) -> bool:
    """Send ``exc`` to Sentry when tracking is on and it is unexpected; True if sent."""
    root = _root_cause(exc)
    if not error_tracking_enabled() or not _is_unexpected(root):
        return False
    import sentry_sdk

    with sentry_sdk.new_scope() as scope:
        if tool is not None:
            scope.set_tag("tool", tool)
        request_id = request_id or _current_request_id()
        if request_id:
            scope.set_tag("request_id", request_id)
        scope.set_tag("origin", _origin(root))
        sentry_sdk.capture_exception(root)
    return True


class ToolErrorReporter(Middleware):
    """Reports unexpected exceptions under a tool call, with the tool name (re-raises)."""

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        """Pass the call on; report what escapes it."""
        try:
            return await call_next(context)
        except Exception as exc:
            report_unexpected(exc, tool=context.message.name)
            raise


class HttpErrorReporter:
    """Reports exceptions escaping the HTTP layer below it (the client gets a bare 500)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            report_unexpected(exc)
            raise


def scrub_event(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    """``before_send``: keep what locates a bug, drop anything a caller or page supplied."""
    cleaned = {key: value for key, value in event.items() if key in _KEPT}
    cleaned["tags"] = {
        key: value for key, value in dict(event.get("tags") or {}).items() if key in _TAGS_KEPT
    }
    request_id = _current_request_id()
    if request_id and "request_id" not in cleaned["tags"]:
        cleaned["tags"]["request_id"] = request_id
    cleaned["contexts"] = {
        key: value
        for key, value in dict(event.get("contexts") or {}).items()
        if key in _CONTEXTS_KEPT
    }
    request = event.get("request")
    if isinstance(request, dict):
        url = str(request.get("url") or "").split("?", 1)[0].split("#", 1)[0]
        cleaned["request"] = {"method": request.get("method"), "url": url}
    exception = event.get("exception")
    if isinstance(exception, dict):
        cleaned["exception"] = {
            "values": [_scrub_exception(v) for v in exception.get("values", [])]
        }
    breadcrumbs = event.get("breadcrumbs")
    if isinstance(breadcrumbs, dict):
        cleaned["breadcrumbs"] = {
            "values": [_scrub_breadcrumb(b, {}) for b in breadcrumbs.get("values", [])]
        }
    if "spans" in cleaned:
        cleaned["spans"] = [_scrub_span(span) for span in cleaned["spans"]]
    return cleaned


def _scrub_exception(value: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {k: value[k] for k in ("type", "module", "mechanism") if k in value}
    if "value" in value:
        kept["value"] = _REDACTED
    stacktrace = value.get("stacktrace")
    if isinstance(stacktrace, dict):
        kept["stacktrace"] = {
            "frames": [
                {key: frame[key] for key in _FRAME_KEYS if key in frame}
                for frame in stacktrace.get("frames", [])
            ]
        }
    return kept


# Where the code is, never what it held (no "vars"); source lines are our own code.
_FRAME_KEYS = (
    "filename",
    "abs_path",
    "function",
    "module",
    "lineno",
    "in_app",
    "context_line",
    "pre_context",
    "post_context",
)


def _scrub_breadcrumb(crumb: dict[str, Any], _hint: Any) -> dict[str, Any]:
    # Log messages and HTTP breadcrumbs can quote arguments or URLs: keep only their kind.
    return {key: crumb[key] for key in ("timestamp", "type", "category", "level") if key in crumb}


def _scrub_span(span: Any) -> Any:
    if not isinstance(span, dict):
        return span
    kept = {key: value for key, value in span.items() if key not in ("data", "tags")}
    if isinstance(kept.get("description"), str):
        kept["description"] = kept["description"].split("?", 1)[0]
    return kept


def _root_cause(exc: BaseException) -> BaseException:
    """The exception under FastMCP's wrappers: FastMCP raises ``ToolError`` from a tool's
    exception, and our SDK-error mapping raises ``from None`` (kept in ``__context__``)."""
    from fastmcp.exceptions import FastMCPError

    seen = {id(exc)}
    while isinstance(exc, FastMCPError):
        inner = exc.__cause__ or exc.__context__
        if inner is None or id(inner) in seen:
            return exc
        seen.add(id(inner))
        exc = inner
    return exc


def _is_unexpected(exc: BaseException) -> bool:
    from fastmcp.exceptions import FastMCPError
    from mcp.shared.exceptions import MCPError
    from pydantic import ValidationError

    from confluence_mcp.errors import is_confluence_error

    if is_confluence_error(exc):
        # Confluence answers (4xx, 429, 5xx, timeouts) are expected; an answer the SDK
        # cannot read is a bug on one side or the other.
        from confluence_client import MalformedResponseError

        return isinstance(exc, MalformedResponseError)
    # A probe or call that ran out of time is an outage, not a bug (metrics see it).
    return not isinstance(exc, FastMCPError | MCPError | ValidationError | TimeoutError)


def _origin(exc: BaseException) -> str:
    """``sdk`` when the innermost frame is in the Confluence SDK, else ``server``."""
    if type(exc).__module__.startswith("confluence_client"):
        return "sdk"
    traceback = exc.__traceback__
    module = None
    while traceback is not None:
        module = traceback.tb_frame.f_globals.get("__name__")
        traceback = traceback.tb_next
    return "sdk" if isinstance(module, str) and module.startswith("confluence_client") else "server"


def _current_request_id() -> str | None:
    from mcp_auth import current_request_context

    context = current_request_context()
    return context.request_id if context is not None else None
