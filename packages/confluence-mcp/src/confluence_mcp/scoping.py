"""Requests scoped to one space (``/mcp/spaces/{KEY}``, see :mod:`confluence_mcp.http.spaces`).

On such a request:

- the space guard allows that space only (intersected with ``CONFLUENCE_SPACES_FILTER``), so
  ids from any other space read as "not found";
- ``space_key`` disappears from tool and prompt schemas, and is filled in server-side where
  the call needs it (required, or naming a page by title rather than by id);
- a ``space_key`` sent anyway must name the scoped space.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mcp_types as mt
from fastmcp.exceptions import PromptError, ToolError
from fastmcp.prompts import Prompt, PromptResult
from fastmcp.server.dependencies import get_http_request
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import Tool, ToolResult

from confluence_mcp.http.spaces import SPACE_STATE_KEY

__all__ = ["SpaceScopeMiddleware", "scoped_space"]

_PARAM = "space_key"


def scoped_space() -> str | None:
    """The space this request is scoped to (upper-cased), or ``None``."""
    try:
        request = get_http_request()
    except RuntimeError:
        return None
    value = getattr(request.state, SPACE_STATE_KEY, None)
    return value if isinstance(value, str) else None


def _without_space(schema: dict[str, Any]) -> dict[str, Any]:
    properties = {k: v for k, v in schema.get("properties", {}).items() if k != _PARAM}
    out = {**schema, "properties": properties}
    if "required" in schema:
        out["required"] = [name for name in schema["required"] if name != _PARAM]
    return out


def _needs_space(arguments: dict[str, Any], required: bool) -> bool:
    # An optional space_key only matters when the call does not name things by id or url
    # (get_page by title, get_page_tree of a space, search).
    if required:
        return True
    return not any(
        value is not None and (name.endswith("_id") or name == "url" or name == "page")
        for name, value in arguments.items()
    )


def _scoped_arguments(
    arguments: dict[str, Any], space: str, has_param: bool, required: bool
) -> dict[str, Any] | None:
    """Arguments with the scoped space filled in; ``None`` when given for another space."""
    given = arguments.get(_PARAM)
    if given is not None:
        return arguments if str(given).upper() == space else None
    if has_param and _needs_space(arguments, required):
        return {**arguments, _PARAM: space}
    return arguments


class SpaceScopeMiddleware(Middleware):
    """Hides and fills ``space_key`` on space-scoped requests."""

    async def on_list_tools(
        self,
        context: MiddlewareContext[mt.ListToolsRequest],
        call_next: CallNext[mt.ListToolsRequest, Sequence[Tool]],
    ) -> Sequence[Tool]:
        tools = await call_next(context)
        if scoped_space() is None:
            return tools
        return [
            tool.model_copy(update={"parameters": _without_space(tool.parameters)})
            if _PARAM in tool.parameters.get("properties", {})
            else tool
            for tool in tools
        ]

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        space = scoped_space()
        if space is None or context.fastmcp_context is None:
            return await call_next(context)
        tool = await context.fastmcp_context.fastmcp.get_tool(context.message.name)
        properties = tool.parameters.get("properties", {}) if tool is not None else {}
        required = _PARAM in (tool.parameters.get("required", []) if tool is not None else [])
        arguments = _scoped_arguments(
            dict(context.message.arguments or {}), space, _PARAM in properties, required
        )
        if arguments is None:
            raise ToolError(f"This endpoint serves the space {space} only.")
        message = context.message.model_copy(update={"arguments": arguments})
        return await call_next(context.copy(message=message))

    async def on_list_prompts(
        self,
        context: MiddlewareContext[mt.ListPromptsRequest],
        call_next: CallNext[mt.ListPromptsRequest, Sequence[Prompt]],
    ) -> Sequence[Prompt]:
        prompts = await call_next(context)
        if scoped_space() is None:
            return prompts
        return [
            prompt.model_copy(
                update={"arguments": [a for a in prompt.arguments or [] if a.name != _PARAM]}
            )
            for prompt in prompts
        ]

    async def on_get_prompt(
        self,
        context: MiddlewareContext[mt.GetPromptRequestParams],
        call_next: CallNext[mt.GetPromptRequestParams, PromptResult],
    ) -> PromptResult:
        space = scoped_space()
        if space is None or context.fastmcp_context is None:
            return await call_next(context)
        prompt = await context.fastmcp_context.fastmcp.get_prompt(context.message.name)
        names = {a.name: a.required for a in (prompt.arguments or [])} if prompt else {}
        arguments = _scoped_arguments(
            dict(context.message.arguments or {}), space, _PARAM in names, bool(names.get(_PARAM))
        )
        if arguments is None:
            raise PromptError(f"This endpoint serves the space {space} only.")
        message = context.message.model_copy(update={"arguments": arguments})
        return await call_next(context.copy(message=message))
