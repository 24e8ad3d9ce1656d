"""FastMCP middleware of the server itself (the remote-service layer adds its own).

:class:`ArgumentErrorMiddleware` turns FastMCP's argument-validation errors (pydantic's
multi-line dump with type codes and documentation links) into one line per bad argument:
``Invalid argument 'page_id': must be a numeric page id, e.g. 123456``. A missing required
argument is explained by its description, so the model learns where to get it:
``Invalid argument 'version': required — version read with get_page``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mcp_types as mt
from fastmcp.exceptions import ToolError, ValidationError
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult
from pydantic import ValidationError as PydanticValidationError

__all__ = ["ArgumentErrorMiddleware", "describe_argument_errors"]

_MAX_SHOWN = 5


def describe_argument_errors(
    error: PydanticValidationError, descriptions: Mapping[str, str] | None = None
) -> str:
    """One short line per invalid argument (never the argument's value).

    ``descriptions`` (argument name → its schema description) explain missing arguments.
    """
    lines: list[str] = []
    for detail in error.errors(include_url=False, include_input=False)[:_MAX_SHOWN]:
        location = [str(part) for part in detail["loc"] if not isinstance(part, int)]
        name = location[0] if location else "arguments"
        message = str(detail["msg"]).removeprefix("Value error, ")
        if detail["type"] == "unexpected_keyword_argument":
            message = "unexpected (not a parameter of this tool)"
        elif detail["type"] == "missing_argument":
            described = (descriptions or {}).get(name, "")
            message = (
                f"required — {described[:1].lower()}{described[1:]}" if described else "required"
            )
        lines.append(f"Invalid argument {name!r}: {message}")
    return "\n".join(lines) or "Invalid arguments."


class ArgumentErrorMiddleware(Middleware):
    """Rewrites tool argument-validation failures as short, field-naming messages."""

    async def on_call_tool(
        self,
        context: MiddlewareContext[mt.CallToolRequestParams],
        call_next: CallNext[mt.CallToolRequestParams, ToolResult],
    ) -> ToolResult:
        try:
            return await call_next(context)
        except ValidationError as exc:
            cause: Any = exc.__cause__
            if not isinstance(cause, PydanticValidationError):
                raise
            descriptions = await _descriptions(context)
            raise ToolError(
                describe_argument_errors(cause, descriptions), log_level=exc.log_level
            ) from None


async def _descriptions(context: MiddlewareContext[mt.CallToolRequestParams]) -> dict[str, str]:
    """The called tool's argument descriptions, from its input schema."""
    server = context.fastmcp_context.fastmcp if context.fastmcp_context else None
    tool = await server.get_tool(context.message.name) if server is not None else None
    properties = tool.parameters.get("properties", {}) if tool is not None else {}
    return {
        name: str(schema["description"])
        for name, schema in properties.items()
        if isinstance(schema, dict) and schema.get("description")
    }
