"""Section edits touch only the targeted section."""

from __future__ import annotations

import pytest

from confluence_client import ConfluenceError
from confluence_client.content import (
    AmbiguousSectionError,
    ContentError,
    Section,
    SectionError,
    SectionNotFoundError,
    StorageParseError,
    canonicalize_storage,
    get_section,
    list_sections,
    replace_section,
)

BEFORE = (
    '<ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="m1"/>'
    "<h1>Runbook</h1><p>Intro &nbsp;text.</p>"
)
DEPLOY = "<h2>Deploy</h2>"
DEPLOY_BODY = (
    "<p>Run the pipeline.</p><h3>Checks</h3><p>Watch <strong>dashboards</strong>.</p>"
    '<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:plain-text-body>'
    "<![CDATA[./deploy.sh]]></ac:plain-text-body></ac:structured-macro>"
)
AFTER = (
    "<h2>Rollback</h2><p>Undo it.</p>"
    '<ac:layout><ac:layout-section ac:type="single"><ac:layout-cell><h2>Deploy</h2>'
    "<p>Second deploy heading, inside a layout.</p></ac:layout-cell></ac:layout-section>"
    "</ac:layout>"
)
DOCUMENT = BEFORE + DEPLOY + DEPLOY_BODY + AFTER


def _same(first: str, second: str) -> bool:
    return canonicalize_storage(first) == canonicalize_storage(second)


def test_list_sections() -> None:
    sections = list_sections(DOCUMENT)
    assert [(s.title, s.level, s.occurrence) for s in sections] == [
        ("Runbook", 1, 1),
        ("Deploy", 2, 1),
        ("Checks", 3, 1),
        ("Rollback", 2, 1),
        ("Deploy", 2, 2),
    ]
    assert sections[1] == Section(title="Deploy", level=2, anchor="Deploy", index=1, occurrence=1)


def test_replace_changes_only_the_target_section() -> None:
    result = replace_section(DOCUMENT, "Deploy", "<p>New body.</p>", occurrence=1)
    assert _same(result, BEFORE + DEPLOY + "<p>New body.</p>" + AFTER)


def test_replace_with_markdown() -> None:
    result = replace_section(
        DOCUMENT, "Rollback", "Run `undo`.\n\n- step", content_format="markdown"
    )
    expected = (
        BEFORE + DEPLOY + DEPLOY_BODY + "<h2>Rollback</h2><p>Run <code>undo</code>.</p>"
        "<ul><li><p>step</p></li></ul>" + AFTER[len("<h2>Rollback</h2><p>Undo it.</p>") :]
    )
    assert _same(result, expected)


def test_subsection_ends_at_its_parent_level() -> None:
    result = replace_section(DOCUMENT, "Checks", "<p>Only checks.</p>")
    expected = (
        BEFORE + DEPLOY + "<p>Run the pipeline.</p><h3>Checks</h3><p>Only checks.</p>" + AFTER
    )
    assert _same(result, expected)


def test_heading_inside_a_layout_cell_is_scoped_to_its_cell() -> None:
    result = replace_section(DOCUMENT, "Deploy", "<p>cell</p>", occurrence=2)
    assert _same(
        result, DOCUMENT.replace("<p>Second deploy heading, inside a layout.</p>", "<p>cell</p>")
    )


def test_empty_replacement_clears_the_section() -> None:
    result = replace_section(DOCUMENT, "Rollback", "")
    assert _same(result, DOCUMENT.replace("<p>Undo it.</p>", ""))


def test_replacement_text_without_elements() -> None:
    result = replace_section("<h1>A</h1>tail<p>x</p><h1>B</h1>", "A", "just text")
    assert _same(result, "<h1>A</h1>just text<h1>B</h1>")


@pytest.mark.parametrize(
    "heading",
    ["rollback", "## Rollback", "#Rollback", "Runbook-Rollback", "ROLLBACK", "  Rollback  "],
)
def test_heading_matching(heading: str) -> None:
    result = replace_section(DOCUMENT, heading, "<p>x</p>")
    assert _same(result, DOCUMENT.replace("<p>Undo it.</p>", "<p>x</p>"))


def test_anchor_macro_and_multi_word_anchor() -> None:
    storage = (
        '<h2><ac:structured-macro ac:name="anchor" ac:schema-version="1"><ac:parameter ac:name="">'
        "inst</ac:parameter></ac:structured-macro>Install the tool</h2><p>old</p>"
    )
    assert list_sections(storage)[0].title == "Install the tool"
    for heading in ("inst", "Install-the-tool", "#Install%20the%20tool"):
        assert "<p>new</p>" in replace_section(storage, heading, "<p>new</p>")


def test_heading_text_includes_link_titles_and_emoji() -> None:
    storage = (
        '<h2>See <ac:link><ri:page ri:content-title="Guide"/></ac:link> '
        '<ac:emoticon ac:name="x" ac:emoji-fallback="🚀"/></h2>'
    )
    assert list_sections(storage)[0].title == "See Guide 🚀"


