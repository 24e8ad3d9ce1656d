"""Storage becomes readable markdown, and every form converts back to equivalent storage."""

from __future__ import annotations

import pytest

from confluence_client.content import markdown_to_storage, storage_equivalent, storage_to_markdown

MACRO_ID = "a1b2c3d4-0001-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("storage", "markdown"),
    [
        ("<h2>Goals</h2><p>Ship <strong>v2</strong>.</p>", "## Goals\n\nShip **v2**.\n"),
        (
            "<p>5 * 3, snake_case, [x], a | b, &lt;t&gt; &amp;amp;</p>",
            "5 \\* 3, snake\\_case, \\[x\\], a \\| b, \\<t\\> \\&amp;\n",
        ),
        (
            "<p>- no</p><p>1. no</p><p>&gt; no</p><p>::: no</p><p>{no}</p>",
            "\\- no\n\n1\\. no\n\n\\> no\n\n\\::: no\n\n\\{no\\}\n",
        ),
        ("<p>a<br/>- b</p>", "a\\\n\\- b\n"),
        ("<p>x&nbsp;y</p><p />", "x&nbsp;y\n\n&nbsp;\n"),
        ("<ul><li><p>x</p></li></ul><ul><li><p>y</p></li></ul>", "- x\n\n* y\n"),
        ("<ol><li><p>x</p></li></ol><ol><li><p>y</p></li></ol>", "1. x\n\n1) y\n"),
        ("<ul><li>bare</li></ul>", "{md-bare=true}\n- bare\n"),
        ("<p><strong> spaced </strong></p>", "[ spaced ]{md-tag=strong}\n"),
        ('<p>x<strong>"q"</strong>y</p>', 'x["q"]{md-tag=strong}y\n'),
        ("<p><code>a`b</code> <code> c </code></p>", "``a`b`` `  c  `\n"),
        ('<p style="text-align: center;">centred</p>', '{style="text-align: center;"}\ncentred\n'),
        (
            '<p><ac:image><ri:attachment ri:filename="a.png"/></ac:image></p>',
            "{md-p=true}\n![](attachment:a.png)\n",
        ),
        (
            '<ac:image ac:width="300"><ri:attachment ri:filename="a b.png"/></ac:image>',
            "![](<attachment:a b.png>){ac:width=300}\n",
        ),
        (
            '<p><ac:link><ri:page ri:space-key="ENG" ri:content-title="A/B #1"/></ac:link></p>',
            "[](<page:ENG/A%2FB %231>)\n",
        ),
        (
            '<p><ac:link><ri:user ri:account-id="557058:x"/></ac:link></p>',
            "[@](user:557058:x)\n",
        ),
        ('<p><ac:link><ri:user ri:userkey="k1"/></ac:link></p>', "[@](user:){ri:userkey=k1}\n"),
        ('<p><a href="https://x.test/a b">sp</a></p>', "[sp](<https://x.test/a b>)\n"),
        (
            '<p><ac:structured-macro ac:name="status" ac:schema-version="1" '
            f'ac:macro-id="{MACRO_ID}">'
            '<ac:parameter ac:name="colour">Red</ac:parameter><ac:parameter ac:name="title">Late'
            "</ac:parameter></ac:structured-macro></p>",
            f"[Late]{{.status colour=Red ac:macro-id={MACRO_ID}}}\n",
        ),
        (
            '<p><ac:structured-macro ac:name="jira" ac:schema-version="1">'
            '<ac:parameter ac:name="key">'
            "OPS-1</ac:parameter></ac:structured-macro></p>",
            "[jira]{.macro key=OPS-1}\n",
        ),
        (
            '<p><ac:emoticon ac:name="blue-star" ac:emoji-shortname=":tada:" ac:emoji-id="1f389" '
            'ac:emoji-fallback="🎉"/></p>',
            "[🎉]{.emoticon ac:name=blue-star ac:emoji-shortname=:tada: ac:emoji-id=1f389}\n",
        ),
        ('<p><time datetime="2024-09-02"/></p>', "[2024-09-02]{.date}\n"),
        ('<p><ac:link><ri:space ri:space-key="ENG"/></ac:link></p>', "[](space:ENG)\n"),
        (
            '<p><ac:link><ri:blog-post ri:space-key="X" ri:content-title="Q2" '
            'ri:posting-day="2024/07/02"/></ac:link></p>',
            '[](blog:X/Q2){ri:posting-day="2024/07/02"}\n',
        ),
        (
            '<p><ac:link><ri:attachment ri:filename="a.svg"><ri:page ri:space-key="B" '
            'ri:content-title="Brand assets"/></ri:attachment></ac:link> <ac:image><ri:attachment '
            'ri:filename="b.png"><ri:page ri:content-title="P"/></ri:attachment></ac:image></p>',
            "[](<attachment:B/Brand assets/a.svg>) ![](attachment:P/b.png)\n",
        ),
        (
            '<ac:image ac:width="5"><ri:url ri:value="https://x.test/a.png"/><ac:caption><p>A '
            "<em>b</em></p></ac:caption></ac:image>",
            '::: ac:image {ac:width=5 src="https://x.test/a.png"}\nA *b*\n:::\n',
        ),
        ("<h2>A<br/>B</h2>", "## A[]{md-tag=br}B\n"),
        (
            '<ac:structured-macro ac:name="x"><ac:parameter ac:name="a">1</ac:parameter>'
            '</ac:structured-macro><p>A <ac:structured-macro ac:name="y"/></p>',
            "::: x {a=1 md-schema=none}\n:::\n\nA [y]{.macro md-schema=none}\n",
        ),
        ("<p>&nbsp;</p><p/>", "{md-nbsp=true}\n&nbsp;\n\n&nbsp;\n"),
        (
            "<table><tbody><tr><th><p>a</p></th></tr><tr><td><p>x<br/>y</p></td></tr></tbody></table>",
            "| a |\n|---|\n| x[]{md-tag=br}y |\n",
        ),
        ("<pre>  kept\n    as is</pre>", "```{md-tag=pre}\n  kept\n    as is\n```\n"),
        (
            '<ac:structured-macro ac:name="include" ac:schema-version="1"><ac:parameter ac:name="">'
            '<ac:link><ri:page ri:space-key="OPS" ri:content-title="Freeze policy"/></ac:link>'
            "</ac:parameter></ac:structured-macro>",
            '::: include {link:_="page:OPS/Freeze policy"}\n:::\n',
        ),
        (
            '<p><ac:structured-macro ac:name="view-file" ac:schema-version="1"><ac:parameter '
            'ac:name="name"><ri:attachment ri:filename="a.pdf"/></ac:parameter>'
            "</ac:structured-macro></p>",
            '[view-file]{.macro ref:name="attachment:a.pdf"}\n',
        ),
        (
            '<p><ac:inline-comment-marker ac:ref="r1">noted</ac:inline-comment-marker></p>',
            "[noted]{md-tag=ac:inline-comment-marker ac:ref=r1}\n",
        ),
        (
            '<ac:structured-macro ac:name="code" ac:schema-version="1">'
            '<ac:parameter ac:name="language">'
            "x y</ac:parameter><ac:plain-text-body><![CDATA[```\nfence\n```]]></ac:plain-text-body>"
            "</ac:structured-macro>",
            '````{language="x y"}\n```\nfence\n```\n````\n',
        ),
        (
            '<ac:structured-macro ac:name="noformat" ac:schema-version="1"><ac:plain-text-body>'
            "<![CDATA[raw]]></ac:plain-text-body></ac:structured-macro>",
            "```{ac:name=noformat}\nraw\n```\n",
        ),
        (
            '<ac:structured-macro ac:name="info" ac:schema-version="1"><ac:rich-text-body/>'
            "</ac:structured-macro>",
            "::: info {md-body=rich}\n:::\n",
        ),
        (
            '<ac:structured-macro ac:name="expand" ac:schema-version="1">'
            '<ac:parameter ac:name="title">'
            'T</ac:parameter><ac:rich-text-body><ac:structured-macro ac:name="info" '
            'ac:schema-version="1"><ac:rich-text-body><p>x</p></ac:rich-text-body>'
            "</ac:structured-macro></ac:rich-text-body></ac:structured-macro>",
            ":::: expand {title=T}\n::: info\nx\n:::\n::::\n",
        ),
        (
            '<ac:structured-macro ac:name="children" ac:schema-version="2"/>',
            "::: children {ac:schema-version=2}\n:::\n",
        ),
        (
            '<ac:layout><ac:layout-section ac:type="single"><ac:layout-cell><p>x</p>'
            "</ac:layout-cell></ac:layout-section></ac:layout>",
            "::::: ac:layout\n:::: ac:layout-section {ac:type=single}\n::: ac:layout-cell\nx\n"
            ":::\n::::\n:::::\n",
        ),
        (
            "<ac:task-list><ac:task><ac:task-id>3</ac:task-id><ac:task-status>complete"
            "</ac:task-status><ac:task-body>done</ac:task-body></ac:task></ac:task-list>",
            "- [x] done []{.task task-id=3 md-bare=true}\n",
        ),
        (
            "<table><tbody><tr><th><p>a</p></th><th><p>b</p></th></tr><tr><td><p>1</p></td>"
            "<td><p /></td></tr></tbody></table>",
            "| a | b |\n|---|---|\n| 1 |  |\n",
        ),
        (
            "<table><tbody><tr><th>a</th><th>b</th></tr><tr><th>r</th><td>1</td></tr></tbody></table>",
            "{md-th-columns=0 md-bare=true}\n| a | b |\n|---|---|\n| r | 1 |\n",
        ),
        (
            "<table><tbody><tr><th>k</th><td>v</td></tr><tr><th>k2</th><td>v2</td></tr></tbody></table>",
            "{md-header=td md-th-columns=0 md-bare=true}\n| k | v |\n|---|---|\n| k2 | v2 |\n",
        ),
        (
            '<table data-layout="wide"><colgroup><col style="width: 10.0px;"/><col/></colgroup>'
            "<tbody><tr><td>a</td><td>b</td></tr></tbody></table>",
            '{data-layout=wide md-colgroup="10.0px," md-header=td md-bare=true}\n'
            "| a | b |\n|---|---|\n",
        ),
    ],
)
def test_friendly_forms(storage: str, markdown: str) -> None:
    assert storage_to_markdown(storage) == markdown
    assert storage_equivalent(markdown_to_storage(markdown), storage)


