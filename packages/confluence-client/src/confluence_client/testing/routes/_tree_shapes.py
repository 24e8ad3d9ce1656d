"""Items of the v2 content-tree listings (``direct-children``, ``descendants``), shared by
pages, folders, whiteboards and databases."""

from __future__ import annotations

from typing import Any

from .._records import PageRecord

__all__ = ["TREE_KINDS", "child_json", "descendant_json"]

TREE_KINDS = ("page", "folder", "whiteboard", "database")
"""What ``direct-children`` and ``descendants`` list: every content-tree node type."""


def child_json(p: PageRecord) -> dict[str, Any]:
    """A ``direct-children`` item (typed, no links: Confluence sends none there)."""
    return {
        "id": p.id,
        "status": p.status,
        "title": p.title,
        "type": p.kind,
        "spaceId": p.space_id,
        "childPosition": p.position,
    }


def descendant_json(item: tuple[PageRecord, int]) -> dict[str, Any]:
    """A ``descendants`` item: the node, its parent and its depth below the root."""
    node, depth = item
    return {
        "id": node.id,
        "status": node.status,
        "title": node.title,
        "type": node.kind,
        "parentId": node.parent_id,
        "depth": depth,
        "childPosition": node.position,
    }
