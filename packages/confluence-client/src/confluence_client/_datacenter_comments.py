"""Confluence Data Center footer and inline comments (v1 content API).

An inline comment is a comment whose ``extensions.location`` is "inline"; reading inline
comments and replying to them use the documented v1 content API. Creating one anchored to a
selection, and resolving, exist only as the editor's undocumented ``/rest/inlinecomments``
endpoints, which this client does not call.
"""

from __future__ import annotations

from typing import Any, Literal

from confluence_client._datacenter_base import (
    COMMENT_EXPAND,
    CONTENT,
    INLINE_EXPAND,
    DataCenterBase,
    expand,
)
from confluence_client._errors import MalformedResponseError, NotFoundError
from confluence_client._models import BodyFormat, Comment, ResultPage
from confluence_client._parse_common import obj
from confluence_client._parse_v1 import parse_comment

__all__ = ["DataCenterComments"]

Location = Literal["footer", "inline"]
_EXPANDS: dict[str, str] = {"footer": COMMENT_EXPAND, "inline": COMMENT_EXPAND + INLINE_EXPAND}


def _container(parent: Comment) -> str:
    if parent.page_id is None:
        raise MalformedResponseError("comment has no container page")
    return parent.page_id


class DataCenterComments(DataCenterBase):
    """Footer comments, inline comments and their replies."""

    # --- shared by both locations ---------------------------------------------------------
    async def _on_page(
        self,
        page_id: str,
        location: Location,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
        *,
        every_depth: bool = False,
    ) -> ResultPage[Comment]:
        params: dict[str, Any] = {"limit": limit}
        if every_depth:
            params["depth"] = "all"
        params["location"] = location
        params["expand"] = expand(_EXPANDS[location], body_format)
        return await self._list(
            f"{CONTENT}/{page_id}/child/comment",
            params,
            cursor,
            lambda raw: parse_comment(raw, self._site, page_id),
        )

    async def _replies(
        self,
        comment_id: str,
        parent: Comment,
        location: Location,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
    ) -> ResultPage[Comment]:
        # v1 has no replies endpoint: a comment's children are attachments. Replies are the
        # page's comments (depth=all) whose parent is this comment, so one listing page may
        # hold fewer than ``limit`` replies; its cursor still walks the page's comments.
        page_id = _container(parent)
        batch = await self._on_page(page_id, location, limit, cursor, body_format, every_depth=True)
        replies = tuple(c for c in batch.items if c.parent_comment_id == comment_id)
        return ResultPage[Comment](items=replies, next_cursor=batch.next_cursor)

    async def _post_comment(self, page_id: str, body: str, parent: str | None) -> Comment:
        payload: dict[str, Any] = {
            "type": "comment",
            "container": {"id": page_id, "type": "page"},
            "body": {"storage": {"value": body, "representation": "storage"}},
        }
        if parent is not None:
            payload["ancestors"] = [{"id": parent}]
        response = await self._http.request(
            "POST",
            CONTENT,
            json_body=payload,
            params={"expand": COMMENT_EXPAND + ",body.storage"},
        )
        comment = parse_comment(response.json(), self._site, page_id)
        if parent is not None and comment.parent_comment_id is None:
            # Some servers ignore ``expand`` on create; the parent is the one we named.
            comment = comment.model_copy(update={"parent_comment_id": parent})
        return comment

    async def list_page_comments_all_depths(
        self,
        page_id: str,
        location: str,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
    ) -> ResultPage[Comment]:
        where: Location = "inline" if location == "inline" else "footer"
        return await self._on_page(page_id, where, limit, cursor, body_format, every_depth=True)

    # --- footer comments ------------------------------------------------------------------
    async def list_comments(
        self, page_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        return await self._on_page(page_id, "footer", limit, cursor, body_format)

    async def list_comment_replies(
        self, comment_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        parent = await self.get_comment(comment_id, None)
        return await self._replies(comment_id, parent, "footer", limit, cursor, body_format)

    async def get_comment(self, comment_id: str, body_format: BodyFormat | None) -> Comment:
        params = {"expand": expand(COMMENT_EXPAND, body_format)}
        body = await self._get_json(f"{CONTENT}/{comment_id}", params)
        if body.get("type", "comment") != "comment":
            raise NotFoundError(f"no comment with id {comment_id}", status_code=404)
        return parse_comment(body, self._site)

    async def add_comment(self, page_id: str, body: str) -> Comment:
        return await self._post_comment(page_id, body, None)

    async def reply_to_comment(self, comment_id: str, body: str) -> Comment:
        parent = await self._get_json(f"{CONTENT}/{comment_id}", {"expand": "container"})
        page_id = obj(parent, "container").get("id")
        if parent.get("type") != "comment" or page_id is None:
            raise NotFoundError(f"no comment with id {comment_id}", status_code=404)
        return await self._post_comment(str(page_id), body, comment_id)

    # --- inline comments ------------------------------------------------------------------
    async def list_inline_comments(
        self,
        page_id: str,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
        resolution: tuple[str, ...],
    ) -> ResultPage[Comment]:
        batch = await self._on_page(page_id, "inline", limit, cursor, body_format)
        if not resolution:
            return batch
        # v1 cannot filter by resolution: filter this listing page (it may come out shorter).
        kept = tuple(c for c in batch.items if c.resolution_status in resolution)
        return ResultPage[Comment](items=kept, next_cursor=batch.next_cursor)

    async def list_inline_comment_replies(
        self, comment_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        parent = await self.get_inline_comment(comment_id, None)
        return await self._replies(comment_id, parent, "inline", limit, cursor, body_format)

    async def get_inline_comment(self, comment_id: str, body_format: BodyFormat | None) -> Comment:
        params = {"expand": expand(_EXPANDS["inline"], body_format)}
        body = await self._get_json(f"{CONTENT}/{comment_id}", params)
        found = parse_comment(body, self._site)
        if body.get("type", "comment") != "comment" or found.location != "inline":
            raise NotFoundError(f"no inline comment with id {comment_id}", status_code=404)
        return found

    async def add_inline_comment(
        self, page_id: str, body: str, selection: str, match_index: int, match_count: int
    ) -> Comment:
        raise self._unsupported("add inline comments (only the editor's undocumented API can)")

    async def reply_to_inline_comment(self, comment_id: str, body: str) -> Comment:
        parent = await self.get_inline_comment(comment_id, None)
        reply = await self._post_comment(_container(parent), body, comment_id)
        # A reply shares its parent's anchor, whatever the create answer echoes.
        return reply.model_copy(update={"location": "inline", "selection": parent.selection})

    async def resolve_inline_comment(self, current: Comment, resolved: bool) -> Comment:
        raise self._unsupported(
            "resolve or reopen inline comments (only the editor's undocumented API can)"
        )
