"""Confluence Cloud footer and inline comments (v2).

Both kinds share one route shape (``{family}``, ``{family}/{id}``, ``{family}/{id}/children``
and ``pages/{id}/{family}``); only their parsers and the inline anchor differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from confluence_client._cloud_base import V2, CloudBase, storage_body, with_format
from confluence_client._errors import ConflictError, NotSupportedError
from confluence_client._models import BodyFormat, Comment, ResultPage
from confluence_client._parse_v2 import parse_comment, parse_inline_comment

__all__ = ["CloudComments"]

_FOOTER = "footer-comments"
_INLINE = "inline-comments"
_PARSERS: dict[str, Callable[[dict[str, Any], str], Comment]] = {
    _FOOTER: parse_comment,
    _INLINE: parse_inline_comment,
}


class CloudComments(CloudBase):
    """Footer comments, inline comments and their replies."""

    # --- one route family at a time -------------------------------------------------------
    def _parser(self, family: str) -> Callable[[dict[str, Any]], Comment]:
        parse = _PARSERS[family]
        return lambda raw: parse(raw, self._site)

    async def _on_page(
        self, family: str, page_id: str, params: dict[str, Any], cursor: str | None
    ) -> ResultPage[Comment]:
        return await self._list(
            f"{V2}/pages/{page_id}/{family}", params, cursor, self._parser(family)
        )

    async def _replies(
        self,
        family: str,
        comment_id: str,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
    ) -> ResultPage[Comment]:
        params = with_format({"limit": limit}, body_format)
        return await self._list(
            f"{V2}/{family}/{comment_id}/children", params, cursor, self._parser(family)
        )

    async def _get(self, family: str, comment_id: str, body_format: BodyFormat | None) -> Comment:
        params = with_format({}, body_format)
        return self._parser(family)(await self._get_json(f"{V2}/{family}/{comment_id}", params))

    async def _post(self, family: str, payload: dict[str, Any], body: str) -> Comment:
        payload["body"] = storage_body(body)
        response = await self._http.request("POST", f"{V2}/{family}", json_body=payload)
        return self._parser(family)(response.json())

    async def list_page_comments_all_depths(
        self,
        page_id: str,
        location: str,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
    ) -> ResultPage[Comment]:
        # v2's page listings hold root comments only and its comment listings have no page
        # filter; v1's descendant/comment is deprecated and gone on the OAuth gateway.
        raise NotSupportedError(
            "Confluence Cloud lists replies per comment only", deployment="cloud"
        )

    # --- footer comments ------------------------------------------------------------------
    async def list_comments(
        self, page_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        return await self._on_page(
            _FOOTER, page_id, with_format({"limit": limit}, body_format), cursor
        )

    async def list_comment_replies(
        self, comment_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        return await self._replies(_FOOTER, comment_id, limit, cursor, body_format)

    async def get_comment(self, comment_id: str, body_format: BodyFormat | None) -> Comment:
        return await self._get(_FOOTER, comment_id, body_format)

    async def add_comment(self, page_id: str, body: str) -> Comment:
        return await self._post(_FOOTER, {"pageId": page_id}, body)

    async def reply_to_comment(self, comment_id: str, body: str) -> Comment:
        return await self._post(_FOOTER, {"parentCommentId": comment_id}, body)

    # --- inline comments ------------------------------------------------------------------
    async def list_inline_comments(
        self,
        page_id: str,
        limit: int,
        cursor: str | None,
        body_format: BodyFormat | None,
        resolution: tuple[str, ...],
    ) -> ResultPage[Comment]:
        params = with_format({"limit": limit}, body_format)
        if resolution:
            params["resolution-status"] = ",".join(resolution)
        return await self._on_page(_INLINE, page_id, params, cursor)

    async def list_inline_comment_replies(
        self, comment_id: str, limit: int, cursor: str | None, body_format: BodyFormat | None
    ) -> ResultPage[Comment]:
        return await self._replies(_INLINE, comment_id, limit, cursor, body_format)

    async def get_inline_comment(self, comment_id: str, body_format: BodyFormat | None) -> Comment:
        return await self._get(_INLINE, comment_id, body_format)

    async def add_inline_comment(
        self, page_id: str, body: str, selection: str, match_index: int, match_count: int
    ) -> Comment:
        anchor = {
            "textSelection": selection,
            "textSelectionMatchCount": match_count,
            "textSelectionMatchIndex": match_index,
        }
        return await self._post(
            _INLINE, {"pageId": page_id, "inlineCommentProperties": anchor}, body
        )

    async def reply_to_inline_comment(self, comment_id: str, body: str) -> Comment:
        return await self._post(_INLINE, {"parentCommentId": comment_id}, body)

    async def resolve_inline_comment(self, current: Comment, resolved: bool) -> Comment:
        number = current.version.number if current.version is not None else 1
        payload: dict[str, Any] = {"version": {"number": number + 1}, "resolved": resolved}
        if current.body is not None:
            payload["body"] = storage_body(current.body.value)
        try:
            response = await self._http.request(
                "PUT",
                f"{V2}/{_INLINE}/{current.id}",
                json_body=payload,
                idempotent=False,
            )
        except ConflictError as exc:
            # The comment changed since it was read (its body or resolution).
            raise exc.restated(
                f"comment {current.id} changed since version {number}",
                resource="comment",
                based_on=number,
            ) from None
        return self._parser(_INLINE)(response.json())
