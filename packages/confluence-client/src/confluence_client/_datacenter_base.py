"""Confluence Data Center's common ground: ``rest/api`` expansions, parsing, spaces.

Offsets are never computed here: the ``_links.next`` Confluence returns (with its
``start=``) is followed as given, like Cloud cursors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from confluence_client._errors import InvalidInputError, NotFoundError, NotSupportedError
from confluence_client._models import BodyFormat, Page, ResultPage, Space
from confluence_client._parse_v1 import parse_page, parse_space
from confluence_client._v1_shared import V1Operations

__all__ = [
    "CONTENT",
    "PAGE_EXPAND",
    "COMMENT_EXPAND",
    "INLINE_EXPAND",
    "DataCenterBase",
    "expand",
]

CONTENT = "rest/api/content"
PAGE_EXPAND = "version,space,ancestors,history"
COMMENT_EXPAND = "version,container,ancestors,history"
INLINE_EXPAND = ",extensions.inlineProperties,extensions.resolution"
_SPACE_EXPAND = "description.plain,homepage"


def expand(base: str, body_format: BodyFormat | None) -> str:
    """The ``expand`` value for ``base`` plus the body in ``body_format`` (if any)."""
    if body_format is None:
        return base
    if body_format == "atlas_doc_format":
        raise InvalidInputError("Data Center has no atlas_doc_format bodies", field="body_format")
    return f"{base},body.{body_format}"


class DataCenterBase(V1Operations):
    """Data Center helpers and spaces over ``rest/api``."""

    _USER_PARAM = "key"
    _RESTRICTION_USER_PARAM = "userName"
    _PURGE: ClassVar[Mapping[str, str]] = {"status": "trashed"}

    def _page(self, raw: dict[str, Any]) -> Page:
        return parse_page(raw, self._site)

    def _unsupported(self, what: str) -> NotSupportedError:
        return NotSupportedError(
            f"Confluence Data Center's REST API cannot {what}; use the Confluence editor",
            deployment="datacenter",
        )

    # --- spaces ---------------------------------------------------------------------------
    async def list_spaces(self, limit: int, cursor: str | None) -> ResultPage[Space]:
        params = {"limit": limit, "expand": _SPACE_EXPAND}
        return await self._list(
            "rest/api/space", params, cursor, lambda raw: parse_space(raw, self._site)
        )

    async def get_space(self, space_key: str) -> Space:
        body = await self._get_json(f"rest/api/space/{space_key}", {"expand": _SPACE_EXPAND})
        return parse_space(body, self._site)

    async def get_space_by_id(self, space_id: str) -> Space:
        found = await self._list(
            "rest/api/space",
            {"spaceId": space_id, "expand": _SPACE_EXPAND},
            None,
            lambda raw: parse_space(raw, self._site),
        )
        match = next((s for s in found.items if s.id == space_id), None)
        if match is None:
            raise NotFoundError(f"no space with id {space_id}", status_code=404)
        return match
