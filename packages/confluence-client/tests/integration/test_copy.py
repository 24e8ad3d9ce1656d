"""Copying a page and a page tree through the SDK (Cloud, OAuth gateway, DC)."""

import pytest

from confluence_client import ConfluenceClient, InvalidInputError, LongTask
from confluence_client.testing import FakeConfluenceServer

from .conftest import FakeClock


async def test_copy_one_page(client: ConfluenceClient, server: FakeConfluenceServer) -> None:
    arch = server.store.list_pages(title="Architecture overview")[0]
    eng_home = server.store.get_space_by_key("ENG").homepage_id
    copy = await client.copy_page(arch.id, parent_id=eng_home, copy_labels=True)
    assert copy.id != arch.id
    assert copy.title == arch.title
    assert copy.parent_id == eng_home
    stored = server.store.pages[copy.id]
    assert stored.body == arch.body
    assert [lb.name for lb in stored.labels] == [lb.name for lb in arch.labels]
    assert server.store.page_attachments(copy.id) == []
    renamed = await client.copy_page(
        arch.id, space_key="DEMO", title="Architecture (draft)", copy_attachments=True
    )
    assert renamed.title == "Architecture (draft)"
    assert [a.title for a in server.store.page_attachments(renamed.id)] == [
        a.title for a in server.store.page_attachments(arch.id)
    ]
    with pytest.raises(InvalidInputError):
        await client.copy_page(arch.id)
    with pytest.raises(InvalidInputError):
        await client.copy_page(arch.id, space_key="DEMO", parent_id=eng_home)


async def test_copy_tree_reports_progress(
    client: ConfluenceClient, server: FakeConfluenceServer, clock: FakeClock
) -> None:
    arch = server.store.list_pages(title="Architecture overview")[0]
    size = 1 + len(server.store.descendants(arch.id))
    eng_home = server.store.get_space_by_key("ENG").homepage_id
    assert eng_home is not None
    seen: list[LongTask] = []

    async def progress(task: LongTask) -> None:
        seen.append(task)

    done = await client.copy_page_tree(
        arch.id, eng_home, title_prefix="Copy: ", on_progress=progress, poll_interval=2.0
    )
    assert done.finished
    assert done.successful
    assert [t.percentage for t in seen] == sorted(t.percentage for t in seen)
    assert len(seen) > 1
    assert seen[-1].percentage == 100
    assert clock.sleeps[-(len(seen) - 1) :] == [2.0] * (len(seen) - 1)
    assert done.destination_id is not None
    root = server.store.pages[done.destination_id]
    assert (root.title, root.parent_id) == ("Copy: Architecture overview", eng_home)
    assert 1 + len(server.store.descendants(root.id)) == size
    with pytest.raises(InvalidInputError):
        await client.get_long_task("../x")
