"""Folders through the SDK (Cloud and OAuth gateway; Data Center has none)."""

import pytest

from confluence_client import ConfluenceClient, NotFoundError, NotSupportedError
from confluence_client.testing import FakeConfluenceServer


def _id(server: FakeConfluenceServer, title: str, kind: str = "page") -> str:
    return next(p.id for p in server.store.pages.values() if p.title == title and p.kind == kind)


async def test_folders(
    client: ConfluenceClient, server: FakeConfluenceServer, flavour: str
) -> None:
    handbook = _id(server, "Team handbook", "folder")
    if flavour == "datacenter":
        with pytest.raises(NotSupportedError):
            await client.get_folder(handbook)
        with pytest.raises(NotSupportedError):
            await client.create_folder("DEMO", "x")
        return
    folder = await client.get_folder(handbook)
    assert (folder.title, folder.content_type) == ("Team handbook", "folder")
    assert folder.web_url == f"{server.wiki_url}/spaces/DEMO/folder/{handbook}"
    kids = await client.list_folder_children(handbook)
    assert [(k.title, k.content_type, k.parent_id) for k in kids.items] == [
        ("Working hours", "page", handbook),
        ("Expenses", "page", handbook),
        ("Equipment inventory", "database", handbook),
    ]
    made = await client.create_folder("DEMO", "Archive", parent_id=handbook)
    assert made.content_type == "folder"
    assert server.store.pages[made.id].parent_id == handbook
    # Pages move into and out of folders like under any parent.
    faq = _id(server, "FAQ")
    await client.move_page(faq, made.id)
    assert server.store.pages[faq].parent_id == made.id
    inner = [k.title async for k in _walk(client, made.id)]
    assert inner == ["FAQ"]
    home = server.store.get_space_by_key("DEMO").homepage_id
    await client.move_page(faq, str(home))
    assert server.store.pages[faq].parent_id == home
    # The tree shows folders as nodes, their pages below them.
    tree = await client.get_page_tree(str(home))
    nodes = {n.page.title: n for n in tree.children}
    assert nodes["Team handbook"].page.content_type == "folder"
    assert "Working hours" in {c.page.title for c in nodes["Team handbook"].children}
    with pytest.raises(NotFoundError):
        await client.get_folder(faq)  # a page is not a folder


async def _walk(client: ConfluenceClient, folder_id: str):  # type: ignore[no-untyped-def]
    for item in (await client.list_folder_children(folder_id)).items:
        yield item
