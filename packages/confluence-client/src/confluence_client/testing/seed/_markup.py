"""Builders for Confluence storage-format fragments used by the demo pages."""

from __future__ import annotations

from html import escape

__all__ = [
    "p",
    "h",
    "code",
    "panel",
    "status",
    "toc",
    "expand",
    "page_link",
    "mention",
    "image",
    "table",
    "tasks",
    "layout",
    "ul",
]


def p(*parts: str) -> str:
    """A paragraph; parts are already storage (escape plain text with ``escape``)."""
    return f"<p>{''.join(parts)}</p>"


def h(level: int, text: str) -> str:
    """A heading."""
    return f"<h{level}>{escape(text)}</h{level}>"


def code(language: str, source: str, title: str | None = None) -> str:
    """A code macro with a CDATA body."""
    params = f'<ac:parameter ac:name="language">{language}</ac:parameter>'
    if title:
        params += f'<ac:parameter ac:name="title">{escape(title)}</ac:parameter>'
    return (
        f'<ac:structured-macro ac:name="code" ac:schema-version="1">{params}'
        f"<ac:plain-text-body><![CDATA[{source}]]></ac:plain-text-body></ac:structured-macro>"
    )


def panel(kind: str, body: str, title: str | None = None) -> str:
    """An info / note / warning / tip macro."""
    params = f'<ac:parameter ac:name="title">{escape(title)}</ac:parameter>' if title else ""
    return (
        f'<ac:structured-macro ac:name="{kind}" ac:schema-version="1">{params}'
        f"<ac:rich-text-body>{body}</ac:rich-text-body></ac:structured-macro>"
    )


def status(title: str, colour: str) -> str:
    """A status lozenge."""
    return (
        '<ac:structured-macro ac:name="status" ac:schema-version="1">'
        f'<ac:parameter ac:name="colour">{colour}</ac:parameter>'
        f'<ac:parameter ac:name="title">{escape(title)}</ac:parameter></ac:structured-macro>'
    )


def toc() -> str:
    """A table of contents macro."""
    return (
        '<ac:structured-macro ac:name="toc" ac:schema-version="1">'
        '<ac:parameter ac:name="maxLevel">3</ac:parameter></ac:structured-macro>'
    )


def expand(title: str, body: str) -> str:
    """An expand macro."""
    return (
        '<ac:structured-macro ac:name="expand" ac:schema-version="1">'
        f'<ac:parameter ac:name="title">{escape(title)}</ac:parameter>'
        f"<ac:rich-text-body>{body}</ac:rich-text-body></ac:structured-macro>"
    )


def page_link(title: str, text: str | None = None, space_key: str | None = None) -> str:
    """An ``ac:link`` to a page by title (optionally in another space)."""
    space = f' ri:space-key="{space_key}"' if space_key else ""
    body = f"<ac:plain-text-link-body><![CDATA[{text}]]></ac:plain-text-link-body>" if text else ""
    return f'<ac:link><ri:page ri:content-title="{escape(title)}"{space} />{body}</ac:link>'


def mention(account_id: str) -> str:
    """A user mention."""
    return f'<ac:link><ri:user ri:account-id="{account_id}" /></ac:link>'


def image(filename: str, alt: str) -> str:
    """An image attached to the page."""
    return (
        f'<ac:image ac:alt="{escape(alt)}" ac:width="400">'
        f'<ri:attachment ri:filename="{escape(filename)}" /></ac:image>'
    )


def table(header: list[str], rows: list[list[str]]) -> str:
    """A table; cells are storage fragments."""
    head = "".join(f"<th><p>{escape(c)}</p></th>" for c in header)
    body = "".join("<tr>" + "".join(f"<td><p>{c}</p></td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tbody><tr>{head}</tr>{body}</tbody></table>"


def tasks(items: list[tuple[str, bool]], first_id: int = 1) -> str:
    """A task list of (storage text, done)."""
    out = []
    for i, (text, done) in enumerate(items, start=first_id):
        state = "complete" if done else "incomplete"
        out.append(
            f"<ac:task><ac:task-id>{i}</ac:task-id><ac:task-status>{state}</ac:task-status>"
            f"<ac:task-body>{text}</ac:task-body></ac:task>"
        )
    return f"<ac:task-list>{''.join(out)}</ac:task-list>"


def layout(*cells: str) -> str:
    """A one-section layout with two or three equal columns."""
    kind = {2: "two_equal", 3: "three_equal"}.get(len(cells), "single")
    inner = "".join(f"<ac:layout-cell>{c}</ac:layout-cell>" for c in cells)
    return f'<ac:layout><ac:layout-section ac:type="{kind}">{inner}</ac:layout-section></ac:layout>'


def ul(*items: str) -> str:
    """A bullet list of storage fragments."""
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"
