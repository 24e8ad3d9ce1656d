"""Tasks (Cloud): ``list_tasks`` (by space, page, assignee, status) and ``update_task``
(complete or reopen)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastmcp.tools import ToolResult

from confluence_mcp.models import ResultModel
from confluence_mcp.params import Cursor, Limit, PageId, SpaceKey, capped
from confluence_mcp.registry import confluence_tool
from confluence_mcp.tools.lean import lean_result

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import Task
    from confluence_mcp.services import Services

__all__ = ["TaskInfo", "TaskList", "register"]


class TaskInfo(ResultModel):
    id: str
    page_id: str | None = None
    status: str
    text: str | None = None
    assigned_to: str | None = None


class TaskList(ResultModel):
    tasks: list[TaskInfo]
    next_cursor: str | None = None


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the task tools to ``mcp``."""

    async def info(task: Task) -> TaskInfo:
        body = task.body or None
        # Task bodies are inline storage; plain text needs no conversion.
        text = await services.content.ato_markdown(body) if body and "<" in body else body
        return TaskInfo(
            id=task.id,
            page_id=task.page_id,
            status=task.status,
            text=text.strip() if text else None,
            assigned_to=task.assigned_to,
        )

    async def allowed(task: Task) -> bool:
        from confluence_client import NotFoundError

        try:
            await services.guard.check_space_id(task.space_id)
        except NotFoundError:
            return False
        return True

    @confluence_tool(mcp, access="read", output_schema=None)
    async def list_tasks(
        space_key: SpaceKey | None = None,
        page_id: PageId | None = None,
        assigned_to: Annotated[str, capped(128)] | None = None,
        status: Literal["complete", "incomplete"] | None = None,
        limit: Limit = 25,
        cursor: Cursor | None = None,
    ) -> ToolResult:
        """List tasks (Cloud) by space, page, assignee account id and/or status."""
        if space_key is not None:
            services.guard.check_space_key(space_key)
        if page_id is not None:
            await services.guard.check_page_id(page_id)
        client = await services.client()
        filtered = partial(
            client.list_tasks,
            space_key=space_key,
            page_id=page_id,
            assigned_to=assigned_to,
            status=status,
            limit=limit,
        )
        found, next_cursor = await services.cursors.fetch(
            cursor,
            lambda upstream: filtered(cursor=upstream),
            listing="list_tasks",
            binding=f"{space_key}\n{page_id}\n{assigned_to}\n{status}\n{limit}",
        )
        shown = [await info(t) for t in found.items if await allowed(t)]
        return lean_result(TaskList(tasks=shown, next_cursor=next_cursor))

    @confluence_tool(mcp, access="write", idempotent=True, output_schema=None)
    async def update_task(task_id: PageId, done: bool = True) -> ToolResult:
        """Complete a task (Cloud), or reopen it with done=false."""
        client = await services.client()
        current = await client.get_task(task_id)
        await services.guard.check_space_id(current.space_id)
        # The read that fed the space guard also gives the SDK the task's page and space.
        task = await client.set_task_status(task_id, complete=done, current=current)
        return lean_result(await info(task))
