"""The same guarantees over a real socket: uvicorn on 127.0.0.1, a real HTTP client."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.utilities.http import find_available_port
from mcp import MCPError

from mcp_auth.fastmcp import protect


@pytest.fixture
async def url(kit: Any, verifier: Any, audit: Any) -> AsyncIterator[str]:
    port = find_available_port()
    mcp = kit.make_server()
    protect(
        mcp,
        verifier,
        base_url=f"http://127.0.0.1:{port}",
        policy=kit.make_policy(),
        audit=audit.logger,
        authorization_servers=["https://as.example/"],
    )
    app = mcp.http_app(path="/mcp")
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", ws="none"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()  # surfaces why uvicorn could not start
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        # A graceful stop, so uvicorn closes its sockets (cancelling the task would not).
        server.should_exit = True
        await task


async def test_challenge_metadata_and_scope_refusal_over_a_socket(
    url: str, kit: Any, audit: Any
) -> None:
    base = url.removesuffix("/mcp")
    metadata_url = f"{base}/.well-known/oauth-protected-resource/mcp"
    async with httpx.AsyncClient() as http:
        unauthenticated = await http.post(url, json={}, headers={"x-request-id": "sock-1"})
        metadata = await http.get(metadata_url)
        refused = await http.post(
            url,
            json=kit.tool_call("write_page", {"page_id": "1", "body": "x"}),
            headers={**kit.MCP_HEADERS, **kit.bearer(kit.READER_TOKEN)},
        )
    assert unauthenticated.status_code == 401
    challenge = unauthenticated.headers["www-authenticate"]
    assert f'resource_metadata="{metadata_url}"' in challenge
    assert 'scope="admin pages:read pages:write"' in challenge
    assert metadata.json() == {
        "resource": url,
        "authorization_servers": ["https://as.example/"],
        "scopes_supported": ["admin", "pages:read", "pages:write"],
        "bearer_methods_supported": ["header"],
    }
    assert refused.status_code == 403
    assert (
        'error="insufficient_scope", error_description="missing scopes: pages:write"'
        in (refused.headers["www-authenticate"])
    )
    missing = audit.named("auth.failure")[0]
    assert missing["request_id"] == "sock-1"
    assert missing["remote_addr"] == "127.0.0.1"
    assert missing["user_agent"].startswith("python-httpx/")


async def test_fastmcp_client_with_bearer_token_over_a_socket(
    url: str, kit: Any, audit: Any
) -> None:
    async with Client(StreamableHttpTransport(url, auth=kit.WRITER_TOKEN)) as client:
        written = await client.call_tool("write_page", {"page_id": "5", "body": "hello"})
        who = await client.call_tool("whoami", {})
        with pytest.raises(MCPError, match="missing admin"):
            await client.call_tool("admin_purge", {"space": "DEMO"})
    assert written.data == "wrote 5 characters to 5"
    assert who.structured_content is not None
    assert who.structured_content["subject"] == "writer"
    outcomes = [(e["operation"], e["outcome"]) for e in audit.named("tool.call")]
    assert outcomes == [("write_page", "success"), ("whoami", "success"), ("admin_purge", "denied")]
    assert all(e["remote_addr"] == "127.0.0.1" for e in audit.events)


async def test_refused_client_token_fails_the_connection(url: str, kit: Any, audit: Any) -> None:
    client = Client(StreamableHttpTransport(url, auth=kit.EXPIRED_TOKEN))
    with pytest.raises(MCPError, match="error response"):
        async with client:
            pass
    reasons = {e["reason"] for e in audit.named("auth.failure")}
    assert reasons == {"expired"}
    assert not audit.named("auth.success")
