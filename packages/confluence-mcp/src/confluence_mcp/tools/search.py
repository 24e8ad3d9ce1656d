"""``search``: plain text or CQL, scoped to the allowed spaces."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from fastmcp.exceptions import ToolError
from pydantic import Field

from confluence_mcp.models import SearchHit, SearchResults
from confluence_mcp.params import Cursor, Limit, SpaceKey, capped
from confluence_mcp.registry import confluence_tool
from confluence_mcp.shaping import iso

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import SearchResult
    from confluence_mcp.services import Services

__all__ = ["looks_like_cql", "plain_excerpt", "register", "split_order_by"]

# A query is CQL when it compares a CQL field with an operator (`space = X`, `text ~ "y"`,
# `label in (a, b)`); anything else is searched as plain text.
_CQL = re.compile(
    r"\b(type|space|title|text|label|creator|contributor|ancestor|parent|id|content|"
    r"created|lastmodified|mention|favourite|watcher)\s*(=|!=|~|!~|>=|<=|>|<|\bin\b|\bnot in\b)",
    re.IGNORECASE,
)

Query = Annotated[str, capped(4000, allow_empty=False), Field(description="Text or CQL")]


def looks_like_cql(query: str) -> bool:
    """Whether ``query`` is CQL rather than plain text."""
    return _CQL.search(query) is not None


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
        from confluence_client import Cql

        if space_key is not None:
            services.guard.check_space_key(space_key)
        order: list[tuple[str, bool]] = []
        if looks_like_cql(query):
            where, order = split_order_by(query)
            cql = Cql.trusted(where)
            if space_key is not None:
                cql = cql & Cql.eq("space", space_key)
        else:
            cql = Cql.text_search(query, space_key=space_key, content_type=None)
        scope = services.guard.cql_scope()
        if scope is not None:
            cql = cql & scope
        for field, descending in order:
            cql = cql.order_by(field, descending=descending)
        client = await services.client()
        found = await client.search(cql, limit=limit, cursor=cursor)
        hits = [_hit(result) for result in services.guard.filter_results(found.items)]
        return SearchResults(results=hits, next_cursor=found.next_cursor)


_ORDER_BY = re.compile(r"\s*\border\s+by\s+(?P<fields>[^()\"']+)$", re.IGNORECASE)


def split_order_by(query: str) -> tuple[str, list[tuple[str, bool]]]:
    """Split user CQL into its condition and ``ORDER BY`` fields, checking parentheses.

    The condition is parenthesised before the space scope is ANDed to it, so unbalanced
    parentheses (which could pull an ``OR`` outside the scope) are refused.
    """
    _check_balanced(query)
    order: list[tuple[str, bool]] = []
    match = _ORDER_BY.search(query)
    if match:
        query = query[: match.start()]
        for item in match.group("fields").split(","):
            words = item.split()
            if (
                not words
                or len(words) > 2
                or (len(words) == 2 and words[1].lower() not in ("asc", "desc"))
            ):
                raise ToolError(f"Invalid CQL: cannot read ORDER BY item {item.strip()!r}.")
            order.append((words[0], len(words) == 2 and words[1].lower() == "desc"))
    if not query.strip():
        raise ToolError("Invalid CQL: the query has no condition before ORDER BY.")
    return query, order


def _check_balanced(query: str) -> None:
    depth = 0
    quote: str | None = None
    escaped = False
    for char in query:
        if quote is not None:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                break
    if depth != 0 or quote is not None:
        raise ToolError("Invalid CQL: unbalanced parentheses or quotes.")


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
