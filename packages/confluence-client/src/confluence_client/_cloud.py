"""Confluence Cloud: the v2 API for content, v1 where v2 has no equivalent.

`CloudBackend` gathers the Cloud mixins (pages, tree, comments, page content; spaces and
helpers in ``_cloud_base``, the v1 operations in ``_v1_shared``) and adds what only Cloud
has: tasks, page analytics and permission checks.
"""

from __future__ import annotations

import asyncio
from typing import Any

from confluence_client._cloud_base import V2
from confluence_client._cloud_comments import CloudComments
from confluence_client._cloud_content import CloudContent
from confluence_client._cloud_pages import CloudPages
from confluence_client._cloud_tree import CloudTree
from confluence_client._errors import MalformedResponseError
from confluence_client._models import PageViews, ResultPage, SpacePermission, Task
from confluence_client._parse_v2 import parse_space_permission, parse_task

__all__ = ["CloudBackend"]


class CloudBackend(CloudPages, CloudTree, CloudComments, CloudContent):
    """Cloud operations. Space keys are resolved to ids through the client's `SpaceCache`."""

    # --- analytics ------------------------------------------------------------------------
    async def get_page_views(self, page_id: str) -> PageViews:
        base = f"rest/api/analytics/content/{page_id}"
        views, viewers = await asyncio.gather(
            self._get_json(f"{base}/views"), self._get_json(f"{base}/viewers")
        )
        try:
            return PageViews(page_id=page_id, views=views["count"], viewers=viewers["count"])
        except (KeyError, ValueError) as exc:
            raise MalformedResponseError("unexpected analytics shape", path=base) from exc

    # --- tasks ----------------------------------------------------------------------------
    async def list_tasks(
        self, filters: dict[str, str], limit: int, cursor: str | None
    ) -> ResultPage[Task]:
        params: dict[str, Any] = {"limit": limit, "body-format": "storage", **filters}
        space_key = params.pop("space-key", None)
        if space_key is not None:
            params["space-id"] = await self._space_id(space_key)
        return await self._list(f"{V2}/tasks", params, cursor, parse_task)

    async def get_task(self, task_id: str) -> Task:
        return parse_task(await self._get_json(f"{V2}/tasks/{task_id}", {"body-format": "storage"}))

    async def set_task_status(self, current: Task, complete: bool) -> Task:
        task_id = current.id
        payload = {
            "id": task_id,
            "status": "complete" if complete else "incomplete",
            "pageId": current.page_id,
            "spaceId": current.space_id,
        }
        response = await self._http.request("PUT", f"{V2}/tasks/{task_id}", json_body=payload)
        return parse_task(response.json())

    # --- permissions ----------------------------------------------------------------------
    async def check_permission(self, page_id: str, account_id: str, operation: str) -> bool:
        response = await self._http.request(
            "POST",
            f"rest/api/content/{page_id}/permission/check",
            json_body={
                "subject": {"type": "user", "identifier": account_id},
                "operation": operation,
            },
            idempotent=True,
        )
        body = response.json()
        allowed = body.get("hasPermission") if isinstance(body, dict) else None
        if not isinstance(allowed, bool):
            raise MalformedResponseError("permission check without hasPermission")
        return allowed

    async def list_space_permissions(
        self, space_key: str, limit: int, cursor: str | None
    ) -> ResultPage[SpacePermission]:
        space_id = await self._space_id(space_key)
        return await self._list(
            f"{V2}/spaces/{space_id}/permissions",
            {"limit": limit},
            cursor,
            parse_space_permission,
        )
