"""Ordinary (hand-written) markdown becomes idiomatic Confluence storage."""

from __future__ import annotations

import pytest

from confluence_client.content import markdown_to_storage

CODE_MACRO = '<ac:structured-macro ac:name="code" ac:schema-version="1">'


@pytest.mark.parametrize(
    ("markdown", "storage"),
    [
        ("# Title\n\n## Sub *x*", "<h1>Title</h1><h2>Sub <em>x</em></h2>"),
        (
            "- a\n  - b\n    1. c\n- d",
            "<ul><li><p>a</p><ul><li><p>b</p><ol><li><p>c</p></li></ol></li></ul></li>"
            "<li><p>d</p></li></ul>",
        ),
        ("3. x\n4. y", '<ol start="3"><li><p>x</p></li><li><p>y</p></li></ol>'),
        (
            "| A | B |\n|---|:-:|\n| 1 | **2** |",
            "<table><tbody><tr><th><p>A</p></th><th><p>B</p></th></tr>"
            "<tr><td><p>1</p></td><td><p><strong>2</strong></p></td></tr></tbody></table>",
        ),
        (
            '```python\nprint("<&>")\n```',
            f'{CODE_MACRO}<ac:parameter ac:name="language">python</ac:parameter>'
            '<ac:plain-text-body><![CDATA[print("<&>")]]></ac:plain-text-body>'
            "</ac:structured-macro>",
        ),
        (
            "```\nx\n```",
            f"{CODE_MACRO}<ac:plain-text-body><![CDATA[x]]></ac:plain-text-body></ac:structured-macro>",
        ),
        (
            "    indented code",
            f"{CODE_MACRO}<ac:plain-text-body><![CDATA[indented code]]></ac:plain-text-body>"
            "</ac:structured-macro>",
        ),
        (
            "```text\nends with ]]> inside\n```",
            f'{CODE_MACRO}<ac:parameter ac:name="language">text</ac:parameter>'
            "<ac:plain-text-body>ends with ]]&gt; inside</ac:plain-text-body>"
            "</ac:structured-macro>",
        ),
        ("*a* **b** ~~c~~ `d`", "<p><em>a</em> <strong>b</strong> <s>c</s> <code>d</code></p>"),
        (
            '[site](https://example.com "T")',
            '<p><a href="https://example.com" title="T">site</a></p>',
        ),
        (
            "[page](<page:DEV/My Page>)",
            '<p><ac:link><ri:page ri:space-key="DEV" ri:content-title="My Page"/>'
            "<ac:plain-text-link-body><![CDATA[page]]></ac:plain-text-link-body></ac:link></p>",
        ),
        (
            "[](<page:My Page#Intro>)",
            '<p><ac:link ac:anchor="Intro"><ri:page ri:content-title="My Page"/></ac:link></p>',
        ),
        ("[@](user:557058:abc)", '<p><ac:link><ri:user ri:account-id="557058:abc"/></ac:link></p>'),
        (
            "[**rich**](page:Home)",
            '<p><ac:link><ri:page ri:content-title="Home"/><ac:link-body><strong>rich</strong>'
            "</ac:link-body></ac:link></p>",
        ),
        (
            "[file](attachment:a%2Fb.pdf)",
            '<p><ac:link><ri:attachment ri:filename="a/b.pdf"/>'
            "<ac:plain-text-link-body><![CDATA[file]]></ac:plain-text-link-body></ac:link></p>",
        ),
        (
            "[top](#Intro)",
            '<p><ac:link ac:anchor="Intro"><ac:plain-text-link-body><![CDATA[top]]>'
            "</ac:plain-text-link-body></ac:link></p>",
        ),
        (
            "![alt](attachment:a.png)",
            '<ac:image ac:alt="alt"><ri:attachment ri:filename="a.png"/></ac:image>',
        ),
        (
            "see ![](https://x.test/a.png){ac:width=20}",
            '<p>see <ac:image ac:width="20"><ri:url ri:value="https://x.test/a.png"/></ac:image></p>',
        ),
        ("> quoted\n>\n> more", "<blockquote><p>quoted</p><p>more</p></blockquote>"),
        (
            "- [ ] one\n- [x] two",
            "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete"
            '</ac:task-status><ac:task-body><span class="placeholder-inline-tasks">one</span>'
            "</ac:task-body></ac:task><ac:task><ac:task-id>2</ac:task-id><ac:task-status>"
            'complete</ac:task-status><ac:task-body><span class="placeholder-inline-tasks">two'
            "</span></ac:task-body></ac:task></ac:task-list>",
        ),
        (
            "::: note {title=Careful}\nBe **careful**.\n:::",
            '<ac:structured-macro ac:name="note" ac:schema-version="1"><ac:parameter '
            'ac:name="title">Careful</ac:parameter><ac:rich-text-body><p>Be <strong>careful'
            "</strong>.</p></ac:rich-text-body></ac:structured-macro>",
        ),
        (
            "::: toc {maxLevel=2}\n:::",
            '<ac:structured-macro ac:name="toc" ac:schema-version="1"><ac:parameter '
            'ac:name="maxLevel">2</ac:parameter></ac:structured-macro>',
        ),
        (
            "Status [Done]{.status colour=Green} on [2024-01-02]{.date}",
            '<p>Status <ac:structured-macro ac:name="status" ac:schema-version="1"><ac:parameter '
            'ac:name="title">Done</ac:parameter><ac:parameter ac:name="colour">Green'
            '</ac:parameter></ac:structured-macro> on <time datetime="2024-01-02"/></p>',
        ),
        (
            '[u]{md-tag=u} [c]{style="color: red;"}',
            '<p><u>u</u> <span style="color: red;">c</span></p>',
        ),
        ("a\n\n---\n\nb", "<p>a</p><hr/><p>b</p>"),
        (
            ":::: html:table {md-colgroup=10px}\n::: html:tr\n:::\n::::",
            '<table><colgroup><col style="width: 10px;"/></colgroup><tbody><tr/></tbody></table>',
        ),
        ("::: html:div {class=x}\ntext\n:::", '<div class="x"><p>text</p></div>'),
        ("line one  \nline two", "<p>line one<br/>line two</p>"),
        ("soft\nwrap", "<p>soft wrap</p>"),
        ("&nbsp;", "<p/>"),
        (
            "| a |\n|---|\n| x<br>y |",
            "<table><tbody><tr><th><p>a</p></th></tr><tr><td><p>x<br/>y</p></td></tr></tbody></table>",
        ),
        ("a <b>bold *x*</b> c", "<p>a <b>bold <em>x</em></b> c</p>"),
        ("H<sub>2</sub>O <u>a <u>b</u></u>", "<p>H<sub>2</sub>O <u>a <u>b</u></u></p>"),
        ('x <img src="a.png"/> y', '<p>x <img src="a.png"/> y</p>'),
        ("open <b>never closed", "<p>open &lt;b&gt;never closed</p>"),
        ("bad <a href=x>q</a> </b>", "<p>bad &lt;a href=x&gt;q&lt;/a&gt; &lt;/b&gt;</p>"),
        ('<div class="x">\n<p>hi</p>\n</div>', '<div class="x">\n<p>hi</p>\n</div>'),
        ("<div>\nunclosed", "<p>&lt;div&gt;\nunclosed</p>"),
        ("", ""),
    ],
)
def test_markdown_becomes_idiomatic_storage(markdown: str, storage: str) -> None:
    assert markdown_to_storage(markdown) == storage


