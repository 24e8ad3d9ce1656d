"""Restriction and permission operations of :class:`ConfluenceClient`."""

from __future__ import annotations

from collections.abc import AsyncIterator

from confluence_client._client_base import ClientBase, check_cursor, iterate
from confluence_client._errors import InvalidInputError
from confluence_client._models import PageRestrictions, ResultPage, SpacePermission, Task
from confluence_client._validation import check_content_id, check_limit, check_space_key, check_text

__all__ = ["PermissionOperations"]

_OPERATIONS = ("read", "update")


def _check_operation(value: str) -> str:
    if value not in _OPERATIONS:
        raise InvalidInputError(
            f"operation must be one of {list(_OPERATIONS)}, got {value!r}", field="operation"
        )
    return value


class PermissionOperations(ClientBase):
    """Page restrictions (view/edit), permission checks, space permissions and tasks."""

    async def get_restrictions(self, page_id: str | int) -> PageRestrictions:
        """Who a page's ``read`` (view) and ``update`` (edit) restrictions allow."""
        return await self._backend.get_restrictions(check_content_id(page_id))

    async def add_user_restriction(self, page_id: str | int, operation: str, user: str) -> None:
        """Allow ``user`` (Cloud account id; Data Center user name) in a page's ``read`` or
        ``update`` restriction; the first one restricts the page to its list."""
        await self._backend.set_user_restriction(
            check_content_id(page_id),
            _check_operation(operation),
            check_text(user, "user", max_length=128),
            True,
        )

    async def remove_user_restriction(self, page_id: str | int, operation: str, user: str) -> None:
        """Take ``user`` out of a page's ``read`` or ``update`` restriction."""
        await self._backend.set_user_restriction(
            check_content_id(page_id),
            _check_operation(operation),
            check_text(user, "user", max_length=128),
            False,
        )

    async def check_permission(self, page_id: str | int, account_id: str, operation: str) -> bool:
        """Whether a user may ``read`` (view) or ``update`` (edit) a page (Cloud)."""
        return await self._backend.check_permission(
            check_content_id(page_id),
            check_text(account_id, "account_id", max_length=128),
            _check_operation(operation),
        )

    async def list_space_permissions(
        self, space_key: str, *, limit: int = 25, cursor: str | None = None
    ) -> ResultPage[SpacePermission]:
        """One page of a space's permission grants (Cloud)."""
        return await self._backend.list_space_permissions(
            check_space_key(space_key), check_limit(limit), check_cursor(cursor)
        )

    async def list_tasks(
        self,
        *,
        space_key: str | None = None,
        page_id: str | int | None = None,
        assigned_to: str | None = None,
        status: str | None = None,
        limit: int = 25,
        cursor: str | None = None,
    ) -> ResultPage[Task]:
        """One page of tasks (Cloud), filtered by space, page, assignee (account id) and
        ``complete`` / ``incomplete``."""
        filters: dict[str, str] = {}
        if space_key is not None:
            filters["space-key"] = check_space_key(space_key)
        if page_id is not None:
            filters["page-id"] = check_content_id(page_id)
        if assigned_to is not None:
            filters["assigned-to"] = check_text(assigned_to, "assigned_to", max_length=128)
        if status is not None:
            if status not in ("complete", "incomplete"):
                raise InvalidInputError("status must be complete or incomplete", field="status")
            filters["status"] = status
        return await self._backend.list_tasks(filters, check_limit(limit), check_cursor(cursor))

    async def get_task(self, task_id: str | int) -> Task:
        """One task by id (Cloud)."""
        return await self._backend.get_task(check_content_id(task_id, "task_id"))

    async def set_task_status(
        self, task_id: str | int, *, complete: bool, current: Task | None = None
    ) -> Task:
        """Complete (``True``) or reopen (``False``) a task (Cloud).

        The write names the task's page and space, so the task is read first, unless
        ``current`` is that task as the caller just read it (one request fewer).
        """
        checked = check_content_id(task_id, "task_id")
        if current is None:
            current = await self._backend.get_task(checked)
        elif current.id != checked:
            raise InvalidInputError(
                f"current is task {current.id}, not task {checked}", field="current"
            )
        return await self._backend.set_task_status(current, bool(complete))

    def iter_space_permissions(
        self, space_key: str, *, limit: int = 100
    ) -> AsyncIterator[SpacePermission]:
        """Every permission grant of a space (Cloud)."""
        key, size = check_space_key(space_key), check_limit(limit)
        return iterate(lambda c: self._backend.list_space_permissions(key, size, c))
