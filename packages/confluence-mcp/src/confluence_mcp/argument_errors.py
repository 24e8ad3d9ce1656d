"""FastMCP middleware of the server itself (the remote-service layer adds its own).

:class:`ArgumentErrorMiddleware` turns FastMCP's argument-validation errors (pydantic's
multi-line dump with type codes and documentation links) into one line per bad argument:
``Invalid argument 'page_id': must be a numeric id, e.g. 123456``. A missing required
argument is explained by its description, so the model learns where to get it:
``Invalid argument 'version': required — version read with get_page``. Prompt arguments
(strings converted by FastMCP) get the same treatment: FastMCP's "Could not convert argument
'page' with value '<the whole value>' to expected type typing.Annotated[...]" becomes
``Invalid argument 'page': String should have at most 255 characters`` — never the value,
which may be megabytes long.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, get_type_hints

import mcp_types as mt
from fastmcp.exceptions import PromptError, ToolError, ValidationError
from fastmcp.prompts import PromptResult
from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext
from fastmcp.tools import ToolResult
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

__all__ = ["ArgumentErrorMiddleware", "describe_argument_errors"]

_MAX_SHOWN = 5
# FastMCP's message for a prompt argument it could not convert names the argument first.
_PROMPT_ARGUMENT = re.compile(r"Could not convert argument '([^']{1,100})'")


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

    async def on_get_prompt(
        self,
        context: MiddlewareContext[mt.GetPromptRequestParams],
        call_next: CallNext[mt.GetPromptRequestParams, PromptResult],
    ) -> PromptResult:
        try:
            return await call_next(context)
        except PromptError as exc:
            cause: Any = exc.__cause__
            named = _PROMPT_ARGUMENT.match(str(exc))
            if named is None or not isinstance(cause, PydanticValidationError):
                raise
            details = cause.errors(include_url=False, include_input=False)
            reason = str(details[0]["msg"]) if details else "invalid value"
            if details and details[0]["type"] == "json_invalid":
                # FastMCP checks the string as is, then retries it as JSON and reports only
                # the JSON failure: check it as is again to say what is actually wrong.
                reason = await _prompt_reason(context, named.group(1)) or "invalid value"
            raise PromptError(f"Invalid argument {named.group(1)!r}: {reason}") from None


async def _prompt_reason(
    context: MiddlewareContext[mt.GetPromptRequestParams], name: str
) -> str | None:
    """Why the prompt's parameter ``name`` refuses the given string, from its annotation."""
    server = context.fastmcp_context.fastmcp if context.fastmcp_context else None
    prompt = await server.get_prompt(context.message.name) if server is not None else None
    function = getattr(prompt, "fn", None)
    value = (context.message.arguments or {}).get(name)
    if function is None or value is None:
        return None
    try:
        annotation = get_type_hints(function, include_extras=True).get(name)
    except (NameError, TypeError):
        return None
    if annotation is None:
        return None
    try:
        TypeAdapter(annotation).validate_python(value)
    except PydanticValidationError as exc:
        return str(exc.errors(include_url=False, include_input=False)[0]["msg"])
    return None


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
