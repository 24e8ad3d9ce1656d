"""Structured audit log: one JSON line per security decision.

Events (`AuditEventName`): `auth.success`, `auth.failure` (with a reason code),
`authz.denied`, `tool.call` (tool, outcome, duration, argument names and sizes),
`rate_limit.exceeded` and `config.warning`. Each carries a UTC timestamp, the request id,
remote address and user agent of the bound `RequestContext`, the principal's subject, client
id and auth method when known, the upstream identity (`upstream_mode`: how the server acts
upstream, e.g. as one service account or per user; `upstream_account`: the account it acts as,
bound per request with `bind_upstream_account` or fixed for the logger), and the active
OpenTelemetry trace/span ids.

Never logged: tokens, secrets, tool argument values. Free-text fields are scrubbed of
anything shaped like a bearer token, a JWT or an mcp-auth API key as a second line of
defence.

`emit` never blocks the event loop: events go through a bounded queue to a daemon thread that
writes them to the sinks. When the queue is full the event is dropped and counted
(`dropped_events`) rather than stalling requests.
"""

from __future__ import annotations

import atexit
import json
import logging
import queue
import re
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_serializer,
    field_validator,
    model_validator,
)

from mcp_auth._audit_sinks import AuditSink
from mcp_auth._compat import StrEnum
from mcp_auth._context import (
    current_request_context,
    current_trace_ids,
    current_upstream_account,
)
from mcp_auth._errors import AuthConfigurationError, RefusalReason
from mcp_auth._key_format import KEY_IN_TEXT
from mcp_auth._principal import AuthMethod, Principal

__all__ = ["AuditEventName", "AuditEvent", "AuditLogger", "scrub_secrets"]

_log = logging.getLogger("mcp_auth")


class AuditEventName(StrEnum):
    """The security decisions the audit log records."""

    AUTH_SUCCESS = "auth.success"
    AUTH_FAILURE = "auth.failure"
    AUTHZ_DENIED = "authz.denied"
    TOOL_CALL = "tool.call"
    RATE_LIMIT_EXCEEDED = "rate_limit.exceeded"
    CONFIG_WARNING = "config.warning"


_SECRET_PATTERNS = (
    # Authorization header values, whatever the scheme's token looks like.
    re.compile(r"(?i)\b(bearer|basic)\s+[^\s,;\"']+"),
    # JWS compact serialisation: base64url header starting with '{"' then two more segments.
    re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"),
    # mcp-auth API keys, exactly as the issuer makes them.
    KEY_IN_TEXT,
)


