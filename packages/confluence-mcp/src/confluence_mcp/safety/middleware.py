"""One safety pass over everything the server returns to the model.

:class:`SafetyMiddleware` wraps every tool call, resource read and prompt:

1. hidden content: every string goes through :func:`~.filter.clean_text` (bodies were already
   pruned of hidden elements before conversion, see :mod:`confluence_mcp.content`); raw
   ``format=storage`` bodies stay faithful and are labelled untrusted;
2. trust: user-written content (``content``/``body``/``excerpt`` fields, and what handlers
   noted on the scope) is labelled trusted or not; in lockdown, untrusted content is replaced
   by a note;
3. secrets: well-known secret shapes are redacted (unless ``REDACT_SECRETS=false``).

The counts go to the result's ``_meta["confluence-mcp/safety"]``. Error messages are cleaned
and redacted too. A result with nothing to change keeps its content blocks as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mcp_types as mt
from fastmcp.exceptions import PromptError, ResourceError, ToolError
from fastmcp.prompts import PromptResult
from fastmcp.resources import ResourceContent, ResourceResult
from fastmcp.server.dependencies import get_http_headers
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult
from fastmcp.tools.base import InputRequiredToolResult

from confluence_mcp.safety.filter import clean_text
from confluence_mcp.safety.scope import SafetyScope, open_scope
from confluence_mcp.safety.secrets import redact_secrets

if TYPE_CHECKING:
    from confluence_mcp.safety.trust import TrustPolicy

__all__ = ["LOCKDOWN_HEADER", "META_KEY", "WITHHELD", "SafetyMiddleware"]

META_KEY = "confluence-mcp/safety"
LOCKDOWN_HEADER = "x-mcp-lockdown"
WITHHELD = (
    "[withheld: written by an author outside the trusted set (lockdown mode); ask a space "
    "editor or an administrator if you need it]"
)
# Fields that carry user-written text (a diff quotes page bodies).
_BODY_FIELDS = ("content", "body", "excerpt", "diff")


@dataclass
class _Pass:
    """The state of one result's pass."""

    scope: SafetyScope
    lockdown: bool
    redact: bool
    raw_storage: bool
    secrets: int = 0
    cleaned: int = 0
    withheld: int = 0
    judged: int = 0
    untrusted: int = 0

    def meta(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "hidden_removed": self.scope.hidden_removed + self.cleaned,
            "secrets_redacted": self.secrets,
        }
        if self.judged or self.raw_storage:
            out["trusted"] = self.untrusted == 0 and not self.raw_storage
        if self.raw_storage:
            out["raw_storage"] = True
        if self.lockdown:
            out["lockdown"] = True
            out["withheld"] = self.withheld
        return out