def test_new_tasks_get_the_next_free_ids() -> None:
    storage = markdown_to_storage("- [ ] kept []{.task task-id=7}\n- [ ] new")
    assert "<ac:task-id>7</ac:task-id>" in storage
    assert "<ac:task-id>8</ac:task-id>" in storage


def test_raw_storage_fences_are_restored_verbatim() -> None:
    storage = '<ac:structured-macro ac:name="toc" ac:schema-version="1"/>'
    assert markdown_to_storage(f"```confluence\n{storage}\n```") == storage
    assert markdown_to_storage(f"`{storage}`{{.confluence}}") == f"<p>{storage}</p>"


def test_raw_fence_that_is_not_well_formed_is_kept_byte_for_byte() -> None:
    broken = "<p>unclosed <b>bold</p> &bogus;"
    assert markdown_to_storage(f"```confluence\n{broken}\n```") == broken


def test_unreadable_container_info_keeps_the_content() -> None:
    assert markdown_to_storage("::: {broken\nx\n:::") == "<p>x</p>"
    assert markdown_to_storage("::: not/a-name\nx\n:::") == "<p>x</p>"


def test_unreadable_fence_attributes_keep_the_language() -> None:
    storage = markdown_to_storage("```js {broken\nx\n```")
    assert '<ac:parameter ac:name="language">js</ac:parameter>' in storage


def test_control_characters_cannot_break_the_xml() -> None:
    assert markdown_to_storage("a\x01b") == "<p>a\ufffdb</p>"