def scrub_secrets(text: str) -> str:
    """Replace anything shaped like a credential in `text` with `[redacted]`."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


class AuditEvent(BaseModel):
    """One audit record; fields that do not apply to an event are left out of the JSON line."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event: AuditEventName
    timestamp: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    # request context
    request_id: str | None = None
    remote_addr: str | None = None
    user_agent: str | None = None
    trace_id: str | None = None
    span_id: str | None = None
    # who
    subject: str | None = None
    client_id: str | None = None
    auth_method: AuthMethod | None = None
    issuer: str | None = None
    credential_id: str | None = None
    # on whose behalf the server acts upstream (the MCP principal above is who called)
    upstream_mode: str | None = None
    upstream_account: str | None = None
    # what was decided
    reason: RefusalReason | None = None
    detail: str | None = None
    operation: str | None = None
    required_scopes: tuple[str, ...] | None = None
    missing_scopes: tuple[str, ...] | None = None
    # tool.call
    outcome: str | None = None
    duration_ms: float | None = None
    arguments: dict[str, int] | None = None
    error_type: str | None = None
    # rate_limit.exceeded / config.warning
    limit: str | None = None
    retry_after: float | None = None
    setting: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _encodable(cls, data: Any) -> Any:
        # Text from requests may hold lone surrogates (a JSON "\\ud800" escape): they cannot
        # be written as UTF-8, and the event would be lost when the sink serialises it.
        if not isinstance(data, dict):
            return data
        return {key: _without_surrogates(value) for key, value in data.items()}

    @field_validator("detail", "user_agent", "operation", "limit", "setting", "upstream_account")
    @classmethod
    def _scrub(cls, value: str | None) -> str | None:
        return None if value is None else scrub_secrets(value)

    @field_serializer("timestamp")
    def _utc_millis(self, value: datetime) -> str:
        return (
            value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )

    def to_json(self) -> str:
        """The event as one compact JSON line (no trailing newline)."""
        return self.model_dump_json(exclude_none=True)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value: Any) -> Any:
    """``value`` with lone surrogates in its text (and container text) replaced by U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, tuple | list):
        return type(value)(_without_surrogates(item) for item in value)
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    return value


def _argument_sizes(arguments: Mapping[str, Any]) -> dict[str, int]:
    # Sizes, never values: the size of each argument's JSON encoding in bytes. Never raises:
    # a lone surrogate (valid JSON escape, invalid UTF-8) is counted as its escape.
    sizes: dict[str, int] = {}
    for name, value in arguments.items():
        try:
            encoded = json.dumps(value, default=str, ensure_ascii=False)
        except (TypeError, ValueError):
            encoded = ""
        sizes[str(name)] = len(encoded.encode("utf-8", "surrogatepass"))
    return sizes


_STOP = object()


def _close_at_exit(ref: weakref.ref[AuditLogger]) -> None:
    # A weak reference: registering the logger itself would keep every logger alive.
    logger = ref()
    if logger is not None:
        logger.close()


class AuditLogger:
    """Writes audit events to sinks from a background thread.

    `AuditLogger([])` is a valid no-op logger. Call `close()` (or use it as a context manager)
    to flush and stop the thread; `flush()` waits until every queued event is written.
    `background=False` writes synchronously in the caller (only for sinks that never block).
    """

    def __init__(
        self,
        sinks: Iterable[AuditSink] = (),
        *,
        queue_size: int = 10_000,
        background: bool = True,
        upstream_mode: str | None = None,
        upstream_account: str | None = None,
    ) -> None:
        if queue_size < 1:
            raise AuthConfigurationError("audit queue_size must be at least 1")
        self.sinks: tuple[AuditSink, ...] = tuple(sinks)
        # Put on every event: how the server acts upstream, and the account when it is one
        # for all callers (a service account); a request-bound account wins over it.
        self.upstream_mode = upstream_mode
        self.upstream_account = upstream_account
        self._background = background and bool(self.sinks)
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        self._lock = threading.Lock()
        self._closed = False
        self.dropped_events = 0
        self.sink_errors = 0
        self._thread: threading.Thread | None = None
        if self._background:
            self._thread = threading.Thread(target=self._drain, name="mcp-auth-audit", daemon=True)
            self._thread.start()
            # Flush what is queued when the interpreter exits without an explicit close().
            atexit.register(_close_at_exit, weakref.ref(self))

    # -- plumbing ---------------------------------------------------------------------------

    def emit(self, event: AuditEvent) -> None:
        """Queue `event`, filling request context and trace ids left empty. Never blocks."""
        if not self.sinks or self._closed:
            return
        event = self._with_context(event)
        if not self._background:
            self._write(event)
            return
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            with self._lock:
                self.dropped_events += 1

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until queued events are written; False if `timeout` seconds passed first."""
        if self._thread is None:
            return True
        done = threading.Event()

        def _wait() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=_wait, name="mcp-auth-audit-flush", daemon=True).start()
        return done.wait(timeout)

    def close(self) -> None:
        """Write queued events, stop the thread and close the sinks. Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
        for sink in self.sinks:
            try:
                sink.close()
            except Exception:  # a broken sink must not stop the others from closing
                _log.exception("audit sink %r failed to close", sink)

    def __enter__(self) -> AuditLogger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _drain(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is _STOP:
                    return
                if isinstance(item, AuditEvent):
                    self._write(item)
            finally:
                self._queue.task_done()

    def _write(self, event: AuditEvent) -> None:
        line = event.to_json()
        for sink in self.sinks:
            try:
                sink.write(line, event)
            except Exception:  # keep auditing to the other sinks; count the loss
                with self._lock:
                    self.sink_errors += 1
                _log.exception("audit sink %r failed to write an event", sink)

    def _with_context(self, event: AuditEvent) -> AuditEvent:
        updates: dict[str, Any] = {}
        if event.upstream_mode is None and self.upstream_mode is not None:
            updates["upstream_mode"] = self.upstream_mode
        if event.upstream_account is None:
            account = current_upstream_account() or self.upstream_account
            if account is not None:
                updates["upstream_account"] = scrub_secrets(account)
        context = current_request_context()
        if context is not None:
            for name in ("request_id", "remote_addr", "user_agent"):
                if getattr(event, name) is None and getattr(context, name) is not None:
                    updates[name] = getattr(context, name)
        if event.trace_id is None:
            trace_id, span_id = current_trace_ids()
            if trace_id is not None:
                updates["trace_id"] = trace_id
                updates["span_id"] = span_id
        if not updates:
            return event
        # The user agent is client-controlled text: scrub it like the validated fields.
        if "user_agent" in updates:
            updates["user_agent"] = scrub_secrets(updates["user_agent"])
        return event.model_copy(update=updates)

    # -- one helper per event ---------------------------------------------------------------

    @staticmethod
    def _who(principal: Principal | None) -> dict[str, Any]:
        if principal is None:
            return {}
        return {
            "subject": principal.subject,
            "client_id": principal.client_id,
            "auth_method": principal.auth_method,
            "issuer": principal.issuer,
        }

    def auth_success(self, principal: Principal, *, credential_id: str | None = None) -> None:
        """Record that a credential was accepted for `principal`."""
        self.emit(
            AuditEvent(
                event=AuditEventName.AUTH_SUCCESS,
                credential_id=credential_id,
                **self._who(principal),
            )
        )

    def auth_failure(
        self,
        reason: RefusalReason,
        *,
        auth_method: AuthMethod | None = None,
        detail: str | None = None,
        credential_id: str | None = None,
    ) -> None:
        """Record that a credential was refused, and why (never the credential itself)."""
        self.emit(
            AuditEvent(
                event=AuditEventName.AUTH_FAILURE,
                reason=reason,
                auth_method=auth_method,
                detail=detail,
                credential_id=credential_id,
            )
        )

    def authz_denied(
        self,
        principal: Principal | None,
        operation: str,
        missing_scopes: Iterable[str],
        *,
        required_scopes: Iterable[str] | None = None,
    ) -> None:
        """Record that `principal` lacked scopes for `operation`."""
        self.emit(
            AuditEvent(
                event=AuditEventName.AUTHZ_DENIED,
                reason=RefusalReason.INSUFFICIENT_SCOPE,
                operation=operation,
                missing_scopes=tuple(sorted(set(missing_scopes))),
                required_scopes=None
                if required_scopes is None
                else tuple(sorted(set(required_scopes))),
                **self._who(principal),
            )
        )

    def tool_call(
        self,
        principal: Principal | None,
        tool: str,
        *,
        outcome: str,
        duration_ms: float,
        arguments: Mapping[str, Any] | None = None,
        error_type: str | None = None,
    ) -> None:
        """Record a tool call: `outcome` such as "success", "error" or "denied", the duration,
        and the names and JSON sizes of the arguments (their values are never logged)."""
        if not self.sinks or self._closed:
            return  # once per call: no event (and no argument sizes) built for nowhere
        self.emit(
            AuditEvent(
                event=AuditEventName.TOOL_CALL,
                operation=tool,
                outcome=outcome,
                duration_ms=round(duration_ms, 3),
                arguments=None if arguments is None else _argument_sizes(arguments),
                error_type=error_type,
                **self._who(principal),
            )
        )

    def rate_limit_exceeded(
        self,
        principal: Principal | None,
        *,
        limit: str,
        operation: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Record a request refused by a rate limit (`limit` such as "60/minute")."""
        self.emit(
            AuditEvent(
                event=AuditEventName.RATE_LIMIT_EXCEEDED,
                limit=limit,
                operation=operation,
                retry_after=retry_after,
                **self._who(principal),
            )
        )

    def config_warning(self, detail: str, *, setting: str | None = None) -> None:
        """Record a risky but allowed configuration (for example JWKS over loopback http)."""
        self.emit(AuditEvent(event=AuditEventName.CONFIG_WARNING, detail=detail, setting=setting))

    def __repr__(self) -> str:
        sinks: Sequence[AuditSink] = self.sinks
        return f"AuditLogger(sinks={list(sinks)!r}, background={self._background})"
