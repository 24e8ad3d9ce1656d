"""replace_text: one exact piece of text changes; every other byte stays."""

from __future__ import annotations

import re

import pytest

from confluence_client.content import (
    AmbiguousTextError,
    TextNotFoundError,
    replace_text,
    storage_to_markdown,
)
from confluence_client.testing.seed._demo import corpus_documents

_WORD = re.compile(r"(?<![&#\w])[A-Za-z]{5,}(?!\w)")
_MACRO = re.compile(r"<ac:structured-macro\b.*?</ac:structured-macro>", re.DOTALL)


def unique_text_word(storage: str) -> str | None:
    """A word that occurs once in the document, and only in text (not in tags)."""
    text_only = re.sub(r"<[^>]*>", " ", storage)
    word: str
    for word in _WORD.findall(text_only):
        if storage.count(word) == 1 and text_only.count(word) == 1:
            return word
    return None


@pytest.mark.parametrize(("stem", "storage"), corpus_documents())
def test_corpus_edit_keeps_every_other_byte(stem: str, storage: str) -> None:
    word = unique_text_word(storage)
    if word is None:
        pytest.skip(f"{stem}: no word occurs exactly once in text")
    edited = replace_text(storage, word, "EDITED & <kept>")
    at = storage.index(word)
    assert edited == storage[:at] + "EDITED &amp; &lt;kept&gt;" + storage[at + len(word) :]
    for macro in _MACRO.findall(storage):
        if word not in macro:
            assert macro in edited
    assert "EDITED &amp; &lt;kept&gt;" in edited


def test_only_text_is_searched_not_markup() -> None:
    storage = (
        '<p title="alpha">beta</p><!-- alpha --><ac:parameter ac:name="alpha">gamma</ac:parameter>'
    )
    with pytest.raises(TextNotFoundError):
        replace_text(storage, "alpha", "x")
    assert replace_text(storage, "gamma", "delta").endswith(">delta</ac:parameter>")


def test_entities_are_decoded_for_matching_and_kept_elsewhere() -> None:
    storage = "<p>Don&rsquo;t&nbsp;panic &amp; carry on</p>"
    assert replace_text(storage, "Don\u2019t\u00a0panic", "Relax") == (
        "<p>Relax &amp; carry on</p>"
    )
    assert replace_text(storage, "carry", "go") == "<p>Don&rsquo;t&nbsp;panic &amp; go on</p>"


def test_code_block_text_is_editable() -> None:
    storage = (
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[x = 1 < 2]]>'
        "</ac:plain-text-body></ac:structured-macro>"
    )
    assert "<![CDATA[x = 3 < 4]]>" in replace_text(storage, "1 < 2", "3 < 4")
    with pytest.raises(ValueError, match="]]>"):
        replace_text(storage, "1", "]]>")


def test_occurrences() -> None:
    storage = "<p>one two</p><p>two <strong>two</strong></p>"
    with pytest.raises(AmbiguousTextError) as caught:
        replace_text(storage, "two", "2")
    assert caught.value.count == 3
    assert replace_text(storage, "two", "2", occurrence=3) == (
        "<p>one two</p><p>two <strong>2</strong></p>"
    )
    with pytest.raises(ValueError, match="between 1 and 3"):
        replace_text(storage, "two", "2", occurrence=4)
    with pytest.raises(ValueError, match="empty"):
        replace_text(storage, "", "x")


def test_text_across_formatting_is_not_found() -> None:
    storage = "<p>make <strong>it</strong> so</p>"
    assert storage_to_markdown(storage).strip() == "make **it** so"
    with pytest.raises(TextNotFoundError):
        replace_text(storage, "make it so", "x")
