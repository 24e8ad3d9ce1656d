"""Error texts and results tell a caller nothing its scopes or spaces could not read
(over a loopback socket, with API keys of different scopes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer
from mcp_auth import create_api_key

SCOPES = {
    "writer": ["confluence:write"],
    "deleter": ["confluence:delete"],
    "editor": ["confluence:read", "confluence:write", "confluence:delete"],
}


def page_id(fake: FakeConfluenceServer, title: str) -> str:
    return next(page.id for page in fake.store.pages.values() if page.title == title)


async def message(client: Client[Any], tool: str, arguments: dict[str, Any]) -> str:
    with pytest.raises(ToolError) as refused:
        await client.call_tool(tool, arguments)
    return str(refused.value)


async def test_write_and_delete_keys_learn_no_content(
    remote_settings_for: Any,
    serve_remote: Any,
    tmp_path: Path,
    fake_confluence: FakeConfluenceServer,
) -> None:
    keys = tmp_path / "keys.json"
    tokens = {name: create_api_key(keys, name, scopes).key for name, scopes in SCOPES.items()}
    store = fake_confluence.store
    arch = page_id(fake_confluence, "Architecture overview")  # DEMO, labelled, has headings
    eng_page = page_id(fake_confluence, "On-call rotation")  # ENG: outside the allow-list
    eng_comment = store.add_comment(eng_page, "<p>hidden</p>").id
    settings = remote_settings_for(
        mcp_api_keys_file=keys, confluence_spaces_filter="DEMO", mcp_rate_limit="off"
    )
    async with serve_remote(settings) as (base, _layer):
        url = f"{base}/mcp"
        seen: dict[str, dict[str, Any]] = {}
        for name, token in tokens.items():
            async with Client(StreamableHttpTransport(url, auth=token)) as client:
                answers: dict[str, Any] = {}
                if name != "deleter":
                    answers["section"] = await message(
                        client,
                        "update_page_section",
                        {
                            "page_id": arch,
                            "heading": "Nope",
                            "body": "x",
                            "version": store.pages[arch].version,
                        },
                    )
                    answers["reply elsewhere"] = await message(
                        client,
                        "add_comment",
                        {"page_id": arch, "body": "x", "reply_to": eng_comment},
                    )
                    answers["reply unknown"] = await message(
                        client, "add_comment", {"page_id": arch, "body": "x", "reply_to": "999999"}
                    )
                    added = await client.call_tool(
                        "add_labels", {"page_id": arch, "labels": [f"by-{name}"]}
                    )
                    answers["added"] = added.structured_content
                if name != "writer":
                    answers["remove missing"] = await message(
                        client, "remove_label", {"page_id": arch, "label": "nope"}
                    )
                seen[name] = answers
    writer, deleter, editor = seen["writer"], seen["deleter"], seen["editor"]
    # The headings and labels are page content: only the key that may read sees them.
    assert writer["section"] == "No heading matches 'Nope'."
    assert editor["section"].startswith("No heading matches 'Nope'. Headings on the page: '")
    assert writer["added"]["labels"] == ["by-writer"]
    assert {"architecture", "design", "by-editor"} <= set(editor["added"]["labels"])
    assert deleter["remove missing"] == f"Label 'nope' is not on page {arch}."
    assert "architecture" in editor["remove missing"]
    # A comment in a space the server does not serve answers like an id that does not exist.
    for answers in (writer, editor):
        assert answers["reply elsewhere"] == answers["reply unknown"]
        assert answers["reply elsewhere"].startswith("Not found")
    assert not store.replies(eng_comment)