class SafetyMiddleware(Middleware):
    """Hidden-content filter, trust labels/lockdown and secret redaction on every answer."""

    def __init__(self, trust: TrustPolicy, *, lockdown: bool, redact: bool) -> None:
        self._trust = trust
        self._lockdown = lockdown
        self._redact = redact

    def _start(self, scope: SafetyScope, raw_storage: bool = False) -> _Pass:
        return _Pass(scope, self._lockdown or _header_lockdown(), self._redact, raw_storage)

    # --- text ---------------------------------------------------------------------------------
    def _text(self, state: _Pass, text: str, *, hidden: bool = True) -> str:
        if hidden:
            text, removed = clean_text(text)
            state.cleaned += removed
        if state.redact:
            text, found = redact_secrets(text)
            state.secrets += found
        return text

    def _error(self, message: str) -> str:
        text, _ = clean_text(message)
        return redact_secrets(text)[0] if self._redact else text

    async def _judge(self, state: _Pass, content_id: str, author_id: str | None) -> bool:
        state.judged += 1
        # A comment is judged by its page's edit rights (see scope.note_container).
        content_id = state.scope.containers.get(content_id, content_id)
        trusted = await self._trust.is_trusted(content_id, author_id)
        if not trusted:
            state.untrusted += 1
        return trusted

    async def _value(self, state: _Pass, value: Any, *, raw: bool = False) -> Any:
        if isinstance(value, str):
            return self._text(state, value, hidden=not raw)
        if isinstance(value, list):
            return [await self._value(state, item, raw=raw) for item in value]
        if isinstance(value, dict):
            return await self._object(state, value)
        return value

    async def _object(
        self, state: _Pass, data: dict[str, Any], *, top: bool = False
    ) -> dict[str, Any]:
        bodies = [key for key in _BODY_FIELDS if isinstance(data.get(key), str)]
        withhold = False
        if bodies and "author_id" in data and isinstance(data.get("id"), str):
            trusted = await self._judge(state, data["id"], data.get("author_id"))
            withhold = state.lockdown and not trusted
        elif bodies and not (top and state.scope.authors):
            # No author to judge (search excerpts, unlabelled bodies): unknown is untrusted.
            state.judged += 1
            state.untrusted += 1
            withhold = state.lockdown
        out: dict[str, Any] = {}
        for key, item in data.items():
            if key in bodies and withhold:
                out[key] = WITHHELD
                state.withheld += 1
            else:
                raw = state.raw_storage and key in bodies
                out[key] = await self._value(state, item, raw=raw)
        return out

    async def _noted(self, state: _Pass) -> bool:
        """Judge what handlers noted; True when the answer must be withheld."""
        verdicts = [await self._judge(state, cid, aid) for cid, aid in state.scope.authors]
        return state.lockdown and not all(verdicts)

    # --- hooks --------------------------------------------------------------------------------
    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        arguments = context.message.arguments or {}
        raw = arguments.get("format") == "storage"
        with open_scope() as scope:
            try:
                result = await call_next(context)
            except ToolError as exc:
                raise type(exc)(self._error(str(exc))) from None
            if isinstance(result, InputRequiredToolResult):
                return result  # a request for user input (multi-round-trip), not content
            state = self._start(scope, raw)
            withhold_all = await self._noted(state)
            meta = {**(result.meta or {}), META_KEY: None}
            if result.structured_content is not None:
                data = await self._object(state, result.structured_content, top=True)
                if withhold_all:
                    data = _withhold_top(data, state)
                meta[META_KEY] = state.meta()
                if data == result.structured_content:
                    return ToolResult(result.content, result.structured_content, meta=meta)
                return ToolResult(structured_content=data, meta=meta)
            blocks = [await self._block(state, block, withhold_all) for block in result.content]
            meta[META_KEY] = state.meta()
            return ToolResult(blocks, meta=meta, is_error=result.is_error)

    async def _block(self, state: _Pass, block: Any, withhold: bool) -> Any:
        if isinstance(block, mt.TextContent):
            if withhold:
                state.withheld += 1
                return block.model_copy(update={"text": WITHHELD})
            text = self._text(state, block.text, hidden=not state.raw_storage)
            return block if text == block.text else block.model_copy(update={"text": text})
        return block

    async def on_read_resource(
        self,
        context: MiddlewareContext[mt.ReadResourceRequestParams],
        call_next: CallNext[mt.ReadResourceRequestParams, ResourceResult],
    ) -> ResourceResult:
        with open_scope() as scope:
            try:
                result = await call_next(context)
            except ResourceError as exc:
                raise ResourceError(self._error(str(exc))) from None
            state = self._start(scope)
            withhold = await self._noted(state)
            contents: list[ResourceContent] = []
            for item in result.contents:
                if isinstance(item.content, str):
                    if withhold:
                        state.withheld += 1
                        text = WITHHELD
                    else:
                        text = self._text(state, item.content)
                    item = ResourceContent(text, mime_type=item.mime_type, meta=item.meta)
                contents.append(item)
            return ResourceResult(contents, meta={**(result.meta or {}), META_KEY: state.meta()})

    async def on_get_prompt(
        self,
        context: MiddlewareContext[mt.GetPromptRequestParams],
        call_next: CallNext[mt.GetPromptRequestParams, PromptResult],
    ) -> PromptResult:
        with open_scope() as scope:
            try:
                result = await call_next(context)
            except PromptError as exc:
                raise PromptError(self._error(str(exc))) from None
            state = self._start(scope)
            withhold = await self._noted(state)
            messages = []
            for message in result.messages:
                content = message.content
                if isinstance(content, mt.TextContent):
                    text = WITHHELD if withhold else self._text(state, content.text)
                    content = content.model_copy(update={"text": text})
                elif isinstance(content, mt.EmbeddedResource) and isinstance(
                    content.resource, mt.TextResourceContents
                ):
                    body = content.resource.text
                    text = WITHHELD if withhold else self._text(state, body)
                    resource = content.resource.model_copy(update={"text": text})
                    content = content.model_copy(update={"resource": resource})
                if withhold:
                    state.withheld += 1
                messages.append(message.model_copy(update={"content": content}))
            return PromptResult(
                messages,
                description=result.description,
                meta={**(result.meta or {}), META_KEY: state.meta()},
            )


def _withhold_top(data: dict[str, Any], state: _Pass) -> dict[str, Any]:
    out = dict(data)
    for key in _BODY_FIELDS:
        if isinstance(out.get(key), str) and out[key] != WITHHELD:
            out[key] = WITHHELD
            state.withheld += 1
    return out


def _header_lockdown() -> bool:
    # The header can only turn lockdown on for one request, never off.
    value = get_http_headers().get(LOCKDOWN_HEADER, "")
    return value.strip().lower() in {"true", "1", "yes", "on"}
