"""Copying pages in the fake's store: one page at once, a page tree as a long task.

Functions over a :class:`FakeStore` (they need its labels and attachments too).

A tree copy is a long task that advances each time its status is read (a third of the pages
per read), so clients see progress without the fake running timers or threads.
"""

from __future__ import annotations

import math

from ._errors import FakeBadRequestError, FakeNotFoundError
from ._records import LongTaskRecord, PageRecord
from ._store import FakeStore

__all__ = ["advance_long_task", "copy_page", "start_tree_copy"]


def copy_page(
    store: FakeStore,
    page_id: str,
    *,
    parent_id: str | None = None,
    space_id: str | None = None,
    title: str | None = None,
    attachments: bool = False,
    labels: bool = False,
    author_id: str | None = None,
) -> PageRecord:
    """A new page with the source's current body, under ``parent_id`` or at the root of
    ``space_id`` (Confluence's ``parent_page`` / ``space`` destinations)."""
    with store.lock:
        source = store.get_page(page_id)
        if source.kind != "page":
            raise FakeBadRequestError("Only pages can be copied")
        if parent_id is not None:
            space_id = store.get_page(parent_id).space_id
        elif space_id is None:
            raise FakeBadRequestError("A destination is required")
        copy = store.add_page(
            space_id,
            title if title is not None else source.title,
            source.body,
            parent_id=parent_id,
            author_id=author_id,
        )
        if labels:
            for label in source.labels:
                store.add_label(copy.id, label.name, label.prefix)
        if attachments:
            for att in store.page_attachments(source.id):
                store.add_attachment(
                    copy.id, att.title, att.data, media_type=att.media_type, comment=att.comment
                )
        return copy


def start_tree_copy(
    store: FakeStore,
    page_id: str,
    destination_parent: str,
    *,
    prefix: str = "",
    search: str = "",
    replace: str = "",
    attachments: bool = False,
    labels: bool = False,
    descendants: bool = True,
) -> LongTaskRecord:
    """Plan a tree copy below ``destination_parent``; it runs as its status is read."""
    with store.lock:
        root = store.get_page(page_id)
        target = store.get_page(destination_parent)
        if target.id == root.id or root.id in {a.id for a in store.ancestors(target.id)}:
            raise FakeBadRequestError("Cannot copy a page hierarchy below itself")
        pending: list[tuple[str, str | None]] = [(root.id, None)]
        if descendants:
            pending += [(p.id, p.parent_id) for p, _ in store.descendants(root.id)]
        if target.space_id == root.space_id and not (prefix or search):
            raise FakeBadRequestError(
                "titleOptions are required to copy a page hierarchy within the same space"
            )
        task = LongTaskRecord(
            str(len(store.long_tasks) + 1),
            root.id,
            target.id,
            pending,
            len(pending),
            prefix,
            search,
            replace,
            attachments,
            labels,
        )
        store.long_tasks[task.id] = task
        return task


def advance_long_task(store: FakeStore, task_id: str) -> LongTaskRecord:
    """Copy the next third of a tree-copy's pages (a status read calls this)."""
    with store.lock:
        task = store.long_tasks.get(task_id)
        if task is None:
            raise FakeNotFoundError(f"No long task with id {task_id}")
        step = max(1, math.ceil(task.total / 3))
        while task.pending and step > 0 and task.error is None:
            source_id, source_parent = task.pending.pop(0)
            source = store.get_page(source_id)
            title = task.prefix + (
                source.title.replace(task.search, task.replace) if task.search else source.title
            )
            parent = (
                task.destination_parent if source_parent is None else task.copied[source_parent]
            )
            try:
                copy = copy_page(
                    store,
                    source_id,
                    parent_id=parent,
                    title=title,
                    attachments=task.attachments,
                    labels=task.labels,
                )
            except FakeBadRequestError as exc:
                task.error = str(exc)
                break
            task.copied[source_id] = copy.id
            step -= 1
        return task
