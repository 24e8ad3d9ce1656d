"""Conversion work stays linear in the input: no step re-reads the rest of a paragraph.

Timing is not asserted (that belongs to ``benchmarks/``); instead every attribute parse the
converter makes is recorded, and none may read more than a bounded window, whatever the
input. The plugin's own rules read the whole rest of the paragraph at each ``[x]`` or link.
"""

from __future__ import annotations

from typing import Any

import pytest
from mdit_py_plugins.attrs import index as plugin_rules
from mdit_py_plugins.attrs import parse as plugin_parse

from confluence_client.content import _md_attrs, markdown_to_storage, storage_to_markdown

ADVERSARIAL = [
    "[a](" * 6000,
    "[a]b" * 6000,
    "[a]{" * 6000,
    "`a`b" * 6000,
    "[a](b)x" * 6000,
    "![a](b)" * 6000,
]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    lengths: list[int] = []
    real = plugin_parse.parse

    def recording(text: str) -> Any:
        lengths.append(len(text))
        return real(text)

    monkeypatch.setattr(plugin_rules, "parse", recording)
    monkeypatch.setattr(_md_attrs, "parse", recording)
    return lengths


@pytest.mark.parametrize("text", ADVERSARIAL)
def test_attribute_parses_read_a_bounded_window(reads: list[int], text: str) -> None:
    markdown_to_storage(text)
    assert max(reads, default=0) <= _md_attrs.MAX_ATTRS_CHARS


def test_attributes_still_work() -> None:
    storage = markdown_to_storage("[Done]{.status colour=Green} and `x`{.c}")
    assert 'ac:name="status"' in storage
    again = storage_to_markdown(storage)
    assert "[Done]{.status" in again or "Done" in again