@pytest.mark.parametrize(
    "storage",
    [
        "<ul><li>bare</li><li><p>wrapped</p></li></ul>",
        '<ac:structured-macro ac:name="x" ac:schema-version="1"><ac:parameter ac:name="a">1'
        "</ac:parameter>text</ac:structured-macro>",
    ],
)
def test_blocks_without_a_faithful_form_are_kept_verbatim(storage: str) -> None:
    markdown = storage_to_markdown(storage)
    assert "```confluence\n" in markdown
    assert storage_equivalent(markdown_to_storage(markdown), storage)


@pytest.mark.parametrize(
    ("storage", "markdown"),
    [
        (
            '<table><tbody><tr><td rowspan="2"><p>a</p></td></tr></tbody></table>',
            "::::: html:table\n:::: html:tr\n::: html:td {rowspan=2}\na\n:::\n::::\n:::::\n",
        ),
        (
            '<table class="x"><colgroup><col span="2"/></colgroup><thead><tr><th>h</th></tr>'
            "</thead><tbody><tr><td><ul><li>x</li></ul></td><td/></tr></tbody></table>",
            ":::::: html:table {class=x md-tbody=none}\n:::: html:colgroup\n::: html:col {span=2}"
            "\n:::\n::::\n\n::::: html:thead\n:::: html:tr\n::: html:th\n{md-p=none}\nh\n:::\n"
            "::::\n:::::\n\n::::: html:tbody\n:::: html:tr\n::: html:td\n{md-bare=true}\n- x\n"
            ":::\n\n::: html:td\n:::\n::::\n:::::\n::::::\n",
        ),
        (
            '<div class="content-wrapper"><p>x</p><div><p>y</p></div></div>',
            ":::: html:div {class=content-wrapper}\nx\n\n::: html:div\ny\n:::\n::::\n",
        ),
    ],
)
def test_complex_tables_become_html_containers(storage: str, markdown: str) -> None:
    assert storage_to_markdown(storage) == markdown
    assert storage_equivalent(markdown_to_storage(markdown), storage)


