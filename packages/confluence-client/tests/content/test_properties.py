"""Property-based round trips: generated markdown documents and generated text."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from confluence_client.content import (
    markdown_to_storage,
    storage_equivalent,
    storage_to_markdown,
)
from confluence_client.content._syntax import escape_text

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(
    alphabet=st.sampled_from("abcxyzÄé日 *_`[]#<>&|{}~:-+.!\\\"'()=1"), min_size=1, max_size=12
)
plain_words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÉü日", min_size=1, max_size=8)


@st.composite
def inline(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 5))):
        word = draw(plain_words)
        kind = draw(
            st.sampled_from(["text", "em", "strong", "code", "link", "page", "status", "strike"])
        )
        parts.append(
            {
                "text": word,
                "em": f"*{word}*",
                "strong": f"**{word}**",
                "code": f"`{word}`",
                "link": f"[{word}](https://example.com/{word})",
                "page": f"[{word}](<page:DEV/{word} page>)",
                "status": f"[{word}]{{.status colour=Green}}",
                "strike": f"~~{word}~~",
            }[kind]
        )
    return " ".join(parts)


@st.composite
def block(draw: st.DrawFn, depth: int = 0) -> str:
    choices = ["paragraph", "heading", "list", "ordered", "code", "quote", "table", "tasks"]
    if depth < 2:
        choices += ["panel"]
    kind = draw(st.sampled_from(choices))
    if kind == "paragraph":
        return draw(inline())
    if kind == "heading":
        return "#" * draw(st.integers(1, 6)) + " " + draw(inline())
    if kind in ("list", "ordered"):
        items = draw(st.lists(inline(), min_size=1, max_size=4))
        marker = "-" if kind == "list" else "1."
        lines = [f"{marker} {item}" for item in items]
        if draw(st.booleans()):
            lines.append(
                "   " + f"- {draw(inline())}" if kind == "ordered" else f"  - {draw(inline())}"
            )
        return "\n".join(lines)
    if kind == "code":
        language = draw(st.sampled_from(["", "python", "bash"]))
        body = draw(st.text(alphabet="abc <>&]`\n\t", max_size=30))
        return f"````{language}\n{body}\n````"
    if kind == "quote":
        return "> " + draw(inline())
    if kind == "table":
        width = draw(st.integers(1, 3))
        rows = draw(
            st.lists(st.lists(plain_words, min_size=width, max_size=width), min_size=1, max_size=3)
        )
        header = "| " + " | ".join(f"h{i}" for i in range(width)) + " |"
        lines = [header, "|" + "---|" * width]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    if kind == "tasks":
        tasks = draw(st.lists(st.tuples(st.booleans(), inline()), min_size=1, max_size=3))
        return "\n".join(f"- [{'x' if done else ' '}] {text}" for done, text in tasks)
    inner = "\n\n".join(draw(st.lists(block(depth + 1), min_size=1, max_size=2)))
    colons = ":" * (5 - depth)
    return f'{colons} info {{title="{draw(plain_words)}"}}\n{inner}\n{colons}'


documents = st.lists(block(), min_size=1, max_size=6).map("\n\n".join)


@_SETTINGS
@given(documents)
def test_generated_markdown_round_trips(markdown: str) -> None:
    storage = markdown_to_storage(markdown)
    ours = storage_to_markdown(storage)
    again = markdown_to_storage(ours)
    assert storage_equivalent(again, storage)
    assert storage_to_markdown(again) == ours


@_SETTINGS
@given(st.text(max_size=40))
def test_any_text_in_a_paragraph_survives(text: str) -> None:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    storage = f"<p>{escaped}</p>"
    if not storage_to_markdown(storage).startswith("```"):
        assert storage_equivalent(markdown_to_storage(storage_to_markdown(storage)), storage)


@_SETTINGS
@given(st.lists(words, min_size=1, max_size=6).map(" ".join))
def test_escaped_text_reads_back_as_the_same_text(text: str) -> None:
    assume(text.strip())  # blank text is no paragraph at all
    markdown = escape_text(text, line_start=True)
    storage = markdown_to_storage(markdown)
    assert storage_equivalent(storage, f"<p>{_xml_escape(text)}</p>")


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@_SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_markdown_never_raises(markdown: str) -> None:
    storage = markdown_to_storage(markdown)
    assert isinstance(storage_to_markdown(storage), str)


@_SETTINGS
@given(
    st.lists(
        st.sampled_from(
            [*"<>/&;:= \"'acpri!-[]x", "ac:", "ri:", "<p>", "</p>", "<![CDATA[", "]]>"]
        ),
        max_size=40,
    ).map("".join)
)
def test_arbitrary_storage_never_raises_and_round_trips(storage: str) -> None:
    markdown = storage_to_markdown(storage)
    assert storage_equivalent(markdown_to_storage(markdown), storage)
