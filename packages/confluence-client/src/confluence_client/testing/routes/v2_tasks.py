"""v2 tasks: list (by status, space, page, assignee), get, complete / reopen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import FakeBadRequestError, FakeNotFoundError
from .._http import iso, read_json, store_of
from .._records import TaskRecord
from .._store import FakeStore
from ._common import multi, path_id, user_id, v2_list

__all__ = ["ROUTES"]


def task_json(store: FakeStore, task: TaskRecord, body_format: str | None) -> dict[str, Any]:
    """A v2 Task."""
    page = store.pages[task.page_id]
    data: dict[str, Any] = {
        "id": task.id,
        "localId": f"task-{task.id}",
        "spaceId": page.space_id,
        "pageId": page.id,
        "status": task.status,
        "createdBy": task.created_by,
        "createdAt": iso(task.created_at),
        "updatedAt": iso(task.completed_at or task.created_at),
    }
    if task.assigned_to is not None:
        data["assignedTo"] = task.assigned_to
    if task.completed_by is not None and task.completed_at is not None:
        data["completedBy"] = task.completed_by
        data["completedAt"] = iso(task.completed_at)
    if body_format == "storage":
        data["body"] = {"storage": {"representation": "storage", "value": task.body}}
    return data


def _task(store: FakeStore, task_id: str) -> TaskRecord:
    task = store.tasks.get(task_id)
    if task is None or store.pages.get(task.page_id) is None or not store.visible(task.page_id):
        raise FakeNotFoundError(f"No task with id {task_id}")
    return task


async def list_tasks(request: Request) -> Response:
    store = store_of(request)
    fmt = request.query_params.get("body-format")
    statuses = set(multi(request, "status"))
    filters: dict[str, Callable[[TaskRecord], str | None]] = {
        "space-id": lambda t: store.pages[t.page_id].space_id,
        "page-id": lambda t: t.page_id,
        "assigned-to": lambda t: t.assigned_to,
        "created-by": lambda t: t.created_by,
    }
    with store.lock:
        found = sorted(
            (
                t
                for t in store.tasks.values()
                if t.page_id in store.pages and store.visible(t.page_id)
            ),
            key=lambda t: int(t.id),
        )
        if statuses:
            found = [t for t in found if t.status in statuses]
        for name, value_of in filters.items():
            wanted = set(multi(request, name))
            if wanted:
                found = [t for t in found if value_of(t) in wanted]
        return v2_list(request, found, lambda t: task_json(store, t, fmt))


async def get_task(request: Request) -> Response:
    store = store_of(request)
    with store.lock:
        task = _task(store, path_id(request))
        return JSONResponse(task_json(store, task, request.query_params.get("body-format")))


async def update_task(request: Request) -> Response:
    store = store_of(request)
    payload = await read_json(request)
    status = payload.get("status") if isinstance(payload, dict) else None
    if status not in ("complete", "incomplete"):
        raise FakeBadRequestError("status must be complete or incomplete")
    with store.lock:
        task = _task(store, path_id(request))
        if task.status != status:
            task.status = status
            done = status == "complete"
            task.completed_by = user_id(request) if done else None
            task.completed_at = store.now() if done else None
        return JSONResponse(task_json(store, task, "storage"))


ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/tasks", list_tasks, ["GET"]),
    ("/tasks/{id}", get_task, ["GET"]),
    ("/tasks/{id}", update_task, ["PUT"]),
]