def test_exact_text_wins_over_case_insensitive() -> None:
    storage = "<h2>deploy</h2><p>a</p><h2>Deploy</h2><p>b</p>"
    assert _same(
        replace_section(storage, "Deploy", "<p>x</p>"),
        "<h2>deploy</h2><p>a</p><h2>Deploy</h2><p>x</p>",
    )


def test_ambiguous_heading() -> None:
    with pytest.raises(AmbiguousSectionError) as caught:
        replace_section(DOCUMENT, "Deploy", "<p>x</p>")
    error = caught.value
    assert error.matches == 2
    assert error.available == ("Runbook", "Deploy", "Checks", "Rollback", "Deploy")
    assert isinstance(error, SectionError)
    assert isinstance(error, ContentError)
    assert isinstance(error, ConfluenceError)
    assert isinstance(error, LookupError)


@pytest.mark.parametrize(
    ("heading", "occurrence"), [("Missing", None), ("Deploy", 3), ("Deploy", 0)]
)
def test_heading_not_found(heading: str, occurrence: int | None) -> None:
    with pytest.raises(SectionNotFoundError) as caught:
        replace_section(DOCUMENT, heading, "<p>x</p>", occurrence=occurrence)
    assert caught.value.heading == heading
    assert "Rollback" in caught.value.available


def test_get_section() -> None:
    assert get_section(DOCUMENT, "Deploy", occurrence=1) == DEPLOY_BODY
    runbook = "<p>Intro &nbsp;text.</p>" + DEPLOY + DEPLOY_BODY + "<h2>Rollback</h2><p>Undo it.</p>"
    assert get_section(DOCUMENT, "Runbook") == runbook  # up to the layout, as written
    assert get_section("<h1>A</h1>", "A") == ""
    assert get_section("<h1>A</h1> tail &nbsp;<br />", "A") == " tail &nbsp;<br />"
    assert _same(get_section('<h2 title="x>y"/><p>a&nbsp;</p>', ""), "<p>a\u00a0</p>")


def test_malformed_documents_raise_a_typed_error() -> None:
    with pytest.raises(StorageParseError) as caught:
        replace_section("<p>unclosed", "A", "x")
    assert caught.value.line == 1
    assert "column" not in str(caught.value)
    with pytest.raises(StorageParseError):
        replace_section(DOCUMENT, "Rollback", "<p>broken", content_format="storage")
    with pytest.raises(StorageParseError):
        list_sections("<p>")
    with pytest.raises(ValueError, match="well-formed"):
        get_section("&bogus;", "x")


def test_markdown_raw_blocks_that_do_not_parse_are_spliced_verbatim() -> None:
    result = replace_section(
        DOCUMENT, "Rollback", "```confluence\n<p>half\n```", content_format="markdown"
    )
    assert "<h2>Rollback</h2><p>half<ac:layout>" in result


def test_text_outside_the_section_is_kept_byte_for_byte() -> None:
    # Entities, self-closing spellings and whitespace outside the section survive as written.
    before = '<p>Intro&nbsp;<br />x</p>\n<h2 id="d">Deploy</h2>'
    after = "<h2>Next</h2><p>keep &amp; <br /> this &mdash; é</p>\n"
    storage = before + "\n<p>old</p><h3>Sub</h3><p>sub</p>" + after
    result = replace_section(storage, "Deploy", "New *md*", content_format="markdown")
    assert result == before + "<p>New <em>md</em></p>" + after
    nested = '<ac:layout><ac:layout-section ac:type="single"><ac:layout-cell><h2>A</h2><p>a</p>'
    nested += "</ac:layout-cell></ac:layout-section></ac:layout><p>after &nbsp;</p>"
    assert replace_section(nested, "A", "<p >z</p>") == nested.replace("<p>a</p>", "<p >z</p>")


def test_splice_that_would_be_wrong_falls_back_to_the_rebuilt_document() -> None:
    # A ">" inside an attribute of an empty heading defeats the byte-offset shortcut; the
    # re-serialised tree is used instead, still equivalent outside the section.
    storage = '<p>a&nbsp;b</p><h2 title="x>y"/><p>old</p><h2>B</h2>'
    result = replace_section(storage, "", "<p>new</p>", occurrence=1)
    assert _same(result, '<p>a&nbsp;b</p><h2 title="x>y"/><p>new</p><h2>B</h2>')
    assert "&nbsp;" not in result


def test_every_corpus_section_can_be_replaced_and_restored(corpus: dict[str, str]) -> None:
    edits = 0
    for storage in corpus.values():
        for section in list_sections(storage):
            occurrence = section.occurrence
            original = get_section(storage, section.title, occurrence=occurrence)
            edited = replace_section(storage, section.title, "<p>X</p>", occurrence=occurrence)
            assert get_section(edited, section.title, occurrence=occurrence) == "<p>X</p>"
            assert len(list_sections(edited)) <= len(list_sections(storage))
            restored = replace_section(edited, section.title, original, occurrence=occurrence)
            assert restored == storage
            edits += 1
    assert edits > 40
