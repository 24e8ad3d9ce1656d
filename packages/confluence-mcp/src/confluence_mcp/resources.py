"""MCP resource templates: a page as markdown, a space as an overview with its root pages.

- ``confluence://page/{page_id}``: the page's (or blog post's) title as a heading, then its
  body as markdown (cut at ``PAGE_MAX_CHARS`` with a marker pointing at ``get_page``).
- ``confluence://space/{space_key}``: name, key, description, home page and the pages directly
  under it, each linked as a ``confluence://page/<id>`` resource.

Both pass the space allow-list; anything outside it reads as "not found".
"""

from __future__ import annotations

import inspect
import re
from typing import TYPE_CHECKING, Any

from fastmcp.exceptions import ResourceError
from fastmcp.resources.template import FunctionResourceTemplate

from confluence_mcp.errors import confluence_errors
from confluence_mcp.safety import body_author, note_author
from confluence_mcp.shaping import window

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastmcp import FastMCP
    from mcp_types import ResourceTemplate as MCPResourceTemplate

    from confluence_client import ConfluenceClient, Page, Space
    from confluence_mcp.services import Services

__all__ = ["PAGE_TEMPLATE", "SPACE_TEMPLATE", "page_uri", "register", "render_space"]

PAGE_TEMPLATE = "confluence://page/{page_id}"
SPACE_TEMPLATE = "confluence://space/{space_key}"

_PAGE_ID = re.compile(r"[0-9]{1,20}")
_SPACE_KEY = re.compile(r"~?[A-Za-z0-9_.:@+-]{1,255}")
# The overview lists at most this many pages under the home page.
_MAX_ROOT_PAGES = 100


def page_uri(page_id: str) -> str:
    """The resource URI of a page."""
    return PAGE_TEMPLATE.format(page_id=page_id)


def render_space(space: Space, home: Page | None, pages: list[Page], more: bool) -> str:
    """The markdown overview of a space: header, description, home page, root pages."""
    lines = [f"# {space.name} ({space.key})", ""]
    if space.description:
        lines += [space.description.strip(), ""]
    if space.web_url:
        lines += [f"Link: {space.web_url}", ""]
    if home is not None:
        lines += [f"Home page: [{home.title}]({page_uri(home.id)}) (id {home.id})", ""]
    lines.append("## Pages" if home is None else "## Pages under the home page")
    lines.append("")
    if not pages:
        lines.append("(none)")
    lines += [f"- [{page.title}]({page_uri(page.id)}) (id {page.id})" for page in pages]
    if more:
        lines += ["", "(more pages exist: use get_page_tree or get_page_children to list them)"]
    return "\n".join(lines) + "\n"


async def _page_or_blogpost(client: ConfluenceClient, page_id: str) -> Page:
    from confluence_client import NotFoundError

    try:
        return await client.get_page(page_id, body_format="storage")
    except NotFoundError:
        return await client.get_page(page_id, body_format="storage", content_type="blogpost")


class _Template(FunctionResourceTemplate):
    """A resource template listed without FastMCP's ``_meta`` tag block (empty tags: noise)."""

    def to_mcp_template(self, **overrides: Any) -> MCPResourceTemplate:
        overrides.setdefault("_meta", None)
        return super().to_mcp_template(**overrides)


def _add_template(mcp: FastMCP[Any], fn: Callable[..., Any], uri: str, name: str) -> None:
    description = inspect.getdoc(fn)
    fn.__doc__ = None  # described here: FastMCP's docstring parser need not load at start-up
    mcp.add_template(
        _Template.from_function(
            fn, uri_template=uri, name=name, description=description, mime_type="text/markdown"
        )
    )


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the page and space resource templates to ``mcp``."""

    async def page_resource(page_id: str) -> str:
        """A Confluence page as markdown."""
        if not _PAGE_ID.fullmatch(page_id):
            # Never the value itself: a URI may be megabytes long (as for tool arguments).
            raise ResourceError("Invalid page id: page ids are 1 to 20 digits.")
        with confluence_errors(ResourceError):
            client = await services.client()
            page = await _page_or_blogpost(client, page_id)
            await services.guard.check_page(page)
            note_author(page.id, body_author(page))
            storage = page.body.value if page.body is not None else ""
            markdown = await services.content.ato_markdown(storage)
        # Window the body alone so a truncation marker's offset is valid for get_page.
        body = window(markdown, 0, services.settings.page_max_chars)
        return f"# {page.title}\n\n{body.render()}"

    async def space_resource(space_key: str) -> str:
        """A Confluence space: overview and root pages."""
        if not _SPACE_KEY.fullmatch(space_key):
            raise ResourceError(
                "Invalid space key: letters, digits and _ (or ~ and a user for a personal space)."
            )
        with confluence_errors(ResourceError):
            services.guard.check_space_key(space_key)
            client = await services.client()
            space = await client.get_space(space_key)
            home: Page | None = None
            if space.homepage_id is not None:
                home = await client.get_page(space.homepage_id, body_format=None)
                found = await client.list_children(home.id, limit=_MAX_ROOT_PAGES)
                pages, more = list(found.items), found.next_cursor is not None
            else:
                found = await client.list_pages(space.key, limit=_MAX_ROOT_PAGES)
                pages = [page for page in found.items if page.parent_id is None]
                more = found.next_cursor is not None
        return render_space(space, home, pages, more)

    _add_template(mcp, page_resource, PAGE_TEMPLATE, "page")
    _add_template(mcp, space_resource, SPACE_TEMPLATE, "space")
