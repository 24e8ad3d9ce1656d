"""`ScopeMiddleware` hooks called directly, for paths a served app does not reach."""

from typing import Any

import mcp_types as mt
import pytest
from fastmcp.exceptions import AuthorizationError
from fastmcp.server.http import set_http_request
from fastmcp.server.middleware import MiddlewareContext
from starlette.requests import Request

from mcp_auth.fastmcp import ScopeMiddleware


async def test_without_fastmcp_context_an_http_tool_call_is_denied(kit: Any, audit: Any) -> None:
    middleware = ScopeMiddleware(kit.make_policy(), audit=audit.logger)
    context = MiddlewareContext(
        message=mt.CallToolRequestParams(name="read_page", arguments={"page_id": "1"}),
        method="tools/call",
        fastmcp_context=None,
    )
    ran: list[str] = []

    async def call_next(_: Any) -> Any:
        ran.append("tool")

    request = Request({"type": "http", "method": "POST", "path": "/mcp", "headers": []})
    with set_http_request(request), pytest.raises(AuthorizationError, match="no server context"):
        await middleware.on_call_tool(context, call_next)
    assert ran == []
    [event] = audit.events
    assert (event["event"], event["outcome"]) == ("tool.call", "denied")
