"""What page-changing tools share for safety: dry-run diffs, stale-version checks and the
confirmation of destructive changes (see :mod:`confluence_mcp.safety.confirm`)."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Literal

import mcp_types as mt

from confluence_mcp.models import DeleteResult, PageRef
from confluence_mcp.safety.confirm import Pending

if TYPE_CHECKING:
    from fastmcp import Context

    from confluence_client import ConfluenceClient, Page
    from confluence_mcp.services import Services

__all__ = [
    "DeleteOutcome",
    "Pending",
    "WriteResult",
    "confirm_action",
    "diffs",
    "removed_share",
    "require_current",
]

# A diff longer than this is cut (with a note): a dry run must fit a model's context.
_MAX_DIFF_CHARS = 40_000


class WriteResult(PageRef):
    """A page written, or with ``dry_run`` what would change: ``diff`` holds the unified diff
    of the markdown, then of the storage (one field: tools/list bytes are a budget)."""

    dry_run: bool | None = None
    diff: str | None = None


class DeleteOutcome(DeleteResult):
    """A page trashed, or with ``dry_run`` what would be."""

    dry_run: bool | None = None
    diff: str | None = None


def require_current(page: Page, version: int | None) -> None:
    """Raise the SDK's conflict error if the caller read another version than the current."""
    from confluence_client import ConflictError

    current = page.version_number
    if version is not None and current is not None and current != version:
        raise ConflictError(
            f"page {page.id} is at version {current}, not the expected {version}",
            current_version=current,
            provided_version=version,
        )


def _unified(old: str, new: str, label: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{label} (current)",
        tofile=f"{label} (proposed)",
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    if len(text) > _MAX_DIFF_CHARS:
        text = text[:_MAX_DIFF_CHARS] + f"\n[diff cut at {_MAX_DIFF_CHARS} characters]\n"
    return text


async def diffs(services: Services, old_storage: str, new_storage: str) -> str:
    """Unified diffs of the markdown, then of the storage; empty when the bodies are equal."""
    old_md = await services.content.ato_markdown(old_storage) if old_storage else ""
    new_md = await services.content.ato_markdown(new_storage) if new_storage else ""
    # Storage is compared one tag per line, so a diff shows which element changed.
    old_xml = old_storage.replace("><", ">\n<")
    new_xml = new_storage.replace("><", ">\n<")
    return _unified(old_md, new_md, "markdown") + _unified(old_xml, new_xml, "storage")


def removed_share(old: str, new: str) -> float:
    """Share (0-1) of ``old``'s characters, counted by lines, that ``new`` no longer has."""
    old_lines = old.splitlines()
    total = sum(len(line) + 1 for line in old_lines)
    if total == 0:
        return 0.0
    matcher = difflib.SequenceMatcher(None, old_lines, new.splitlines(), autojunk=False)
    kept = sum(
        len(line) + 1
        for block in matcher.get_matching_blocks()
        for line in old_lines[block.a : block.a + block.size]
    )
    return 1.0 - kept / total


async def confirm_action(
    ctx: Context,
    services: Services,
    client: ConfluenceClient,
    pending: Pending,
    token: str | None,
    content_type: Literal["page", "blogpost"] = "page",
) -> mt.InputRequiredResult | None:
    """Confirm ``pending`` (see :class:`~confluence_mcp.safety.confirm.Confirmations`).

    Returns an ``InputRequiredResult`` the tool must return as is, or ``None`` to go ahead;
    a page whose version moved since the confirmed one aborts.
    """
    from confluence_client import ConflictError

    outcome = await services.confirmations.confirm(ctx, pending, token)
    if isinstance(outcome, mt.InputRequiredResult):
        return outcome
    if outcome is None:
        return None
    if outcome.waited:
        # The user answered during this call: the page may have changed meanwhile.
        fresh = await client.get_page(pending.page_id, body_format=None, content_type=content_type)
        require_current(fresh, outcome.version)
    elif outcome.version != pending.version:
        # pending.version comes from the read that began this call: as fresh as a re-read.
        raise ConflictError(
            f"page {pending.page_id} is at version {pending.version}, not the confirmed"
            f" {outcome.version}",
            current_version=pending.version,
            provided_version=outcome.version,
        )
    return None
