"""How tools are declared: tags, MCP annotations and SDK error mapping in one decorator.

Every tool module exposes ``register(mcp, services)`` and declares each tool with
:func:`confluence_tool`, which

- wraps the function with :func:`~confluence_mcp.errors.map_confluence_errors` (SDK errors
  become actionable :class:`ToolError` messages),
- tags it with exactly one access tag (``read`` | ``write`` | ``delete``) plus optional area
  tags (``attachments``, ``admin``): read-only mode, ``TOOLSETS`` and the scope policy of the
  remote service all key on these tags,
- sets the MCP annotations (``readOnlyHint``, ``destructiveHint``, ``idempotentHint``) from the
  access kind, and
- records the tool in the server's catalog so ``ENABLED_TOOLS`` can be validated.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Literal, TypeVar, get_type_hints
from weakref import WeakKeyDictionary

from fastmcp.tools import FunctionTool
from mcp_types import Tool as MCPTool
from mcp_types import ToolAnnotations

from confluence_mcp.errors import map_confluence_errors
from confluence_mcp.models import ResultModel
from confluence_mcp.schemas import compact_input_schema, inline_local_refs, output_schema_for

if TYPE_CHECKING:
    from fastmcp import FastMCP

__all__ = [
    "ACCESS_TAGS",
    "AREA_TAGS",
    "Access",
    "ConfluenceTool",
    "confluence_tool",
    "tool_catalog",
]

Access = Literal["read", "write", "delete"]
ACCESS_TAGS: frozenset[str] = frozenset({"read", "write", "delete"})
AREA_TAGS: frozenset[str] = frozenset({"attachments", "admin"})

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

_CATALOGS: WeakKeyDictionary[FastMCP[Any], dict[str, frozenset[str]]] = WeakKeyDictionary()


class ConfluenceTool(FunctionTool):
    """A function tool whose ``tools/list`` entry leaves out FastMCP's ``_meta`` block.

    That block only repeats the tags (~40 bytes a tool) for FastMCP clients; the server keeps
    using the tags for visibility and scopes. ``tools/list`` bytes are a budget.
    """

    def to_mcp_tool(self, **overrides: Any) -> MCPTool:
        overrides.setdefault("_meta", None)
        return super().to_mcp_tool(**overrides)


def _annotations(access: Access, idempotent: bool | None) -> ToolAnnotations | None:
    # Only hints that differ from the MCP defaults are sent (readOnlyHint=false,
    # destructiveHint=true, idempotentHint=false, openWorldHint=true): bytes are a budget.
    # A plain destructive tool matches every default, so it sends no annotations at all.
    if access == "read":
        return ToolAnnotations(read_only_hint=True)
    if access == "delete" and not idempotent:
        return None
    return ToolAnnotations(
        destructive_hint=False if access == "write" else None,
        idempotent_hint=True if idempotent else None,
    )


def confluence_tool(
    mcp: FastMCP[Any],
    *,
    access: Access,
    areas: frozenset[str] = frozenset(),
    idempotent: bool | None = None,
    name: str | None = None,
    output_schema: dict[str, Any] | Any | None = ...,
) -> Callable[[F], F]:
    """Register an async function as a tool on ``mcp``; returns the function unchanged.

    ``access`` decides the annotations and the access tag; ``idempotent`` matters only for
    writes (reads are idempotent by nature). The docstring's first paragraph is the tool's
    description: keep it to one or two sentences, ``tools/list`` size is a budget (an
    ``Args:`` section is not read: parameters are described by their types and fields).
    ``output_schema`` is passed to FastMCP when given (``None`` turns it off).
    """
    unknown = areas - AREA_TAGS
    if unknown:
        raise ValueError(f"unknown tool area tags: {sorted(unknown)}")

    def decorator(fn: F) -> F:
        tool_name = name or fn.__name__
        tags = {access, *areas}
        schema = _output_schema(fn) if output_schema is ... else output_schema
        handler = map_confluence_errors(fn)
        # The description is given: without a docstring to read, FastMCP does not run its
        # docstring parser (griffe, three dialects per tool) at start-up for nothing.
        handler.__doc__ = None
        tool = ConfluenceTool.from_function(
            handler,
            name=tool_name,
            description=_description(fn),
            tags=tags,
            annotations=_annotations(access, idempotent),
            output_schema=schema,
        )
        parameters = inline_local_refs(compact_input_schema(tool.parameters))
        mcp.add_tool(tool.model_copy(update={"parameters": parameters}))
        _CATALOGS.setdefault(mcp, {})[tool_name] = frozenset(tags)
        return fn

    return decorator


def _output_schema(fn: Callable[..., Any]) -> dict[str, Any] | EllipsisType:
    returns = get_type_hints(fn).get("return")
    if isinstance(returns, type) and issubclass(returns, ResultModel):
        return output_schema_for(returns)
    return ...


def _description(fn: Callable[..., Any]) -> str:
    """The docstring's first paragraph, on one line (the Args section stays out of the schema)."""
    doc = (fn.__doc__ or "").strip()
    if not doc:
        raise ValueError(f"tool {fn.__name__!r} needs a docstring: clients require a description")
    first = doc.split("\n\n", 1)[0]
    return " ".join(first.split())


def tool_catalog(mcp: FastMCP[Any]) -> Mapping[str, frozenset[str]]:
    """Tool name → tags for every tool registered through :func:`confluence_tool`."""
    return dict(_CATALOGS.get(mcp, {}))
