"""``search``: plain text or CQL, scoped to the allowed spaces."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from fastmcp.exceptions import ToolError

from confluence_mcp.models import SearchHit, SearchResults
from confluence_mcp.params import Cursor, Limit, SpaceKey, capped
from confluence_mcp.registry import confluence_tool
from confluence_mcp.shaping import iso

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import SearchResult
    from confluence_mcp.services import Services

__all__ = ["plain_excerpt", "register"]

Query = Annotated[str, capped(4000, allow_empty=False)]  # the description says: text or CQL


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add ``search`` to ``mcp``."""

    @confluence_tool(mcp, access="read")
    async def search(
        query: Query,
        space_key: SpaceKey | None = None,
        limit: Limit = 10,
        cursor: Cursor | None = None,
    ) -> SearchResults:
        """Search pages and other content by text or CQL."""
        from confluence_client import Cql, InvalidInputError

        if space_key is not None:
            services.guard.check_space_key(space_key)
        if Cql.looks_like_cql(query):
            try:
                cql = Cql.from_user(query)
            except InvalidInputError as exc:
                raise ToolError(f"Invalid CQL: {exc.message}.") from None
            if space_key is not None:
                cql = cql.restrict(Cql.eq("space", space_key))
        else:
            cql = Cql.text_search(query, space_key=space_key, content_type=None)
        scope = services.guard.cql_scope()
        if scope is not None:
            cql = cql.restrict(scope)
        client = await services.client()
        # The cursor is bound to the query built here: upstream only ever sees our own CQL.
        found, next_cursor = await services.cursors.fetch(
            cursor,
            lambda upstream: client.search(cql, limit=limit, cursor=upstream),
            listing="search",
            binding=f"{cql}\n{limit}",
        )
        hits = [_hit(result) for result in services.guard.filter_results(found.items)]
        return SearchResults(results=hits, next_cursor=next_cursor)


_HIGHLIGHT = re.compile(r"@@@hl@@@(.*?)@@@endhl@@@", re.DOTALL)


def plain_excerpt(excerpt: str | None) -> str | None:
    """Confluence marks matches as ``@@@hl@@@word@@@endhl@@@``; show them as ``**word**``."""
    if excerpt is None:
        return None
    return _HIGHLIGHT.sub(r"**\1**", excerpt).replace("@@@hl@@@", "").replace("@@@endhl@@@", "")


def _hit(result: SearchResult) -> SearchHit:
    return SearchHit(
        id=result.content_id,
        title=result.title,
        type=result.content_type,
        space_key=result.space_key,
        excerpt=plain_excerpt(result.excerpt),
        url=result.web_url,
        last_modified=iso(result.last_modified),
    )
