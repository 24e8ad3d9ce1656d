"""Page restrictions, permission checks and space permissions (Cloud, OAuth gateway, DC)."""

import pytest

from confluence_client import ConfluenceClient, InvalidInputError, NotSupportedError
from confluence_client.testing import FakeConfluenceServer


def _user(server: FakeConfluenceServer, name: str, flavour: str) -> str:
    user = next(u for u in server.store.users.values() if u.username == name)
    return user.username if flavour == "datacenter" else user.account_id


async def test_restrictions(
    client: ConfluenceClient, server: FakeConfluenceServer, flavour: str
) -> None:
    salaries = server.store.list_pages(title="Salary bands")[0].id
    seeded = await client.get_restrictions(salaries)
    assert {u.display_name for u in seeded.read_users} == {"Alice Martin", "Fake User"}
    assert [u.display_name for u in seeded.update_users] == ["Alice Martin"]
    faq = server.store.list_pages(title="FAQ")[0].id
    assert (await client.get_restrictions(faq)).read_users == ()
    bob = _user(server, "bob", flavour)
    await client.add_user_restriction(faq, "update", bob)
    after = await client.get_restrictions(faq)
    assert [u.display_name for u in after.update_users] == ["Bob Chen"]
    await client.remove_user_restriction(faq, "update", bob)
    assert (await client.get_restrictions(faq)).update_users == ()
    with pytest.raises(InvalidInputError):
        await client.add_user_restriction(faq, "delete", bob)
    carol = next(u for u in server.store.users.values() if u.username == "carol").account_id
    if flavour == "datacenter":
        with pytest.raises(NotSupportedError):
            await client.check_permission(salaries, carol, "read")
        with pytest.raises(NotSupportedError):
            await client.list_space_permissions("DEMO")
        return
    alice = next(u for u in server.store.users.values() if u.username == "alice").account_id
    assert await client.check_permission(salaries, alice, "update") is True
    assert await client.check_permission(salaries, carol, "read") is False
    assert await client.check_permission(faq, carol, "update") is True
    grants = [g async for g in client.iter_space_permissions("DEMO", limit=5)]
    assert {(g.operation, g.target) for g in grants} >= {("read", "space"), ("administer", "space")}