@pytest.mark.parametrize(
    ("storage", "markdown"),
    [
        (
            '<ac:unknown-thing foo="1">x</ac:unknown-thing>',
            '{md-p=none}\n`<ac:unknown-thing foo="1">x</ac:unknown-thing>`{.confluence}\n',
        ),
        (
            "<!-- a comment --><p>after</p>",
            "{md-p=none}\n`<!-- a comment -->`{.confluence}\n\nafter\n",
        ),
    ],
)
def test_unknown_elements_between_blocks_are_kept_inline(storage: str, markdown: str) -> None:
    assert storage_to_markdown(storage) == markdown
    assert storage_equivalent(markdown_to_storage(markdown), storage)


def test_stray_inline_content_that_cannot_be_marked_stays_verbatim() -> None:
    storage = "<p>a</p><span>x<code>line\nbreak</code></span><p>b</p>"
    markdown = storage_to_markdown(storage)
    assert markdown == "a\n\n```confluence\n<span>x<code>line\nbreak</code></span>\n```\n\nb\n"
    assert storage_equivalent(markdown_to_storage(markdown), storage)
    nested = "<ac:layout><ac:layout-section><ac:layout-cell>x<p>y</p></ac:layout-cell>"
    nested += "</ac:layout-section></ac:layout>"
    assert storage_equivalent(markdown_to_storage(storage_to_markdown(nested)), nested)


def test_stray_text_between_blocks_is_kept() -> None:
    storage = "stray text <p>para</p>"
    markdown = storage_to_markdown(storage)
    assert markdown == "{md-p=none}\nstray text\n\npara\n"
    assert storage_equivalent(markdown_to_storage(markdown), storage)


def test_inline_elements_without_a_faithful_form_become_raw_spans() -> None:
    storage = '<p>see <ac:link><ri:shortcut ri:key="g" ri:parameter="x"/></ac:link> now</p>'
    markdown = storage_to_markdown(storage)
    raw = '<ac:link><ri:shortcut ri:key="g" ri:parameter="x"/></ac:link>'
    assert markdown == f"see `{raw}`{{.confluence}} now\n"
    assert storage_equivalent(markdown_to_storage(markdown), storage)


def test_empty_document() -> None:
    assert storage_to_markdown("") == "\n"
    assert markdown_to_storage(storage_to_markdown("")) == ""
