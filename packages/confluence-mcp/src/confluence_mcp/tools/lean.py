"""Structured results without an advertised output schema.

Every schema byte is repeated in ``tools/list`` on each request; for the tools of issue 13
whose result is self-describing JSON, the result is still sent as ``structuredContent`` (and
as JSON text) but no ``outputSchema`` is listed, which keeps the whole list under half of
mcp-atlassian's.
"""

from __future__ import annotations

import json

from fastmcp.tools import ToolResult
from mcp_types import TextContent

from confluence_mcp.models import ResultModel

__all__ = ["lean_result"]


def lean_result(model: ResultModel) -> ToolResult:
    """``model`` as structured content plus the same JSON as text (``None`` fields left out)."""
    data = model.model_dump(mode="json", exclude_none=True)
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return ToolResult(content=[TextContent(type="text", text=text)], structured_content=data)
