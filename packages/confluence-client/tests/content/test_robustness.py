"""Malformed or unknown input never raises; it is preserved verbatim instead."""

from __future__ import annotations

import pytest

from confluence_client.content import (
    StorageParseError,
    canonicalize_storage,
    markdown_to_storage,
    storage_equivalent,
    storage_to_markdown,
)

MALFORMED = [
    "<p>unclosed",
    "<p>mismatched</div>",
    "<p>&bogus; entity</p>",
    "<undeclared:thing>x</undeclared:thing",
    "<?xml version='1.0'?><p>declaration</p>",
    "<!DOCTYPE x><p>doctype</p>",
    "<p>CDATA ]]> outside</p><![CDATA[x",
]


@pytest.mark.parametrize("storage", MALFORMED)
def test_malformed_storage_becomes_one_verbatim_block(storage: str) -> None:
    markdown = storage_to_markdown(storage)
    assert "confluence\n" in markdown.split("\n", 1)[0] + "\n"
    assert markdown_to_storage(markdown) == storage.replace("\r\n", "\n")


@pytest.mark.parametrize(
    ("storage", "expected"),
    [("<p>a\x00b</p>", "<p>a\ufffdb</p>"), ("<p>\ud800</p>", "<p>\ufffd</p>")],
)
def test_characters_xml_cannot_hold_become_replacement_characters(
    storage: str, expected: str
) -> None:
    with pytest.raises(StorageParseError):
        canonicalize_storage(storage)
    assert markdown_to_storage(storage_to_markdown(storage)) == expected


@pytest.mark.parametrize("storage", MALFORMED)
def test_malformed_storage_cannot_be_canonicalised(storage: str) -> None:
    with pytest.raises(StorageParseError):
        canonicalize_storage(storage)
    assert storage_equivalent(storage, storage)
    assert not storage_equivalent(storage, storage + " ")


@pytest.mark.parametrize(
    "storage",
    [
        '<undeclared:thing undeclared:attr="1">x</undeclared:thing>',
        "```\n<p>stray text holding a fence</p>",
        "<p>HTML 5 entity &check; and &NotEqualTilde;</p>",
        '<ac:structured-macro ac:name="custom-app" ac:schema-version="1"><ac:parameter '
        'ac:name="config"><ri:url ri:value="https://x.test"/></ac:parameter>'
        "</ac:structured-macro>",
        "<ac:layout><p>not a section</p></ac:layout>",
        "<ac:task-list><p>not a task</p></ac:task-list>",
        "<ac:task-list><ac:task><ac:task-status>odd</ac:task-status></ac:task></ac:task-list>",
        "<ul>text<li>x</li></ul>",
        '<ac:image><ac:caption><p>x</p></ac:caption><ri:url ri:value="u"/></ac:image>',
        '<ac:image><ri:url ri:value="attachment:x"/><ac:caption><p>x</p></ac:caption></ac:image>',
        '<ac:image><ri:page ri:content-title="x"/><ac:caption><p>x</p></ac:caption></ac:image>',
        '<ac:image><ri:url ri:value="u"/><ac:caption a="1"><p>x</p></ac:caption></ac:image>',
        '<ac:image><ri:url ri:value="u"/>text<ac:caption><p>x</p></ac:caption></ac:image>',
        "<table><tr><td>no tbody</td></tr></table>",
        "<table><tbody><tr><td>a</td><td>b</td></tr><tr><td>ragged</td></tr></tbody></table>",
        "<table><thead><tr><th>x</th></tr></thead></table>",
        "<table><tbody><tr><th>a</th><td>b</td></tr><tr><td>c</td><td>d</td></tr></tbody></table>",
        "<table><tbody><tr><td>a</td></tr><tr><th>b</th></tr><tr><td>c</td></tr></tbody></table>",
        '<table><colgroup><col span="2"/></colgroup><tbody><tr><td>a</td></tr></tbody></table>',
        '<p><ac:link><ri:page ri:content-title="x"/>stray</ac:link></p>',
        "<p><ac:link><ri:page/></ac:link></p>",
        "<p><ac:image><ri:attachment/></ac:image></p>",
        '<p><ac:emoticon ac:name="x">text</ac:emoticon></p>',
        '<p><span class="status">looks like ours</span></p>',
        '<p><code class="x">a</code> <em id="e">b</em> <a name="anchor">c</a></p>',
        '<p><a href="https://x.test/&lt;y&gt;">angle</a></p>',
        "<p><code>multi\nline</code></p>",
        '<ac:structured-macro ac:name="code" ac:schema-version="1"><ac:parameter ac:name="bad key">'
        "1</ac:parameter><ac:plain-text-body><![CDATA[x]]></ac:plain-text-body></ac:structured-macro>",
        '<ac:structured-macro ac:name="status" ac:schema-version="1"/>',
        '<ac:structured-macro ac:name="include" ac:schema-version="1"><ac:parameter ac:name="">'
        '<ac:link><ri:page ri:content-title="x" ri:version-at-save="2"/></ac:link></ac:parameter>'
        "</ac:structured-macro>",
        '<ac:structured-macro ac:name="include" ac:schema-version="1"><ac:parameter ac:name="">'
        '<ac:link ac:anchor="a"><ri:page ri:content-title="x"/></ac:link></ac:parameter>'
        "</ac:structured-macro>",
        '<ac:structured-macro ac:name="m" ac:schema-version="1"><ac:parameter ac:name="p">'
        '<ri:url ri:value="https://x.test"/></ac:parameter></ac:structured-macro>',
        '<ac:structured-macro ac:name="m" ac:schema-version="1"><ac:parameter ac:name="p">'
        '<ac:link><ri:page ri:content-title="x"/>tail</ac:link></ac:parameter>'
        "</ac:structured-macro>",
        '<ac:structured-macro ac:name="m" ac:schema-version="1"><ac:parameter ac:name="p">'
        'text <ri:space ri:space-key="A"/></ac:parameter></ac:structured-macro>',
        "<blockquote>bare text in a quote</blockquote>",
        '<h2 id="x">with id</h2><p class="lead">with class</p>',
        '<p><ac:structured-macro ac:name="status" ac:schema-version="1"><ac:parameter '
        'ac:name="colour">Red</ac:parameter></ac:structured-macro></p>',
        '<ol start="1"><li><p>explicit start</p></li></ol><ol start="x"><li>bad</li></ol>',
        "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete"
        "</ac:task-status><ac:task-body><p>block first</p></ac:task-body></ac:task></ac:task-list>",
    ],
)
def test_unusual_storage_round_trips(storage: str) -> None:
    markdown = storage_to_markdown(storage)
    assert storage_equivalent(markdown_to_storage(markdown), storage)
    assert storage_to_markdown(markdown_to_storage(markdown)) == markdown


