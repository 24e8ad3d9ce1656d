"""The one module that knows how page bodies are converted (replaceable in one place).

Tools speak markdown by default and pass Confluence storage format through verbatim on
request; the actual conversion is :mod:`confluence_client.content`, imported on first use so
start-up stays lean (it pulls in lxml and markdown-it).

Conversion is CPU work (a large page takes tens of milliseconds), so handlers use the ``a*``
methods, which run it in a worker thread and keep the event loop free for other sessions.
Each has a budget: at most ``max_parallel`` conversions run at once in the process (a thread
cannot be stopped, so this is what bounds the CPU a flood of hostile bodies can take), and a
call that has not finished ``budget_s`` seconds after it asked fails with
:class:`ConversionBudgetError` (a clear tool error) while its thread finishes on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Literal

import anyio
import anyio.to_thread
from fastmcp.exceptions import ToolError

from confluence_mcp.content_cache import MarkdownCache

__all__ = ["BodyInputFormat", "ContentConverter", "ConversionBudgetError", "ReadFormat"]

DEFAULT_BUDGET_S = 20.0
DEFAULT_MAX_PARALLEL = 2

ReadFormat = Literal["markdown", "storage", "view"]
BodyInputFormat = Literal["markdown", "storage"]


def _without_hidden(storage: str) -> str:
    """Markup a reader cannot see is dropped before it becomes text the model reads; the
    count goes to the request's safety scope (see :mod:`confluence_mcp.safety`)."""
    from confluence_mcp.safety.filter import prune_hidden_storage

    pruned, removed = prune_hidden_storage(storage)
    _note_hidden(removed)
    return pruned


def _note_hidden(removed: int) -> None:
    from confluence_mcp.safety.scope import current_scope

    scope = current_scope()
    if removed and scope is not None:
        scope.hidden_removed += removed


def _storage_to_markdown(storage: str) -> tuple[str, int]:
    """Markdown of the visible part of ``storage``, and how many hidden parts were dropped."""
    from confluence_client.content import storage_to_markdown
    from confluence_mcp.safety.filter import prune_hidden_storage

    pruned, removed = prune_hidden_storage(storage)
    return storage_to_markdown(pruned), removed


class ConversionBudgetError(ToolError):
    """A conversion did not finish within its budget."""


class ContentConverter:
    """Storage ⇄ markdown for tool inputs and outputs."""

    def __init__(
        self, *, budget_s: float = DEFAULT_BUDGET_S, max_parallel: int = DEFAULT_MAX_PARALLEL
    ) -> None:
        self.budget_s = budget_s
        self._slots = threading.BoundedSemaphore(max_parallel)
        self._markdown = MarkdownCache()

    async def _run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in a worker thread, within the budget (see the module doc)."""
        slots = self._slots
        budget = self.budget_s

        def bounded() -> Any:
            # The slot is held by the thread itself, so work abandoned on timeout still counts.
            if not slots.acquire(timeout=budget):
                raise ConversionBudgetError(
                    "The server is busy converting other pages; retry in a moment."
                )
            try:
                return fn(*args)
            finally:
                slots.release()

        try:
            with anyio.fail_after(budget):
                return await anyio.to_thread.run_sync(bounded, abandon_on_cancel=True)
        except TimeoutError:
            raise ConversionBudgetError(
                f"The content took longer than {budget:g} s to convert: split it into smaller "
                "pages or simplify its markdown (e.g. fewer nested links or brackets)."
            ) from None

    def to_markdown(self, storage: str) -> str:
        """Storage XHTML → markdown that keeps macros etc. in forms that convert back.

        Hidden content (editor-only placeholders, comments, invisibly styled text) is left
        out: markdown is what the model reads. Raw storage reads do not come through here."""
        markdown, removed = _storage_to_markdown(storage)
        _note_hidden(removed)
        return markdown

    def view_to_markdown(self, view_html: str) -> str:
        """Rendered ``view`` HTML → markdown (lossy; for reading only)."""
        from confluence_client.content import view_to_markdown

        return view_to_markdown(_without_hidden(view_html))

    def to_storage(self, body: str, body_format: BodyInputFormat) -> str:
        """A tool's body input → storage XHTML.

        Storage passes through byte for byte, but only if it is well-formed: Confluence would
        refuse it, or worse, store a page that can no longer be edited by section. Raises the
        SDK's ``InvalidInputError`` (field ``body``) otherwise.
        """
        if body_format == "storage":
            from confluence_client import InvalidInputError
            from confluence_client.content import StorageParseError, canonicalize_storage

            try:
                canonicalize_storage(body)
            except StorageParseError as exc:
                where = f" (line {exc.line})" if exc.line is not None else ""
                raise InvalidInputError(
                    f"not well-formed storage XHTML{where}; check that every tag is closed",
                    field="body",
                ) from None
            return body
        from confluence_client.content import markdown_to_storage

        return markdown_to_storage(body)

    def replace_section(
        self,
        storage: str,
        heading: str,
        content: str,
        content_format: BodyInputFormat,
        occurrence: int | None = None,
    ) -> str:
        """The whole document with the content under ``heading`` replaced; the rest untouched.

        Raises the SDK's ``SectionNotFoundError`` / ``AmbiguousSectionError`` /
        ``StorageParseError`` (mapped to tool errors in :mod:`confluence_mcp.errors`).
        """
        from confluence_client.content import replace_section

        return replace_section(
            storage, heading, content, content_format=content_format, occurrence=occurrence
        )

    def same_storage(self, first: str, second: str) -> bool:
        """Whether two storage documents are equivalent (canonical XML comparison)."""
        from confluence_client.content import storage_equivalent

        return storage_equivalent(first, second)

    def section(self, storage: str, heading: str) -> str:
        """The storage under one heading (text or anchor); SDK section errors otherwise."""
        from confluence_client.content import get_section

        return get_section(storage, heading)

    # --- the same, off the event loop -------------------------------------------------------
    async def asection(self, storage: str, heading: str) -> str:
        """:meth:`section` in a worker thread."""
        return await self._run(self.section, storage, heading)  # type: ignore[no-any-return]

    async def asame_storage(self, first: str, second: str) -> bool:
        """:meth:`same_storage` in a worker thread."""
        return await self._run(self.same_storage, first, second)  # type: ignore[no-any-return]

    async def ato_markdown(self, storage: str) -> str:
        """:meth:`to_markdown` in a worker thread; an unchanged body read again (the next
        window of a long page, a re-read) comes from the cache without a thread or a parse."""
        cached = self._markdown.get(storage)
        if cached is None:
            cached = await self._run(_storage_to_markdown, storage)
            self._markdown.put(storage, *cached)
        markdown, removed = cached
        _note_hidden(removed)  # counted per request, cached or not
        return markdown

    async def aview_to_markdown(self, view_html: str) -> str:
        """:meth:`view_to_markdown` in a worker thread."""
        return await self._run(self.view_to_markdown, view_html)  # type: ignore[no-any-return]

    async def ato_storage(self, body: str, body_format: BodyInputFormat) -> str:
        """:meth:`to_storage` in a worker thread."""
        return await self._run(self.to_storage, body, body_format)  # type: ignore[no-any-return]

    async def areplace_section(
        self,
        storage: str,
        heading: str,
        content: str,
        content_format: BodyInputFormat,
        occurrence: int | None = None,
    ) -> str:
        """:meth:`replace_section` in a worker thread."""
        return await self._run(  # type: ignore[no-any-return]
            self.replace_section, storage, heading, content, content_format, occurrence
        )
