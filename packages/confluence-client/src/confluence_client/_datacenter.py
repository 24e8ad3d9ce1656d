"""Confluence Data Center (and Server): the v1 ``rest/api`` content API, offset pagination.

`DataCenterBackend` gathers the Data Center mixins (pages, comments; spaces and helpers in
``_datacenter_base``, the v1 operations in ``_v1_shared``) and adds a page's attachments,
labels, versions and properties, and the refusals for what only Cloud has.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from confluence_client._datacenter_base import CONTENT
from confluence_client._datacenter_comments import DataCenterComments
from confluence_client._datacenter_pages import DataCenterPages
from confluence_client._errors import MalformedResponseError, NotFoundError, NotSupportedError
from confluence_client._models import (
    Attachment,
    ContentProperty,
    Label,
    Page,
    PageVersion,
    PageViews,
    ResultPage,
    SpacePermission,
    Task,
)
from confluence_client._parse_v1 import parse_attachment, parse_label, parse_version
from confluence_client._properties import parse_property

__all__ = ["DataCenterBackend"]

_ATTACHMENT_EXPAND = "version,container,history"


def _keyed_property(page_id: str, key: str) -> str:
    return f"{CONTENT}/{page_id}/property/{quote(key, safe='')}"


class DataCenterBackend(DataCenterPages, DataCenterComments):
    """Data Center operations over ``rest/api``."""

    # --- labels ---------------------------------------------------------------------------
    async def list_labels(self, page_id: str, limit: int, cursor: str | None) -> ResultPage[Label]:
        return await self._list(f"{CONTENT}/{page_id}/label", {"limit": limit}, cursor, parse_label)

    # --- attachments ----------------------------------------------------------------------
    async def list_attachments(
        self, page_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Attachment]:
        return await self._list(
            f"{CONTENT}/{page_id}/child/attachment",
            {"limit": limit, "expand": _ATTACHMENT_EXPAND},
            cursor,
            lambda raw: parse_attachment(raw, self._site, page_id),
        )

    async def get_attachment(self, attachment_id: str) -> Attachment:
        numeric = attachment_id.removeprefix("att")
        body = await self._get_json(f"{CONTENT}/{numeric}", {"expand": _ATTACHMENT_EXPAND})
        if body.get("type", "attachment") != "attachment":
            raise NotFoundError(f"no attachment with id {attachment_id}", status_code=404)
        return parse_attachment(body, self._site)

    async def download_attachment(self, attachment: Attachment, max_bytes: int) -> bytes:
        link = attachment.download_url
        if not link:
            raise MalformedResponseError("attachment metadata lacks a download link")
        return await self._http.download(link, max_bytes)

    async def delete_attachment(self, attachment_id: str, purge: bool) -> None:
        att_id = attachment_id if attachment_id.startswith("att") else f"att{attachment_id}"
        await self._delete(f"{CONTENT}/{att_id}", purge)

    # --- versions (list and get: BackendBase) ---------------------------------------------
    def _versions_path(self, page_id: str) -> str:
        return f"{CONTENT}/{page_id}/version"

    def _version(self, raw: dict[str, Any], page_id: str) -> PageVersion:
        return parse_version(raw, page_id)

    # --- content properties (list, create, update, delete: BackendBase) -------------------
    def _properties_path(self, page_id: str) -> str:
        return f"{CONTENT}/{page_id}/property"

    def _property_path(self, page_id: str, current: ContentProperty) -> str:
        return _keyed_property(page_id, current.key)

    async def get_property(self, page_id: str, key: str) -> ContentProperty:
        return parse_property(await self._get_json(_keyed_property(page_id, key)))

    # --- what only Cloud has --------------------------------------------------------------
    async def check_permission(self, page_id: str, account_id: str, operation: str) -> bool:
        raise self._unsupported("check a user's permission on a page")

    async def list_space_permissions(
        self, space_key: str, limit: int, cursor: str | None
    ) -> ResultPage[SpacePermission]:
        raise self._unsupported("list space permissions")

    async def get_page_views(self, page_id: str) -> PageViews:
        raise NotSupportedError(
            "Confluence Data Center has no page analytics API", deployment="datacenter"
        )

    async def list_tasks(
        self, filters: dict[str, str], limit: int, cursor: str | None
    ) -> ResultPage[Task]:
        raise self._unsupported("list tasks")

    async def get_task(self, task_id: str) -> Task:
        raise self._unsupported("read tasks")

    async def set_task_status(self, current: Task, complete: bool) -> Task:
        raise self._unsupported("complete or reopen tasks")

    async def create_folder(self, space_key: str, title: str, parent_id: str | None) -> Page:
        raise self._unsupported("create folders (Data Center has no folders)")

    async def get_folder(self, folder_id: str) -> Page:
        raise self._unsupported("read folders (Data Center has no folders)")

    async def list_folder_children(
        self, folder_id: str, limit: int, cursor: str | None
    ) -> ResultPage[Page]:
        raise self._unsupported("list folders (Data Center has no folders)")

    async def get_node(self, kind: str, node_id: str) -> Page:
        raise NotSupportedError(
            f"Confluence Data Center has no {kind}s (a Cloud content type)",
            deployment="datacenter",
        )
