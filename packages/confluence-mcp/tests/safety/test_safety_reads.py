"""The safety pass on reads, through a real client against the fake's ``hostile`` space."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.exceptions import ToolError

from confluence_client.content import storage_to_markdown
from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.safety import META_KEY, WITHHELD

ClientFactory = Any
pytestmark = pytest.mark.fake_confluence(seed="hostile")

HIDDEN_MARKERS = ("HIDDEN-", "ignore previous", "SYSTEM:")


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(p.id for p in fake.store.pages.values() if p.title == title)


def safety(result: Any) -> dict[str, Any]:
    meta: dict[str, Any] = result.meta[META_KEY]
    return meta


def invisible(text: str) -> list[str]:
    return [
        hex(ord(c)) for c in text if unicodedata.category(c) == "Cf" and c not in "\u200d\u200c"
    ]


async def read(client: Client[Any], pid: str, **args: Any) -> Any:
    return await client.call_tool("get_page", {"page_id": pid, **args})


async def test_clean_page_is_byte_identical(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(redact_secrets=True)
    pid = page_id(fake_confluence, "Clean page")
    result = await read(client, pid)
    body = fake_confluence.store.pages[pid].body
    assert result.structured_content["content"] == storage_to_markdown(body)
    assert safety(result) == {"hidden_removed": 0, "secrets_redacted": 0, "trusted": True}
    raw = await read(client, pid, format="storage")
    assert raw.structured_content["content"] == body
    assert safety(raw)["trusted"] is False
    assert safety(raw)["raw_storage"] is True


@pytest.mark.parametrize(
    ("title", "removed"),
    [
        ("Zero-width text", 57),
        ("Placeholder injection", 1),
        ("Invisible spans", 5),
        ("Code fence info", 1),
    ],
)
async def test_hidden_content_does_not_survive(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer, title: str, removed: int
) -> None:
    client = await connect()
    result = await read(client, page_id(fake_confluence, title))
    text = result.structured_content["content"]
    assert not [marker for marker in HIDDEN_MARKERS if marker in text]
    assert invisible(text) == []
    assert safety(result)["hidden_removed"] == removed
    # The text content block the model sees matches the structured content.
    assert "HIDDEN-" not in result.content[0].text


async def test_storage_stays_faithful(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Invisible spans")
    raw = await read(client, pid, format="storage")
    assert raw.structured_content["content"] == fake_confluence.store.pages[pid].body
    assert safety(raw)["hidden_removed"] == 0


async def test_visible_text_survives(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    text = (await read(client, page_id(fake_confluence, "Zero-width text"))).structured_content[
        "content"
    ]
    assert "Deploy the service on Fridays." in text
    assert "Release notes are in the wiki." in text
    spans = (await read(client, page_id(fake_confluence, "Invisible spans"))).structured_content
    assert spans["content"].strip() == "Visible text. End."


async def test_secrets_are_redacted_and_counted(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    pid = page_id(fake_confluence, "Leaked secrets")
    for fmt in ("markdown", "storage"):
        result = await read(client, pid, format=fmt)
        text = result.structured_content["content"]
        for secret in ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI", "ghp_", "Sup3rSecret", "MIIEow"):
            assert secret not in text
            assert secret not in result.content[0].text
        assert safety(result)["secrets_redacted"] == 5
        assert "postgres://app:[REDACTED:password]@db.internal" in text


async def test_redaction_can_be_turned_off(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(redact_secrets=False)
    result = await read(client, page_id(fake_confluence, "Leaked secrets"), format="storage")
    assert "AKIAIOSFODNN7EXAMPLE" in result.structured_content["content"]
    assert safety(result)["secrets_redacted"] == 0


async def test_trust_labels(connect: ClientFactory, fake_confluence: FakeConfluenceServer) -> None:
    client = await connect()
    outside = await read(client, page_id(fake_confluence, "Outside author page"))
    assert safety(outside)["trusted"] is False
    assert "Helpful tips" in outside.structured_content["content"]  # labelled, not withheld
    partner = await read(client, page_id(fake_confluence, "Partner notes"))
    assert safety(partner)["trusted"] is False
    grouped = await connect(trusted_groups="partners")
    assert safety(await read(grouped, page_id(fake_confluence, "Partner notes")))["trusted"]
    olga = fake_confluence.store.find_user("olga@outside.example")
    assert olga is not None
    listed = await connect(trusted_authors=olga.account_id)
    assert safety(await read(listed, page_id(fake_confluence, "Outside author page")))["trusted"]


async def test_lockdown_withholds_exactly_untrusted_content(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(lockdown_mode=True)
    outside = await read(client, page_id(fake_confluence, "Outside author page"))
    assert outside.structured_content["content"] == WITHHELD
    assert safety(outside)["withheld"] == 1
    assert outside.structured_content["title"] == "Outside author page"
    outside_id = page_id(fake_confluence, "Outside author page")
    old = await client.call_tool("get_page_version", {"page_id": outside_id, "version": 1})
    assert old.structured_content["content"] == WITHHELD
    diff = await client.call_tool("diff_page_versions", {"page_id": outside_id, "from_version": 1})
    assert diff.structured_content["diff"] == WITHHELD
    dry = await client.call_tool(
        "update_page", {"page_id": outside_id, "version": 1, "body": "x", "dry_run": True}
    )
    assert dry.structured_content["diff"] == WITHHELD
    clean = await read(client, page_id(fake_confluence, "Clean page"))
    assert clean.structured_content["content"].startswith("## Overview")
    assert safety(clean)["withheld"] == 0
    comments = await client.call_tool(
        "list_comments", {"page_id": page_id(fake_confluence, "Clean page")}
    )
    bodies = [c["body"] for c in comments.structured_content["comments"]]
    assert bodies == ["Looks good to me.\n", WITHHELD]
    assert safety(comments) | {} == {
        "hidden_removed": 0,
        "secrets_redacted": 0,
        "trusted": False,
        "lockdown": True,
        "withheld": 1,
    }


async def test_lockdown_fails_closed_when_lookup_fails(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect(lockdown_mode=True)
    fake_confluence.faults.server_errors(
        path_prefix="/wiki/rest/api/content/", method="POST", status=500
    )
    result = await read(client, page_id(fake_confluence, "Clean page"))
    assert result.structured_content["content"] == WITHHELD


async def test_resource_and_prompt_are_filtered_and_locked_down(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    hidden = page_id(fake_confluence, "Invisible spans")
    contents = await client.read_resource(f"confluence://page/{hidden}")
    assert "HIDDEN-" not in contents[0].text
    locked = await connect(lockdown_mode=True)
    outside = page_id(fake_confluence, "Outside author page")
    withheld = await locked.read_resource(f"confluence://page/{outside}")
    assert withheld[0].text == WITHHELD
    prompt = await locked.get_prompt("summarize_page", {"page": outside})
    assert all("ignore previous" not in str(m.content) for m in prompt.messages)


async def test_error_text_is_cleaned(
    connect: ClientFactory, fake_confluence: FakeConfluenceServer
) -> None:
    client = await connect()
    with pytest.raises(ToolError) as caught:
        await client.call_tool(
            "get_page", {"title": "No\u200bsuch page AKIAIOSFODNN7EXAMPLE", "space_key": "HOSTILE"}
        )
    assert "\u200b" not in str(caught.value)
    assert "AKIAIOSFODNN7EXAMPLE" not in str(caught.value)
