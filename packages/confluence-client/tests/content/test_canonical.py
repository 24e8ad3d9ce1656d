"""The canonical comparison used by every round-trip test."""

from __future__ import annotations

import pytest

from confluence_client.content import canonicalize_storage, storage_equivalent


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ('<p class="a" title="b">x</p>', '<p title="b" class="a">x</p>'),
        ("<p>&nbsp;&mdash;</p>", "<p>\u00a0\u2014</p>"),
        ("<p><![CDATA[a<b]]></p>", "<p>a&lt;b</p>"),
        ("<p />", "<p></p>"),
        ("<p>a   b\n c</p>", "<p>a b c</p>"),
        ("<p> a </p>\n<p>b</p>", "<p>a</p><p>b</p>"),
        ("<p>a <br/> b</p>", "<p>a<br/>b</p>"),
        ("<ul>\n<li>\n<p>x</p>\n</li>\n</ul>", "<ul><li><p>x</p></li></ul>"),
        (
            '<ac:structured-macro ac:name="m"><ac:parameter ac:name="b">2</ac:parameter>'
            '<ac:parameter ac:name="a">1</ac:parameter></ac:structured-macro>',
            '<ac:structured-macro ac:name="m"><ac:parameter ac:name="a">1</ac:parameter>'
            '<ac:parameter ac:name="b">2</ac:parameter></ac:structured-macro>',
        ),
    ],
)
def test_equivalent(first: str, second: str) -> None:
    assert storage_equivalent(first, second)
    assert canonicalize_storage(first) == canonicalize_storage(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("<p>a</p>", "<p>b</p>"),
        ("<p>a b</p>", "<p>ab</p>"),
        ("<p><strong> a</strong></p>", "<p> <strong>a</strong></p>"),
        ("<pre>a  b</pre>", "<pre>a b</pre>"),
        ("<p><code>a  b</code></p>", "<p><code>a b</code></p>"),
        (
            "<ac:plain-text-body><![CDATA[a\n b]]></ac:plain-text-body>",
            "<ac:plain-text-body><![CDATA[a b]]></ac:plain-text-body>",
        ),
        ('<p class="a">x</p>', "<p>x</p>"),
        ("<h1>x</h1><p>y</p>", "<p>y</p><h1>x</h1>"),
        ("<p>\u00a0</p>", "<p />"),
    ],
)
def test_not_equivalent(first: str, second: str) -> None:
    assert not storage_equivalent(first, second)
