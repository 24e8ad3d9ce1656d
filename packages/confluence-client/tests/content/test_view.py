"""Rendered view HTML becomes readable (lossy) markdown."""

from __future__ import annotations

import pytest

from confluence_client.content import view_to_markdown

VIEW = """
<h1 id="Page-Title">Title</h1>
<p>Hello <strong>world</strong>, <em>see</em>
<a href="/wiki/spaces/X/pages/1">the page</a><br/>next line
<del>old</del> <code>x`y</code> <time datetime="2024-01-02">2 Jan</time></p>
<div class="confluence-information-macro confluence-information-macro-information">
  <div class="confluence-information-macro-body"><p>Heads up.</p></div></div>
<div class="code panel pdl"><div class="codeContent panelContent pdl">
<pre class="syntaxhighlighter-pre" data-syntaxhighlighter-params="brush: py; gutter: false">print(1)
</pre></div></div>
<ul class="inline-task-list"><li class="checked"><span>done</span></li><li>todo</li></ul>
<ol start="2"><li>two<ul><li>nested</li></ul></li><li>three</li></ol>
<table><tbody><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>x|y</td></tr><tr><td>only</td></tr></tbody></table>
<blockquote><p>quoted</p></blockquote><hr/>
<p><img class="emoticon" data-emoji-fallback="🙂" alt="(smile)"/>
<img src="/download/a.png" alt="diagram"/> <img alt="no source"/></p>
<script>alert(1)</script><span>tail <b>bold</b> <i>it</i></span>
"""

EXPECTED = """# Title

Hello **world**, *see* [the page](</wiki/spaces/X/pages/1>)\\
next line ~~old~~ ``x`y`` 2024-01-02

> Heads up.

```py
print(1)
```

- [x] done
- [ ] todo

2. two

   - nested
3. three

| a | b |
|---|---|
| 1 | x\\|y |
| only |  |

> quoted

---

🙂 ![diagram](</download/a.png>) no source

tail **bold** *it*
"""


def test_view_html_to_markdown() -> None:
    assert view_to_markdown(VIEW) == EXPECTED


@pytest.mark.parametrize(("html", "markdown"), [("", ""), ("   ", ""), ("plain", "plain\n")])
def test_trivial_inputs(html: str, markdown: str) -> None:
    assert view_to_markdown(html) == markdown


def test_code_language_from_class_and_empty_wrappers() -> None:
    html = '<pre class="language-js">let a</pre><div><p></p></div><h2></h2><p><a href="#x"></a></p>'
    assert view_to_markdown(html) == "```js\nlet a\n```\n\n[#x](<#x>)\n"


def test_garbage_never_raises() -> None:
    assert isinstance(view_to_markdown("<<<>>>&&&<p"), str)
    assert isinstance(view_to_markdown("\x00"), str)
