"""Tool result models: the structured output clients receive.

Kept small and flat on purpose. Each model's JSON schema is sent in ``tools/list`` for every
tool that returns it, so fields carry no descriptions (names explain themselves), optional
fields default to ``None``, and nothing nests deeper than one list. Shared shapes
(:class:`PageRef`) are reused across tools.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

__all__ = [
    "ResultModel",
    "DeleteResult",
    "PageContent",
    "PageList",
    "PageRef",
    "SearchHit",
    "SearchResults",
    "SpaceInfo",
    "SpaceList",
    "TreeEntry",
    "PageTree",
]


class ResultModel(BaseModel):
    """Base of tool results: immutable, and ``None`` fields are left out of the output.

    Leaving them out keeps results short and lets the advertised schema type optional fields
    without a ``null`` branch (see :func:`confluence_mcp.schemas.output_schema_for`).
    """

    model_config = ConfigDict(frozen=True)

    @model_serializer(mode="wrap")
    def _omit_none(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}


class PageRef(ResultModel):
    """A page's identity; ``version`` is what an edit must quote."""

    id: str
    title: str
    version: int | None = None
    url: str | None = None


class PageContent(ResultModel):
    """``get_page``: the page and (a window of) its body."""

    id: str
    title: str
    space_key: str | None = None
    version: int | None = None
    url: str | None = None
    content: str
    total_chars: int
    next_offset: int | None = None
    next_cursor: str | None = None
    # With metadata=true: parent_id, author_id, created_at, labels, views, viewers (Cloud).
    # Untyped on purpose: one small object schema instead of six optional fields in tools/list.
    metadata: dict[str, Any] | None = None


class PageList(ResultModel):
    pages: list[PageRef]
    next_cursor: str | None = None


class TreeEntry(ResultModel):
    """One page of an outline; its parent is the nearest earlier entry one level up.
    ``type`` and ``url`` are set on entries that are not pages (blog posts, folders,
    whiteboards, databases)."""

    id: str
    title: str
    depth: int
    type: str | None = None
    url: str | None = None


class PageTree(ResultModel):
    """Depth-first list (parents before children); ``truncated`` if ``max_pages`` was hit."""

    pages: list[TreeEntry]
    truncated: bool = False


class SearchHit(ResultModel):
    id: str | None = None
    title: str
    type: str | None = None
    space_key: str | None = None
    excerpt: str | None = None
    url: str | None = None
    last_modified: str | None = None


class SearchResults(ResultModel):
    results: list[SearchHit]
    next_cursor: str | None = None


class SpaceInfo(ResultModel):
    key: str
    name: str
    description: str | None = None
    homepage_id: str | None = None
    url: str | None = None


class SpaceList(ResultModel):
    spaces: list[SpaceInfo]
    next_cursor: str | None = None


class DeleteResult(ResultModel):
    id: str
    status: str
