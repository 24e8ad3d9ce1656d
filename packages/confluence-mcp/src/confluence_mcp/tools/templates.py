"""Templates: ``list_templates`` (a space's and the global ones, or one with its body by
``template_id``); pages are made from one with ``create_page(template_id=..., variables=...)``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastmcp.tools import ToolResult

from confluence_mcp.models import ResultModel
from confluence_mcp.params import BodyFormat, Cursor, Limit, PageId, SpaceKey
from confluence_mcp.registry import confluence_tool
from confluence_mcp.tools.lean import lean_result

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import Template
    from confluence_mcp.services import Services

__all__ = ["TemplateInfo", "TemplateList", "register"]


class TemplateInfo(ResultModel):
    """A page template; ``variables`` and ``body`` when read by template_id."""

    id: str
    name: str
    description: str | None = None
    space_key: str | None = None
    variables: list[str] | None = None
    body: str | None = None


class TemplateList(ResultModel):
    templates: list[TemplateInfo]
    next_cursor: str | None = None


def _info(template: Template) -> TemplateInfo:
    return TemplateInfo(
        id=template.id,
        name=template.name,
        description=template.description,
        space_key=template.space_key,
    )


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the template tools to ``mcp``."""

    @confluence_tool(mcp, access="read", output_schema=None)
    async def list_templates(
        space_key: SpaceKey | None = None,
        template_id: PageId | None = None,
        format: BodyFormat = "markdown",
        limit: Limit = 25,
        cursor: Cursor | None = None,
    ) -> ToolResult:
        """List page templates (a space's or global); template_id reads one and its variables."""
        client = await services.client()
        if template_id is not None:
            template = await client.get_template(template_id)
            if template.space_key is not None:
                services.guard.check_space_key(template.space_key)
            raw = template.body or ""
            body = await services.content.ato_markdown(raw) if format == "markdown" else raw
            one = _info(template).model_copy(
                update={"variables": list(template.variables), "body": body}
            )
            return lean_result(TemplateList(templates=[one]))
        if space_key is not None:
            services.guard.check_space_key(space_key)
        found, next_cursor = await services.cursors.fetch(
            cursor,
            lambda upstream: client.list_templates(space_key, limit=limit, cursor=upstream),
            listing="list_templates",
            binding=f"{space_key}\n{limit}",
        )
        return lean_result(
            TemplateList(templates=[_info(t) for t in found.items], next_cursor=next_cursor)
        )
