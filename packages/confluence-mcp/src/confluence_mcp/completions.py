"""Argument completion (``completion/complete``) for the resource templates and prompts.

FastMCP 4.2.3 has one completion handler per server; this module owns it. What it completes:

==============================  ==============  ==============================================
reference                       argument        candidates
==============================  ==============  ==============================================
``confluence://space/{..}``,    ``space_key``   allowed space keys starting with the input (or
any prompt                                      a word of whose name does)
``confluence://page/{..}``      ``page_id``     ids of pages whose title matches the input
``summarize_page``,             ``page``        page titles matching the input, in the
``review_page_changes``                         ``space_key`` already given, if any
``draft_page``                  ``parent``      page titles in the given ``space_key``
``review_page_changes``         ``from_version``  the page's version numbers (``to_version``:
                                ``to_version``    only those after ``from_version``)
==============================  ==============  ==============================================

Completion is a convenience: a Confluence error (or an ambiguous page) yields no candidates,
never a protocol error. Everything passes the space allow-list, and the tool filters: an
argument is completed only when the tools giving the same data are exposed
(:data:`~confluence_mcp.toolsets.COMPLETIONS_NEEDING_TOOLS`).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from fastmcp.exceptions import PromptError
from mcp_types import PromptReference

from confluence_mcp.errors import CredentialError, is_confluence_error
from confluence_mcp.prompts import find_page
from confluence_mcp.resources import PAGE_TEMPLATE, SPACE_TEMPLATE
from confluence_mcp.toolsets import COMPLETIONS_NEEDING_TOOLS

if TYPE_CHECKING:
    from collections.abc import Iterable

    from fastmcp import FastMCP
    from mcp_types import CompletionArgument, CompletionContext, ResourceTemplateReference

    from confluence_client import SearchResult
    from confluence_mcp.services import Services

__all__ = ["MAX_CANDIDATES", "register"]

logger = logging.getLogger(__name__)

MAX_CANDIDATES = 20
_DIGITS = re.compile(r"[0-9]{1,20}")
_PAGE_PROMPTS = frozenset({"summarize_page", "review_page_changes"})


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Install the server's completion handler on ``mcp``."""

    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> list[str]:
        needs = COMPLETIONS_NEEDING_TOOLS.get(argument.name)
        if needs is None or not needs <= services.visible_tools:
            return []
        given = dict(context.arguments or {}) if context is not None else {}
        target = ref.name if isinstance(ref, PromptReference) else ref.uri
        try:
            return await _candidates(services, target, argument.name, argument.value, given)
        except PromptError:
            return []  # e.g. an ambiguous page title in the context: nothing to offer
        except CredentialError:
            return []  # a per-user mode's caller without a Confluence credential
        except Exception as exc:
            if not is_confluence_error(exc):
                raise
            logger.info("completion for %s/%s found nothing: %s", target, argument.name, exc)
            return []

    mcp.add_completion_handler(complete)


async def _candidates(
    services: Services, target: str, name: str, value: str, given: dict[str, str]
) -> list[str]:
    """Dispatch on (reference, argument); unknown pairs have no candidates."""
    space = given.get("space_key") or None
    if name == "space_key" and (target == SPACE_TEMPLATE or not target.startswith("confluence:")):
        return await _space_keys(services, value)
    if target == PAGE_TEMPLATE and name == "page_id":
        hits = await _pages(services, value, None)
        return [hit.content_id for hit in hits if hit.content_id]
    if (target in _PAGE_PROMPTS and name == "page") or (
        target == "draft_page" and name == "parent"
    ):
        return _unique(hit.title for hit in await _pages(services, value, space))
    if target == "review_page_changes" and name in ("from_version", "to_version"):
        page = given.get("page")
        if not page:
            return []
        after = given.get("from_version", "") if name == "to_version" else ""
        return await _versions(services, page, space, value, after)
    return []


async def _space_keys(services: Services, value: str) -> list[str]:
    typed = value.strip().lower()
    allowed = services.guard.allowed_spaces
    if allowed is not None:
        # With an allow-list, the candidates are known without asking Confluence.
        return [key for key in sorted(allowed) if key.lower().startswith(typed)][:MAX_CANDIDATES]
    client = await services.client()
    found = await client.list_spaces(limit=250)
    by_key = [space.key for space in found.items if space.key.lower().startswith(typed)]
    # A name matches when one of its words starts with the input ("eng" → "Engineering").
    by_name = [
        space.key
        for space in found.items
        if typed and any(word.startswith(typed) for word in space.name.lower().split())
    ]
    return _unique([*sorted(by_key), *by_name])


async def _pages(services: Services, value: str, space_key: str | None) -> list[SearchResult]:
    """Pages whose title matches ``value`` (most recently modified first)."""
    from confluence_client import Cql

    typed = value.strip()
    query = Cql.eq("type", "page")
    if space_key:
        if not services.guard.allows_key(space_key):
            return []
        query = query & Cql.eq("space", space_key)
    if typed and not _DIGITS.fullmatch(typed):
        query = query & Cql.contains("title", f"{typed}*")
    scope = services.guard.cql_scope()
    if scope is not None:
        query = query & scope
    client = await services.client()
    found = await client.search(query.order_by("lastmodified", descending=True), limit=50)
    hits = services.guard.filter_results(found.items)
    if _DIGITS.fullmatch(typed):
        return [hit for hit in hits if (hit.content_id or "").startswith(typed)]
    lowered = typed.lower()
    # Titles that start with the input first, then those that merely contain it.
    return sorted(hits, key=lambda hit: not hit.title.lower().startswith(lowered))


async def _versions(
    services: Services, page: str, space_key: str | None, value: str, after: str
) -> list[str]:
    if _DIGITS.fullmatch(page.strip()):
        page_id = page.strip()
        await services.guard.check_page_id(page_id)
    else:
        page_id = (await find_page(services, page, space_key)).id
    client = await services.client()
    found = await client.list_versions(page_id, limit=100)
    floor = int(after) if after.isdigit() else 0
    numbers = [str(v.number) for v in found.items if v.number > floor]
    return [number for number in numbers if number.startswith(value.strip())][:MAX_CANDIDATES]


def _unique(values: Iterable[str]) -> list[str]:
    """Drop duplicates, keep order, cap the count."""
    return list(dict.fromkeys(values))[:MAX_CANDIDATES]