@pytest.mark.parametrize(
    "markdown",
    [
        ":::",
        "::: info\nunclosed container",
        "```confluence\n",
        "[x](<page:>)",
        "[x](page:A/B/C#d#e)",
        "- [ ]",
        "- [ ] []{.task}",
        "[]{.emoticon}",
        "[]{.status}",
        "[]{.macro}",
        "[x]{md-tag=not/valid}",
        "{md-colgroup=10px}\n| a |\n|---|\n| 1 |",
        "![x](attachment:)",
        "| a |\n|---|\n| `` ` `` |",
        "[]{.task task-id=1}",
        "<p>html is text</p>",
        "\\",
        '```js {a="unterminated\n```',
    ],
)
def test_odd_markdown_never_raises(markdown: str) -> None:
    storage = markdown_to_storage(markdown)
    canonicalize_storage(storage)  # always well-formed


def test_resource_parameters_with_unknown_targets_stay_text() -> None:
    storage = markdown_to_storage("::: include {link:_=nonsense ref:x=also}\n:::")
    assert '<ac:parameter ac:name="">nonsense</ac:parameter>' in storage
    assert '<ac:parameter ac:name="x">also</ac:parameter>' in storage


def test_markup_only_links_and_images_keep_their_text() -> None:
    storage = markdown_to_storage("[x](page:A/B/C#d#e)")
    assert 'ri:space-key="A/B"' in storage
    assert 'ri:content-title="C"' in storage
    assert 'ac:anchor="d#e"' in storage


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("<blockquote>", "</blockquote>"),
        ("<ul><li>", "</li></ul>"),
        ("<div>", "</div>"),
        ("<span>", "</span>"),
        (
            '<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body>',
            "</ac:rich-text-body></ac:structured-macro>",
        ),
    ],
)
@pytest.mark.parametrize("depth", [30, 300])
def test_deep_nesting_round_trips(opening: str, closing: str, depth: int) -> None:
    # Deeper than markdown can nest, inner levels stay verbatim; deeper than the XML parser
    # allows, the whole page does. Either way nothing recurses away or takes exponential time.
    storage = opening * depth + "<p>x</p>" + closing * depth
    markdown = storage_to_markdown(storage)
    assert storage_equivalent(markdown_to_storage(markdown), storage)
