"""Group membership and the content permission check, against the ``hostile`` seed."""

import pytest

from confluence_client import ConfluenceClient, InvalidInputError, NotFoundError
from confluence_client.testing import FakeConfluenceServer

from .conftest import ClientFactory


def _ids(server: FakeConfluenceServer, login: str, flavour: str) -> str:
    user = server.store.find_user(login)
    assert user is not None
    return user.account_id if flavour == "cloud" else user.user_key


@pytest.mark.parametrize("flavour", ["cloud", "datacenter"])
async def test_groups_and_edit_rights(
    server: FakeConfluenceServer, make_client: ClientFactory, flavour: str
) -> None:
    server.reset(seed="hostile")
    page = next(p for p in server.store.pages.values() if p.title == "Clean page")
    client: ConfluenceClient
    async with make_client(flavour) as client:
        partner = _ids(server, "pat", flavour)
        assert await client.list_user_groups(partner) == ["partners"]
        assert await client.list_user_groups(_ids(server, "alice", flavour)) == []
        assert await client.can_user_edit(page.id, _ids(server, "alice", flavour)) is True
        assert await client.can_user_edit(page.id, partner) is False
        assert await client.can_user_edit(page.id, "nobody-at-all") is False
        with pytest.raises(NotFoundError):
            await client.list_user_groups("nobody-at-all")
        with pytest.raises(InvalidInputError):
            await client.can_user_edit(page.id, " ")
    requests = server.requests.matching(method="POST")
    assert any(r.path.endswith(f"/content/{page.id}/permission/check") for r in requests)
