"""Undeclared prefixes (``<foo:bar>``) get a stand-in namespace while parsed; it is the SDK's
own, it never reaches Confluence, and pages that received the old spelling still convert."""

from __future__ import annotations

import pytest

from confluence_client.content import markdown_to_storage, storage_to_markdown

CLEAN = '<p>a<foo:bar x="1">x</foo:bar></p><foo:widget><foo:part/></foo:widget>'


def test_undeclared_prefixes_round_trip_without_a_declaration() -> None:
    markdown = storage_to_markdown(CLEAN)
    storage = markdown_to_storage(markdown)
    assert storage == CLEAN
    assert "xmlns" not in markdown + storage


@pytest.mark.parametrize("owner", ["confluence-mcp", "confluence-client"])
def test_a_stand_in_declaration_written_into_a_page_is_read_and_dropped(owner: str) -> None:
    declared = f' xmlns:foo="urn:{owner}:undeclared:foo"'
    stored = (
        f'<p>a<foo:bar{declared} x="1">x</foo:bar></p>'
        f"<foo:widget{declared}><foo:part/></foo:widget>"
    )
    markdown = storage_to_markdown(stored)
    assert markdown == storage_to_markdown(CLEAN)
    assert markdown_to_storage(markdown) == CLEAN


@pytest.mark.parametrize("owner", ["confluence-mcp", "confluence-client"])
def test_markdown_fences_holding_a_stand_in_declaration_convert_back(owner: str) -> None:
    markdown = (
        f'```confluence\n<foo:widget xmlns:foo="urn:{owner}:undeclared:foo"><foo:part/>'
        "</foo:widget>\n```\n"
    )
    assert markdown_to_storage(markdown) == "<foo:widget><foo:part/></foo:widget>"
