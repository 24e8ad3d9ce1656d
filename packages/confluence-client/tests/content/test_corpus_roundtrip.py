"""Round trips over the whole storage corpus."""

from __future__ import annotations

from collections import defaultdict

from markdown_it.tree import SyntaxTreeNode

from confluence_client.content import (
    canonicalize_storage,
    markdown_to_storage,
    storage_equivalent,
    storage_to_markdown,
)
from confluence_client.content._syntax import markdown_parser
from confluence_client.content._xml import AC, local_tag, parse_storage

# Element kinds the corpus keeps only as verbatim storage (```confluence fences or inline
# `...`{.confluence} spans). Shrinking this set is progress; growing it is a regression.
EXPECTED_OPAQUE = {
    ("block", "ac:adf-extension"),
    ("inline", "ac:macro"),  # the legacy macro element
}


def test_corpus_is_large_enough(corpus: dict[str, str]) -> None:
    assert len(corpus) >= 30


def test_storage_markdown_storage_is_equivalent(corpus_document: str) -> None:
    markdown = storage_to_markdown(corpus_document)
    back = markdown_to_storage(markdown)
    assert canonicalize_storage(back) == canonicalize_storage(corpus_document)


def test_markdown_is_a_fixed_point(corpus_document: str) -> None:
    markdown = storage_to_markdown(corpus_document)
    storage = markdown_to_storage(markdown)
    again = storage_to_markdown(storage)
    assert again == markdown
    assert storage_equivalent(markdown_to_storage(again), storage)


def _opaque_kinds(markdown: str) -> set[tuple[str, str]]:
    kinds: set[tuple[str, str]] = set()

    def add(xml: str, where: str) -> None:
        for element in parse_storage(xml):
            kind = local_tag(element)
            if kind == "ac:structured-macro":
                kind += f"[{element.get(f'{{{AC}}}name')}]"
            kinds.add((where, kind))

    def walk(node: SyntaxTreeNode) -> None:
        if node.type == "fence" and node.info.strip() == "confluence":
            add(node.content, "block")
        if node.type == "code_inline" and "confluence" in str(node.attrs.get("class", "")):
            add(node.content, "inline")
        for child in node.children:
            walk(child)

    walk(SyntaxTreeNode(markdown_parser().parse(markdown)))
    return kinds


def test_opaque_element_kinds_are_the_documented_ones(corpus: dict[str, str]) -> None:
    seen: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, storage in corpus.items():
        for kind in _opaque_kinds(storage_to_markdown(storage)):
            seen[kind].append(name)
    assert set(seen) == EXPECTED_OPAQUE


def test_every_named_element_kind_is_in_the_corpus(corpus: dict[str, str]) -> None:
    text = "".join(corpus.values())
    for marker in (
        "<ac:structured-macro",
        "<ac:rich-text-body>",
        "<![CDATA[",
        "<ri:page",
        "<ri:user",
        "<ri:attachment",
        "<ac:image",
        "<ac:layout>",
        "<ac:task-id>",
        'ac:name="status"',
        "<ac:emoticon",
        "<ac:parameter",
        'rowspan="',
        'colspan="',
        "<p />",
        "日本語",
    ):
        assert marker in text, marker
