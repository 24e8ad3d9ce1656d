"""Storage to view HTML and to plain text."""

from __future__ import annotations

from confluence_client.testing._render import ViewLinks, storage_to_text, storage_to_view

LINKS = ViewLinks(
    user_name=lambda account: {"u1": "Alice"}.get(account, account),
    user_href=lambda account: f"/wiki/people/{account}",
    page_href=lambda title, space: f"/wiki/spaces/{space or 'DEMO'}/pages/1/{title}",
    attachment_src=lambda name: f"/wiki/download/attachments/1/{name}" if name == "d.png" else None,
)

STORAGE = (
    '<p>Hi&nbsp;<ac:link><ri:user ri:account-id="u1" /></ac:link>, see '
    '<ac:link><ri:page ri:content-title="Other" /></ac:link> and '
    '<ac:link><ri:page ri:content-title="Named" ri:space-key="ENG" /><ac:plain-text-link-body>'
    "<![CDATA[this]]></ac:plain-text-link-body></ac:link>, "
    '<ac:link ac:anchor="top"><ri:page ri:content-title="Anchored" /><ac:link-body>rich '
    "<strong>text</strong></ac:link-body></ac:link> and "
    '<ac:link><ri:attachment ri:filename="d.png" /></ac:link>.</p>'
    '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">python</ac:parameter>'
    "<ac:plain-text-body><![CDATA[print(1 < 2)]]></ac:plain-text-body></ac:structured-macro>"
    '<ac:structured-macro ac:name="status"><ac:parameter ac:name="title">Done</ac:parameter>'
    "</ac:structured-macro>"
    '<ac:structured-macro ac:name="toc" />'
    '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>Note</p></ac:rich-text-body>'
    "</ac:structured-macro>"
    '<ac:image><ri:attachment ri:filename="d.png" /></ac:image>'
    "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status>"
    "<ac:task-body>Done it</ac:task-body></ac:task></ac:task-list>"
    '<ac:layout><ac:layout-section ac:type="single"><ac:layout-cell><p>cell</p>'
    "</ac:layout-cell></ac:layout-section></ac:layout>"
    '<p><ac:emoticon ac:name="smile" /> <ri:attachment ri:filename="x.txt" /></p>'
)


def test_view_rendering() -> None:
    html = storage_to_view(STORAGE, LINKS)
    assert "ac:" not in html
    assert "ri:" not in html
    assert (
        '<a href="/wiki/people/u1" class="confluence-userlink user-mention" '
        'data-account-id="u1">@Alice</a>'
    ) in html
    assert '<a href="/wiki/spaces/DEMO/pages/1/Other">Other</a>' in html
    assert '<a href="/wiki/spaces/ENG/pages/1/Named">this</a>' in html
    assert '<a href="/wiki/spaces/DEMO/pages/1/Anchored#top">rich <strong>text</strong></a>' in html
    assert '<a href="/wiki/download/attachments/1/d.png">d.png</a>' in html
    assert 'data-language="python">print(1 &lt; 2)</pre>' in html
    assert '<span class="status-macro aui-lozenge">Done</span>' in html
    assert 'class="toc-macro"' in html
    assert 'class="confluence-info-macro"' in html
    assert 'src="/wiki/download/attachments/1/d.png"' in html
    assert '<li class="checked">Done it</li>' in html
    assert 'class="layout-cell"' in html
    assert "<span>x.txt</span>" in html


def test_unresolved_links_fall_back_to_plain_values() -> None:
    html = storage_to_view(STORAGE)
    assert '<a href="#">Other</a>' in html
    assert '<a href="#" class="confluence-userlink user-mention"' not in html
    assert 'href="u1"' in html
    assert 'src="d.png"' in html


def test_view_of_broken_storage_is_escaped_text() -> None:
    assert storage_to_view("<p>open") == "<p>&lt;p&gt;open</p>"
    assert storage_to_view("plain &amp; simple").startswith("plain &amp; simple")
    assert storage_to_view("<p>&bogus;</p>") == "<p>&lt;p&gt;&amp;bogus;&lt;/p&gt;</p>"


def test_text_extraction() -> None:
    text = storage_to_text(STORAGE)
    assert "print(1 < 2)" in text
    assert "u1" in text
    assert "complete" not in text
    assert storage_to_text("<p>a <b>broken") == "a broken"


def test_text_uses_link_text_titles_and_names() -> None:
    names = {"u1": "Alice"}.get
    text = storage_to_text(STORAGE, lambda account: names(account) or account)
    assert text.startswith("Hi Alice, see Other and this, rich text and d.png.")
    assert "Done it" in text
