"""Lists and task lists, storage -> markdown."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._render_common import (
    FlowRenderer,
    Node,
    attr_line,
    element_attrs,
    fix_line_starts,
    fragment,
    indent,
    is_block,
    nodes_of,
)
from confluence_client.content._render_inline import InlineRenderer, Unrepresentable
from confluence_client.content._syntax import format_attrs
from confluence_client.content._xml import local_tag

__all__ = ["ListRendering"]


class ListRendering(FlowRenderer):
    """Renders ``<ul>``, ``<ol>`` and ``ac:task-list`` (mixed into the block renderer)."""

    def _item_blocks(self, item: etree._Element, inline: InlineRenderer) -> tuple[list[str], bool]:
        """Markdown blocks of one list item and whether its content is bare (no <p>)."""
        nodes = nodes_of(item)
        bare = bool(nodes) and not is_block(nodes[0])
        if not bare:
            return self.flow(nodes), False
        blocks: list[str] = []
        run: list[Node] = []
        for node in [*nodes, None]:
            if node is not None and not is_block(node):
                run.append(node)
                continue
            if run:
                blocks.append(fix_line_starts(self._inline_run(run, inline).strip(" ")))
                run = []
            if node is not None:
                blocks.extend(self.flow([node]))
        return blocks, True

    @staticmethod
    def _inline_run(nodes: list[Node], inline: InlineRenderer) -> str:
        holder = fragment(nodes)
        return inline.content(holder)

    def _list(self, element: etree._Element, inline: InlineRenderer, alternate: bool) -> str:
        tag = local_tag(element)
        attrs = element_attrs(element, ("start",) if tag == "ol" else ())
        start = element.get("start", "1") if tag == "ol" else "1"
        if not start.isdigit() or (tag == "ol" and element.get("start") == "1"):
            raise Unrepresentable("list start")
        items = nodes_of(element)
        if not items or any(isinstance(i, str) or local_tag(i) != "li" or i.attrib for i in items):
            raise Unrepresentable("list with content outside <li>")
        rendered: list[tuple[list[str], bool]] = []
        for item in items:
            assert not isinstance(item, str)
            rendered.append(self._item_blocks(item, inline))
        bare_flags = {bare for blocks, bare in rendered if blocks}
        if len(bare_flags) > 1:
            raise Unrepresentable("list mixing bare and paragraph items")
        if bare_flags == {True}:
            attrs["md-bare"] = "true"
        lines = []
        for index, (blocks, _) in enumerate(rendered):
            if tag == "ul":
                marker = "*" if alternate else "-"
            else:
                marker = f"{int(start) + index}{')' if alternate else '.'}"
            lines.append(self._item(marker, blocks))
        loose = any(len(blocks) > 1 for blocks, _ in rendered)
        return attr_line(attrs) + ("\n\n" if loose else "\n").join(lines)

    @staticmethod
    def _item(marker: str, blocks: list[str], first_line: str | None = None) -> str:
        head = first_line if first_line is not None else (blocks[0] if blocks else "")
        rest = blocks if first_line is not None else blocks[1:]
        width = len(marker) + 1
        text = f"{marker} {indent(head, width)[width:] if head else ''}".rstrip(" ")
        for block in rest:
            text += "\n\n" + indent(block, width)
        return text

    def _task_list(self, element: etree._Element, inline: InlineRenderer, alternate: bool) -> str:
        tasks = nodes_of(element)
        if not tasks or any(isinstance(t, str) or local_tag(t) != "ac:task" for t in tasks):
            raise Unrepresentable("task list with content outside <ac:task>")
        marker = "*" if alternate else "-"
        lines = []
        for task in tasks:
            assert not isinstance(task, str)
            lines.append(self._task(task, inline, marker))
        return attr_line(element_attrs(element)) + "\n".join(lines)

    def _task(self, task: etree._Element, inline: InlineRenderer, marker: str) -> str:
        parts = {local_tag(c): c for c in task if isinstance(c.tag, str)}
        order = [local_tag(c) for c in task if isinstance(c.tag, str)]
        expected = ["ac:task-id", "ac:task-uuid", "ac:task-status", "ac:task-body"]
        if order not in (expected, [expected[0], *expected[2:]]) or task.attrib:
            raise Unrepresentable("unexpected task structure")
        if any(len(parts[name]) or parts[name].attrib for name in order[:-1]):
            raise Unrepresentable("task metadata with markup")
        status = (parts["ac:task-status"].text or "").strip()
        if status not in ("complete", "incomplete"):
            raise Unrepresentable("unknown task status")
        meta = {"task-id": (parts["ac:task-id"].text or "").strip()}
        if "ac:task-uuid" in parts:
            meta["task-uuid"] = (parts["ac:task-uuid"].text or "").strip()
        body = parts["ac:task-body"]
        nodes = nodes_of(body)
        first = nodes[0] if nodes else None
        if (
            first is not None
            and not isinstance(first, str)
            and local_tag(first) == "span"
            and element_attrs(first) == {"class": "placeholder-inline-tasks"}
        ):
            text = inline.content(first)
            rest = nodes[1:]
        else:
            meta["md-bare"] = "true"
            split = next((i for i, n in enumerate(nodes) if is_block(n)), len(nodes))
            text = self._inline_run(nodes[:split], inline) if split else ""
            rest = nodes[split:]
        if "\n" in text:
            raise Unrepresentable("task text with a line break")
        box = "[x]" if status == "complete" else "[ ]"
        text = text.strip(" ")
        line = f"{box} {text} []{_format_meta(meta)}" if text else f"{box} []{_format_meta(meta)}"
        return self._item(marker, self.flow(rest), first_line=line)

    # -- tables -------------------------------------------------------------------------------


def _format_meta(meta: dict[str, str]) -> str:
    try:
        return format_attrs(meta, ("task",))
    except ValueError as exc:
        raise Unrepresentable(str(exc)) from None
