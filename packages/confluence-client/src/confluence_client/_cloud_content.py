"""What hangs off a Confluence Cloud page: attachments, labels, versions and properties."""

from __future__ import annotations

from typing import Any

from confluence_client._cloud_base import V2, CloudBase
from confluence_client._errors import MalformedResponseError, NotFoundError, NotSupportedError
from confluence_client._models import Attachment, ContentProperty, Label, PageVersion, ResultPage
from confluence_client._parse_v2 import parse_attachment, parse_label, parse_version
from confluence_client._properties import parse_property

__all__ = ["CloudContent"]


def _attachment_path(attachment_id: str) -> str:
    att_id = attachment_id if attachment_id.startswith("att") else f"att{attachment_id}"
    return f"{V2}/attachments/{att_id}"


class CloudContent(CloudBase):
    """A page's attachments, labels, versions and content properties (v2, v1 for the rest)."""

    # --- attachments ----------------------------------------------------------------------
    async def list_attachments(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Attachment]:
        return await self._list(
            f"{V2}/pages/{page_id}/attachments",
            {"limit": limit},
            cursor,
            lambda raw: parse_attachment(raw, self._site),
        )

    async def get_attachment(self, attachment_id: str) -> Attachment:
        return parse_attachment(await self._get_json(_attachment_path(attachment_id)), self._site)

    async def delete_attachment(self, attachment_id: str, purge: bool) -> None:
        await self._delete(_attachment_path(attachment_id), purge)

    async def download_attachment(self, attachment: Attachment, max_bytes: int) -> bytes:
        link = attachment.download_url
        if self._through_gateway or not link or not link.startswith(self._site + "/"):
            # OAuth tokens are refused on the site domain; the v1 download path works everywhere.
            if attachment.page_id is None:
                raise MalformedResponseError("attachment metadata lacks its page id")
            link = (
                f"rest/api/content/{attachment.page_id}/child/attachment/{attachment.id}/download"
            )
        return await self._http.download(link, max_bytes)

    def _no_trash_on_gateway(self) -> None:
        if self._through_gateway:
            # v2 has no restore; the gateway answers 410 Gone to v1 content endpoints.
            raise NotSupportedError(
                "the OAuth gateway cannot restore attachments (v1 content endpoints answer 410"
                " there; v2 has no restore): restore it from the space's trash in Confluence",
                deployment="cloud",
            )

    async def get_trashed_attachment(self, attachment_id: str) -> Attachment:
        self._no_trash_on_gateway()
        return await super().get_trashed_attachment(attachment_id)

    async def restore_attachment(self, attachment_id: str) -> Attachment:
        self._no_trash_on_gateway()
        return await super().restore_attachment(attachment_id)

    # --- labels and versions (list and get: BackendBase) ----------------------------------
    async def list_labels(self, page_id: str, limit: int, cursor: str | None) -> ResultPage[Label]:
        return await self._list(
            f"{V2}/pages/{page_id}/labels", {"limit": limit}, cursor, parse_label
        )

    def _versions_path(self, page_id: str) -> str:
        return f"{V2}/pages/{page_id}/versions"

    def _version(self, raw: dict[str, Any], page_id: str) -> PageVersion:
        return parse_version(raw, page_id)

    # --- content properties (list, create, update, delete: BackendBase) -------------------
    def _properties_path(self, page_id: str) -> str:
        return f"{V2}/pages/{page_id}/properties"

    def _property_path(self, page_id: str, current: ContentProperty) -> str:
        return f"{V2}/pages/{page_id}/properties/{current.id}"

    async def get_property(self, page_id: str, key: str) -> ContentProperty:
        found = await self._list(self._properties_path(page_id), {"key": key}, None, parse_property)
        for prop in found.items:
            if prop.key == key:
                return prop
        raise NotFoundError(f"page {page_id} has no property {key!r}", status_code=404)
