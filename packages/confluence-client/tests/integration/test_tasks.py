"""Tasks through the SDK (Cloud and OAuth gateway; Data Center: NotSupportedError)."""

import pytest

from confluence_client import ConfluenceClient, InvalidInputError, NotSupportedError
from confluence_client.testing import FakeConfluenceServer


async def test_tasks(client: ConfluenceClient, server: FakeConfluenceServer, flavour: str) -> None:
    if flavour == "datacenter":
        with pytest.raises(NotSupportedError):
            await client.list_tasks()
        return
    everything = await client.list_tasks(space_key="DEMO")
    assert len(everything.items) == 3
    open_ones = await client.list_tasks(status="incomplete")
    assert {t.body for t in open_ones.items} == {
        "Publish the release notes",
        "Review the on-call rota",
    }
    checklist = server.store.list_pages(title="Release checklist")[0].id
    on_page = await client.list_tasks(page_id=checklist)
    assert {t.page_id for t in on_page.items} == {checklist}
    mine = next(u.account_id for u in server.store.users.values() if u.username == "alice")
    [alices] = (await client.list_tasks(assigned_to=mine)).items
    done = await client.set_task_status(alices.id, complete=True)
    assert done.status == "complete"
    assert server.store.tasks[alices.id].status == "complete"
    again = await client.set_task_status(alices.id, complete=False)
    assert again.status == "incomplete"
    with pytest.raises(InvalidInputError):
        await client.list_tasks(status="done")


async def test_set_task_status_reads_the_task_once(
    cloud: ConfluenceClient, server: FakeConfluenceServer
) -> None:
    task_id = next(iter(server.store.tasks))
    server.requests.clear()
    await cloud.set_task_status(task_id, complete=True)
    # The write needs the task's page and space: one read, then the write.
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", f"/wiki/api/v2/tasks/{task_id}"),
        ("PUT", f"/wiki/api/v2/tasks/{task_id}"),
    ]
    current = await cloud.get_task(task_id)
    server.requests.clear()
    reopened = await cloud.set_task_status(task_id, complete=False, current=current)
    assert reopened.status == "incomplete"
    assert server.store.tasks[task_id].status == "incomplete"
    assert [(r.method, r.path) for r in server.requests] == [
        ("PUT", f"/wiki/api/v2/tasks/{task_id}")
    ]
    other = next(t for t in server.store.tasks if t != task_id)
    server.requests.clear()
    with pytest.raises(InvalidInputError, match="current"):
        await cloud.set_task_status(other, complete=True, current=current)
    assert len(server.requests) == 0
