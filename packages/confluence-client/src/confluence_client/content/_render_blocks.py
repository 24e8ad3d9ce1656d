"""Storage block structure to markdown, with every block checked by reading it back.

Each block is rendered in the friendliest form that converts back to equivalent storage
(canonical comparison); when none does, the block is kept verbatim in a ```` ```confluence ````
fence. That check is what makes the markdown safe to edit and write back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._canonical import canonical_xml
from confluence_client.content._md_blocks import markdown_to_tree
from confluence_client.content._render_common import (
    HTML_CONTAINERS,
    Node,
    attr_line,
    element_attrs,
    fix_line_starts,
    fragment,
    is_block,
    nodes_of,
    raw_fence,
)
from confluence_client.content._render_inline import (
    InlineMode,
    InlineRenderer,
    Unrepresentable,
    backtick_fence,
    collapse,
)
from confluence_client.content._render_lists import ListRendering
from confluence_client.content._render_tables import TableRendering, colgroup_hint
from confluence_client.content._resources import encode_parameter, encode_resource
from confluence_client.content._syntax import RAW_LANGUAGE
from confluence_client.content._xml import AC, RI, RawSlots, local_tag, serialize_children

__all__ = ["raw_fence", "render_document"]

_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_LANGUAGE_RE = re.compile(r"[A-Za-z0-9_+#.-]+")
_CONTAINER_LINE_RE = re.compile(r"^\s*(:{3,})", re.MULTILINE)
_MODES = (InlineMode.RICH, InlineMode.SPANS, InlineMode.RAW)
# Deeper than this, blocks stay verbatim: markdown-it stops nesting at 20 levels anyway,
# and each level of markdown costs a few Python frames.
_MAX_DEPTH = 12


def render_document(root: etree._Element) -> str:
    """Markdown for a parsed storage document (wrapper root)."""
    return "\n\n".join(_Renderer().flow(nodes_of(root))) + "\n"


@dataclass
class _Entry:
    """One block of a flow: the storage nodes and their markdown (``None``: none yet)."""

    nodes: list[Node]
    markdown: str | None
    alternate: bool = False
    checked: bool = False
    run: bool = False  # inline content directly in a block container


_SEPARATOR = "confluence-client-separator"
_SEPARATOR_FENCE = f"```confluence\n<{_SEPARATOR}/>\n```"


def _bare_paragraph(run: list[Node]) -> str | None:
    try:
        text = InlineRenderer(InlineMode.RICH).content(fragment(run)).strip(" ")
    except Unrepresentable:
        return None
    return attr_line({"md-p": "none"}) + fix_line_starts(text) if text else None


def _segments(root: etree._Element) -> list[list[Node]]:
    """Split a read-back tree at separator elements into one node list per block."""
    segments: list[list[Node]] = []
    current: list[Node] = [root.text] if root.text else []
    for child in root:
        if child.tag == _SEPARATOR:
            segments.append(current)
            current = [child.tail] if child.tail else []
            continue
        current.append(child)
        if child.tail:
            current.append(child.tail)
    segments.append(current)
    return segments


def _reads_back(markdown: str, nodes: list[Node]) -> bool:
    """Whether ``markdown`` converts back to storage equivalent to ``nodes``."""
    try:
        actual = canonical_xml(markdown_to_tree(markdown, RawSlots()))
    except Exception:  # a parser surprise means "no", never a crash
        return False
    return actual == canonical_xml(fragment(nodes))


class _Renderer(ListRendering, TableRendering):
    def __init__(self) -> None:
        # False while rendering inside a block whose result will be checked as a whole.
        self._checking = True
        self._depth = 0
        # Thorough results by element: outer retries re-render inner blocks, and without
        # this a deeply nested page would cost exponential time.
        self._settled: dict[tuple[int, bool], str] = {}

    # -- flow: a sequence of blocks, checked by reading them back ----------------------------
    def flow(self, nodes: list[Node]) -> list[str]:
        """Markdown blocks for a container's content.

        Unchecked (inside a block that is checked as a whole) every block must have a
        friendly form or the whole attempt fails. Checked, all blocks are rendered, then
        compared with the storage they came from in one read-back; only the blocks that
        differ get a slower thorough treatment. That keeps the cost near one parse per flow.
        Inline content sitting directly in a block container becomes a paragraph marked
        ``{md-p=none}``.
        """
        if self._depth >= _MAX_DEPTH:
            if not self._checking:
                raise Unrepresentable("nested too deeply for markdown")
            return [self._verbatim([node]) for node in nodes]
        self._depth += 1
        try:
            return self._flow(nodes)
        finally:
            self._depth -= 1

    def _flow(self, nodes: list[Node]) -> list[str]:
        entries: list[_Entry] = []
        run: list[Node] = []
        previous: str | None = None
        for node in [*nodes, None]:
            if node is not None and not is_block(node):
                run.append(node)
                continue
            if run:
                entries.append(_Entry(run, _bare_paragraph(run), run=True))
                run, previous = [], None
            if node is None:
                break
            assert not isinstance(node, str)
            tag = local_tag(node)
            kind = "bullet" if tag in ("ul", "ac:task-list") else "ordered" if tag == "ol" else None
            alternate = kind is not None and kind == previous
            previous = kind
            entries.append(_Entry([node], self._fast(node, alternate), alternate))
        if self._checking:
            self._check(entries)
        elif any(entry.markdown is None and not entry.run for entry in entries):
            raise Unrepresentable("a nested block has no friendly form")
        for entry in entries:
            if entry.markdown is None:
                entry.markdown = self._verbatim(entry.nodes)
        return [entry.markdown for entry in entries if entry.markdown is not None]

    def _fast(self, element: etree._Element, alternate: bool) -> str | None:
        outer = self._checking
        self._checking = False
        try:
            return self._block(element, InlineRenderer(InlineMode.RICH), alternate)
        except Exception:  # a form that cannot be built is checked thoroughly instead
            return None
        finally:
            self._checking = outer

    def _check(self, entries: list[_Entry]) -> None:
        """Read all blocks back in one parse; give the ones that differ a thorough pass."""
        pending = [entry for entry in entries if entry.markdown is not None]
        if pending:
            # A verbatim marker element between blocks lets one parse be split per block.
            markdown = f"\n\n{_SEPARATOR_FENCE}\n\n".join(e.markdown or "" for e in pending)
            try:
                segments = _segments(markdown_to_tree(markdown, RawSlots()))
            except Exception:  # a parser surprise: check every block on its own instead
                segments = []
            if len(segments) == len(pending):
                for entry, segment in zip(pending, segments, strict=True):
                    entry.checked = canonical_xml(fragment(segment)) == canonical_xml(
                        fragment(entry.nodes)
                    )
        for entry in entries:
            if not entry.checked and entry.run:
                entry.markdown = self._verbatim(entry.nodes)
            elif not entry.checked:
                element = entry.nodes[0]
                assert not isinstance(element, str)
                entry.markdown = self._thorough(element, entry.alternate)

    def _thorough(self, element: etree._Element, alternate: bool) -> str:
        """Friendliest form that reads back, nested blocks checked one by one."""
        key = (id(element), alternate)
        if key not in self._settled:
            self._settled[key] = self._thorough_uncached(element, alternate)
        return self._settled[key]

    def _thorough_uncached(self, element: etree._Element, alternate: bool) -> str:
        outer = self._checking
        self._checking = True
        try:
            for mode in _MODES:
                try:
                    markdown = self._block(element, InlineRenderer(mode), alternate)
                except Exception:  # noqa: S112 - no such form: try the next mode
                    continue
                if _reads_back(markdown, [element]):
                    return markdown
        finally:
            self._checking = outer
        return self._verbatim([element])

    def _verbatim(self, nodes: list[Node]) -> str:
        return raw_fence(serialize_children(fragment(nodes)))

    def _block(self, element: etree._Element, inline: InlineRenderer, alternate: bool) -> str:
        tag = local_tag(element)
        if tag == "p":
            return self._paragraph(element, inline)
        if tag in _HEADINGS:
            text = inline.one_line().content(element).strip(" ")
            if "\n" in text:
                raise Unrepresentable("line break in a heading")
            marks = "#" * _HEADINGS[tag]
            return attr_line(element_attrs(element)) + (f"{marks} {text}" if text else marks)
        if tag in ("ul", "ol"):
            return self._list(element, inline, alternate)
        if tag == "ac:task-list":
            return self._task_list(element, inline, alternate)
        if tag == "table":
            try:
                return self._table(element, inline)
            except Unrepresentable:  # merged cells, blocks in cells: cell by cell instead
                return self._html_container(element)
        if tag == "blockquote" and not element.attrib:
            inner = "\n\n".join(self.flow(nodes_of(element)))
            return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        if tag == "hr" and not element.attrib and len(element) == 0:
            return "---"
        if tag == "pre" and not element.attrib and len(element) == 0:
            code = element.text or ""
            fence = backtick_fence(code, 3)
            return f"{fence}{{md-tag=pre}}\n{code}\n{fence}"
        if tag == "ac:structured-macro":
            return self._macro(element)
        if tag in ("ac:layout", "ac:layout-section", "ac:layout-cell"):
            return self._container(tag, element_attrs(element), nodes_of(element))
        if tag == "ac:image":
            if element.find(f"{{{AC}}}caption") is not None:
                return self._captioned_image(element)
            return inline.element(element)
        if tag in HTML_CONTAINERS:
            return self._html_container(element)
        raise Unrepresentable(f"no markdown form for <{tag}>")

    def _html_container(self, element: etree._Element) -> str:
        """``::: html:div {class=x}``: an XHTML block wrapper around markdown content."""
        tag = local_tag(element)
        attrs = element_attrs(element)
        nodes = nodes_of(element)
        if tag == "table":
            # The same hints as GFM tables: a colgroup of widths, an implicit tbody.
            first = nodes[0] if nodes else None
            if first is not None and not isinstance(first, str) and local_tag(first) == "colgroup":
                try:
                    attrs["md-colgroup"] = colgroup_hint(first)
                    nodes.pop(0)
                except Unrepresentable:
                    pass
            body = nodes[0] if len(nodes) == 1 else None
            if body is not None and not isinstance(body, str) and local_tag(body) == "tbody":
                if not body.attrib:
                    nodes = nodes_of(body)
                else:
                    attrs["md-tbody"] = "none"
            else:
                attrs["md-tbody"] = "none"
        return self._container(f"html:{tag}", attrs, nodes)

    def _paragraph(self, element: etree._Element, inline: InlineRenderer) -> str:
        attrs = element_attrs(element)
        children = list(element)
        if (
            len(children) == 1
            and local_tag(children[0]) == "ac:image"
            and not collapse(element.text).strip()
            and not collapse(children[0].tail).strip()
        ):
            attrs["md-p"] = "true"
        text = fix_line_starts(inline.content(element).strip(" "))
        if text == "&nbsp;":
            attrs["md-nbsp"] = "true"  # a real no-break space, not our empty-paragraph mark
        return attr_line(attrs) + (text or "&nbsp;")

    # -- lists --------------------------------------------------------------------------------

    def _macro(self, element: etree._Element) -> str:
        name = element.get(f"{{{AC}}}name") or ""
        attrs = element_attrs(element, ("ac:name",))
        if "ac:schema-version" not in attrs:
            attrs["md-schema"] = "none"  # older pages: the default would add one
        elif attrs["ac:schema-version"] == "1":
            del attrs["ac:schema-version"]  # the default when converting back
        params: dict[str, str] = {}
        body: etree._Element | None = None
        for node in nodes_of(element):
            if isinstance(node, str) or body is not None:
                raise Unrepresentable("content after the macro body")
            tag = local_tag(node)
            if tag == "ac:parameter":
                encoded = encode_parameter(node)
                if encoded is None or encoded[0] in params:
                    raise Unrepresentable("parameter without an attribute form")
                params[encoded[0]] = encoded[1]
            elif tag in ("ac:plain-text-body", "ac:rich-text-body") and not node.attrib:
                body = node
            else:
                raise Unrepresentable(f"<{tag}> in a macro")
        if name in ("ac:layout", "ac:layout-section", "ac:layout-cell"):
            raise Unrepresentable("macro name clashes with layout containers")
        if body is None:
            return self._container(name, params | attrs, [])
        if local_tag(body) == "ac:rich-text-body":
            nodes = nodes_of(body)
            if not nodes:
                attrs["md-body"] = "rich"
            return self._container(name, params | attrs, nodes)
        if len(body):
            raise Unrepresentable("markup in a plain-text body")
        return self._fence(name, params, attrs, body.text or "")

    def _captioned_image(self, element: etree._Element) -> str:
        """``::: ac:image {src=... ac:width=...}`` holding the caption as markdown."""
        parts = nodes_of(element)
        if len(parts) != 2 or any(isinstance(p, str) for p in parts):
            raise Unrepresentable("image content")
        resource, caption = parts
        assert not isinstance(resource, str)
        assert not isinstance(caption, str)
        if local_tag(caption) != "ac:caption" or caption.attrib:
            raise Unrepresentable("caption attributes")
        attrs = element_attrs(element)
        if local_tag(resource) == "ri:url" and list(resource.attrib) == [f"{{{RI}}}value"]:
            attrs["src"] = resource.get(f"{{{RI}}}value") or ""
            if attrs["src"].startswith("attachment:") or len(resource):
                raise Unrepresentable("URL that reads as an attachment")
        else:
            encoded = encode_resource(resource)
            if encoded is None or local_tag(resource) != "ri:attachment":
                raise Unrepresentable("image resource")
            attrs |= {"src": encoded[0]} | encoded[1]
        return self._container("ac:image", attrs, nodes_of(caption))

    @staticmethod
    def _fence(name: str, params: dict[str, str], attrs: dict[str, str], code: str) -> str:
        language = ""
        if name == "code":
            candidate = params.get("language", "")
            if _LANGUAGE_RE.fullmatch(candidate) and candidate != RAW_LANGUAGE:
                language = params.pop("language")
        else:
            attrs = {"ac:name": name} | attrs
        info = " ".join(p for p in (language, attr_line(params | attrs).strip()) if p)
        fence = backtick_fence(code, 3)
        return f"{fence}{info}\n{code}\n{fence}"

    def _container(self, name: str, attrs: dict[str, str], nodes: list[Node]) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]*", name):
            raise Unrepresentable("macro name")
        inner = "\n\n".join(self.flow(nodes))
        depth = max((len(m) for m in _CONTAINER_LINE_RE.findall(inner)), default=2)
        colons = ":" * max(3, depth + 1)
        opening = " ".join(p for p in (colons, name, attr_line(attrs).strip()) if p)
        return f"{opening}\n{inner}\n{colons}" if inner else f"{opening}\n{colons}"
