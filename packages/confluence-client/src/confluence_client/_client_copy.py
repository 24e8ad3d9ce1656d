"""Copy operations of :class:`ConfluenceClient`: one page, or a page tree as a long task.

Both deployments use the v1 copy API (Cloud has no v2 equivalent; Data Center 7+ has it).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from confluence_client._client_base import ClientBase
from confluence_client._errors import ConfluenceTimeoutError, InvalidInputError
from confluence_client._models import LongTask, Page
from confluence_client._validation import check_content_id, check_space_key, check_title

__all__ = ["CopyOperations"]

ProgressCallback = Callable[[LongTask], Awaitable[None]]
_TASK_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def _flags(attachments: bool, labels: bool) -> dict[str, Any]:
    return {
        "copyAttachments": bool(attachments),
        "copyLabels": bool(labels),
        "copyPermissions": False,
        "copyProperties": False,
        "copyCustomContents": False,
    }


class CopyOperations(ClientBase):
    """Copy a page, or a page and its descendants."""

    async def copy_page(
        self,
        page_id: str | int,
        *,
        space_key: str | None = None,
        parent_id: str | int | None = None,
        title: str | None = None,
        copy_attachments: bool = False,
        copy_labels: bool = False,
    ) -> Page:
        """Copy one page under ``parent_id`` or to the root of ``space_key`` (exactly one),
        optionally renamed; returns the new page."""
        pid = check_content_id(page_id)
        if (space_key is None) == (parent_id is None):
            raise InvalidInputError("give exactly one of space_key or parent_id", field="parent_id")
        destination = (
            {"type": "space", "value": check_space_key(space_key)}
            if space_key is not None
            else {"type": "parent_page", "value": check_content_id(parent_id or "", "parent_id")}
        )
        payload: dict[str, Any] = {
            "destination": destination,
            **_flags(copy_attachments, copy_labels),
        }
        if title is not None:
            payload["pageTitle"] = check_title(title)
        return await self._backend.copy_page(pid, payload)

    async def start_page_tree_copy(
        self,
        page_id: str | int,
        parent_id: str | int,
        *,
        title_prefix: str | None = None,
        copy_attachments: bool = False,
        copy_labels: bool = False,
    ) -> str:
        """Start copying a page and its descendants under ``parent_id``; returns the long
        task's id (see :meth:`get_long_task`). Within one space a ``title_prefix`` is needed
        (titles are unique per space)."""
        payload: dict[str, Any] = {
            "destinationPageId": check_content_id(parent_id, "parent_id"),
            "copyDescendants": True,
            **_flags(copy_attachments, copy_labels),
        }
        if title_prefix is not None:
            if (
                not isinstance(title_prefix, str)
                or not title_prefix.strip()
                or len(title_prefix) > 100
                or not title_prefix.isprintable()
            ):
                raise InvalidInputError(
                    "title_prefix must be 1 to 100 printable characters", field="title_prefix"
                )
            # Kept as given (not stripped): a trailing space separates prefix and title.
            payload["titleOptions"] = {"prefix": title_prefix}
        return await self._backend.start_tree_copy(check_content_id(page_id), payload)

    async def get_long_task(self, task_id: str | int) -> LongTask:
        """A long task's progress and outcome."""
        text = str(task_id)
        if isinstance(task_id, bool) or not _TASK_ID.fullmatch(text):
            raise InvalidInputError("task_id must be a long task id", field="task_id")
        return await self._backend.get_long_task(text)

    async def copy_page_tree(
        self,
        page_id: str | int,
        parent_id: str | int,
        *,
        title_prefix: str | None = None,
        copy_attachments: bool = False,
        copy_labels: bool = False,
        on_progress: ProgressCallback | None = None,
        poll_interval: float = 1.0,
        max_wait: float = 600.0,
    ) -> LongTask:
        """Copy a page tree and wait for it: polls the long task every ``poll_interval``
        seconds (calling ``on_progress`` with each status) until it finishes; the result's
        ``destination_id`` is the new root. Raises :class:`ConfluenceTimeoutError` after
        ``max_wait`` seconds (the copy may still complete in Confluence)."""
        if poll_interval < 0 or max_wait <= 0:
            raise InvalidInputError("poll_interval must be >= 0, max_wait > 0", field="max_wait")
        task_id = await self.start_page_tree_copy(
            page_id,
            parent_id,
            title_prefix=title_prefix,
            copy_attachments=copy_attachments,
            copy_labels=copy_labels,
        )
        clock = self._transport.clock
        started = clock.monotonic()
        while True:
            status = await self._backend.get_long_task(task_id)
            if on_progress is not None:
                await on_progress(status)
            if status.finished:
                return status
            if clock.monotonic() - started >= max_wait:
                raise ConfluenceTimeoutError(
                    f"copy task {task_id} still running after {max_wait} s"
                )
            await clock.sleep(poll_interval)
