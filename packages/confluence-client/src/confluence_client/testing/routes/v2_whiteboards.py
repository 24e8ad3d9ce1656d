"""v2 whiteboards and databases (Cloud): metadata and their place in the content tree.

Both are tree nodes without a storage body (a canvas, a table of rows), so the fake keeps
them as body-less records of their own ``kind`` that pages may sit under. Whiteboards are in
the 2024 API document (``WhiteboardSingle``); databases and every ``direct-children`` and
non-page ``descendants`` route are newer, so their shapes follow Atlassian's current
reference.
"""

from __future__ import annotations

from typing import Any

from ._tree_nodes import get_node, node_children, node_descendants

__all__ = ["ROUTES"]

ROUTES: list[tuple[str, Any, list[str]]] = [
    ("/whiteboards/{id}", get_node, ["GET"]),
    ("/databases/{id}", get_node, ["GET"]),
    ("/whiteboards/{id}/direct-children", node_children, ["GET"]),
    ("/databases/{id}/direct-children", node_children, ["GET"]),
    ("/whiteboards/{id}/descendants", node_descendants, ["GET"]),
    ("/databases/{id}/descendants", node_descendants, ["GET"]),
]
