"""Control characters in keys, ids and search text: refused or blanked before any request."""

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote_plus

import pytest

from confluence_client import ConfluenceClient, Cql, InvalidInputError
from confluence_client.testing import FakeConfluenceServer
from confluence_client.validation import FILE_NAME_PATTERN, LABEL_NAME_PATTERN

# C0, DEL and C1 (Unicode "Cc"): a name or an id holding one is refused.
CONTROLS = ["\x00", "\x1b", "\x7f", "\x85"]
_RAW_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")

Call = Callable[[ConfluenceClient, str], Awaitable[Any]]
REFUSING: dict[str, tuple[str, Call]] = {
    "property key": ("key", lambda c, bad: c.get_page_property(1, f"ke{bad}y")),
    "property key on write": (
        "key",
        lambda c, bad: c.set_page_property(1, f"ke{bad}y", {"a": 1}),
    ),
    "restriction user": (
        "user",
        lambda c, bad: c.add_user_restriction(1, "read", f"us{bad}er"),
    ),
    "account id": ("account_id", lambda c, bad: c.check_permission(1, f"ac{bad}c", "read")),
    "task assignee": ("assigned_to", lambda c, bad: c.list_tasks(assigned_to=f"ac{bad}c")),
    "user id": ("user_id", lambda c, bad: c.list_user_groups(f"us{bad}er")),
    "user id on can_edit": ("user_id", lambda c, bad: c.can_user_edit(1, f"us{bad}er")),
}


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize("case", sorted(REFUSING))
async def test_names_and_ids_with_control_characters_are_refused_unsent(
    client: ConfluenceClient, server: FakeConfluenceServer, case: str, control: str
) -> None:
    field, call = REFUSING[case]
    server.requests.clear()
    with pytest.raises(InvalidInputError) as info:
        await call(client, control)
    assert info.value.field == field
    assert f"{field} must not contain control characters" in str(info.value)
    assert f"U+{ord(control):04X} at position 2" in str(info.value)
    assert len(server.requests) == 0


@pytest.mark.parametrize("control", CONTROLS)
async def test_search_text_and_cql_reach_confluence_with_control_characters_blanked(
    client: ConfluenceClient, server: FakeConfluenceServer, control: str
) -> None:
    server.requests.clear()
    await client.search_text(f"Getting{control}Started", space_key="DEMO")
    await client.search(f'space = "DEMO"{control}AND title ~ "Getting{control}Started"')
    await client.search(Cql.from_user(f'space = "DEMO"{control}AND type = page'))
    await client.search_users(f"Ad{control}min")
    sent = [unquote_plus(r.query) for r in server.requests if "search" in r.path]
    assert len(sent) == 4
    assert not any(_RAW_CONTROL.search(query) for query in sent)
    assert 'text ~ "Getting Started"' in sent[0]


@pytest.mark.parametrize("text", ["\x00", " \x7f\x9f\t"])
async def test_search_text_of_only_control_characters_is_refused_unsent(
    client: ConfluenceClient, server: FakeConfluenceServer, text: str
) -> None:
    server.requests.clear()
    with pytest.raises(InvalidInputError, match="text must be a non-empty string"):
        await client.search_text(text)
    with pytest.raises(InvalidInputError, match="cql must be a non-empty string"):
        await client.search(text)
    with pytest.raises(InvalidInputError, match="CQL text must be a non-empty string"):
        Cql.from_user(text)
    assert len(server.requests) == 0


@pytest.mark.parametrize("name", ["a\x7fb.txt", "a\x85b.txt", "evil\u202egpj.exe", "a\u200bb.txt"])
async def test_disguised_file_names_are_refused_unsent_one_file_or_several(
    client: ConfluenceClient, server: FakeConfluenceServer, name: str
) -> None:
    server.requests.clear()
    with pytest.raises(InvalidInputError, match="filename must not contain control"):
        await client.upload_attachment(1, name, b"x")
    with pytest.raises(InvalidInputError, match="filename must not contain control"):
        await client.upload_attachments(1, [("fine.txt", b"x"), (name, b"y")])
    assert len(server.requests) == 0


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        (FILE_NAME_PATTERN, "report v2 (final).pdf", ["a/b", "a\\b", "a\x7fb", "a\u202eb", ""]),
        (LABEL_NAME_PATTERN, "q3-2025", ["a b", "a\x85b", "a\x7fb", "a:b", ""]),
    ],
)
def test_exported_patterns_say_what_the_checks_accept(
    pattern: str, good: str, bad: list[str]
) -> None:
    assert re.fullmatch(pattern, good)
    assert not any(re.fullmatch(pattern, text) for text in bad)
