"""Per-tool scopes through FastMCP's real HTTP app in-process: the 403 step-up answer,
the tool-error backstop, tools/list hiding and the tool.call audit trail."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from fastmcp import Client, FastMCP
from fastmcp.exceptions import ToolError
from fastmcp.utilities.tests import ASGIServer, asgi_server
from mcp import MCPError
from mcp_types import PromptReference, ResourceTemplateReference

from mcp_auth.fastmcp import (
    INSUFFICIENT_SCOPE_ERROR_CODE,
    MCPAuthProvider,
    ScopeMiddleware,
)

METADATA_URL = "http://127.0.0.1/.well-known/oauth-protected-resource/mcp"


@pytest.fixture
async def served(protected: Callable[..., FastMCP]) -> AsyncIterator[ASGIServer]:
    async with asgi_server(protected(), stateless_http=True, json_response=True) as server:
        yield server


async def test_under_scoped_tool_call_gets_403_insufficient_scope(
    served: ASGIServer, kit: Any, audit: Any
) -> None:
    call = kit.tool_call("write_page", {"page_id": "12", "body": "secret text"}, request_id=9)
    async with served.http_client() as http:
        response = await http.post(
            "/mcp", json=call, headers={**kit.MCP_HEADERS, **kit.bearer(kit.READER_TOKEN)}
        )
    assert response.status_code == 403
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert 'error="insufficient_scope"' in challenge
    assert 'scope="pages:write"' in challenge
    assert f'resource_metadata="{METADATA_URL}"' in challenge
    body = response.json()
    assert body["id"] == 9
    assert body["error"]["code"] == INSUFFICIENT_SCOPE_ERROR_CODE
    assert "missing pages:write" in body["error"]["message"]
    assert body["error"]["data"] == {
        "error": "insufficient_scope",
        "tool": "write_page",
        "required_scopes": ["pages:write"],
        "missing_scopes": ["pages:write"],
    }
    denied = audit.named("authz.denied")
    assert [(e["operation"], e["missing_scopes"]) for e in denied] == [
        ("write_page", ["pages:write"])
    ]
    [call_event] = audit.named("tool.call")
    assert call_event["outcome"] == "denied"
    assert call_event["subject"] == "reader"
    assert call_event["arguments"] == {"page_id": 4, "body": 13}
    assert "secret text" not in "".join(audit.sink.lines)


async def test_allowed_tool_call_gets_200_and_its_result(
    served: ASGIServer, kit: Any, audit: Any
) -> None:
    call = kit.tool_call("read_page", {"page_id": "12"})
    async with served.http_client() as http:
        response = await http.post(
            "/mcp", json=call, headers={**kit.MCP_HEADERS, **kit.bearer(kit.READER_TOKEN)}
        )
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["isError"] is False
    assert result["content"][0]["text"] == "page 12"
    [call_event] = audit.named("tool.call")
    assert call_event["outcome"] == "success"
    assert call_event["operation"] == "read_page"
    assert call_event["duration_ms"] >= 0


async def test_fastmcp_client_sees_the_missing_scopes(served: ASGIServer, kit: Any) -> None:
    async with served.client(auth=kit.READER_TOKEN) as client:
        assert (await client.call_tool("read_page", {"page_id": "7"})).data == "page 7"
        with pytest.raises(MCPError, match="missing pages:write") as raised:
            await client.call_tool("write_page", {"page_id": "7", "body": "x"})
        assert raised.value.error.code == INSUFFICIENT_SCOPE_ERROR_CODE
        with pytest.raises(MCPError, match="missing admin"):
            await client.call_tool("admin_purge", {"space": "DEMO"})


async def test_implied_scopes_and_name_patterns(served: ASGIServer, kit: Any) -> None:
    async with served.client(auth=kit.ADMIN_TOKEN) as client:
        assert (await client.call_tool("admin_purge", {"space": "DEMO"})).data == "purged DEMO"
        written = await client.call_tool("write_page", {"page_id": "7", "body": "abc"})
        assert written.data == "wrote 3 characters to 7"


async def test_failing_and_unknown_tools_are_audited_as_errors(
    served: ASGIServer, kit: Any, audit: Any
) -> None:
    async with served.client(auth=kit.WRITER_TOKEN) as client:
        with pytest.raises(ToolError, match="failed: on purpose"):
            await client.call_tool("failing", {"reason": "on purpose"})
        with pytest.raises(ToolError, match="Unknown tool"):
            await client.call_tool("no_such_tool", {"x": 1})
    outcomes = [
        (e["operation"], e["outcome"], e.get("error_type")) for e in audit.named("tool.call")
    ]
    assert ("failing", "error", "ToolError") in outcomes
    assert ("no_such_tool", "error", "NotFoundError") in outcomes


async def test_every_event_of_a_request_shares_its_request_id(
    served: ASGIServer, kit: Any, audit: Any
) -> None:
    headers = {**kit.MCP_HEADERS, **kit.bearer(kit.READER_TOKEN), "x-request-id": "trace-me"}
    async with served.http_client() as http:
        await http.post("/mcp", json=kit.tool_call("read_page", {"page_id": "1"}), headers=headers)
        await http.post(
            "/mcp", json=kit.tool_call("write_page", {"page_id": "1", "body": ""}), headers=headers
        )
    events = audit.events
    assert [e["event"] for e in events] == [
        "auth.success",
        "tool.call",
        "auth.success",
        "authz.denied",
        "tool.call",
    ]
    assert {e["request_id"] for e in events} == {"trace-me"}


@pytest.mark.parametrize("hide", [True, False])
async def test_tools_list_hides_forbidden_tools_on_request(
    kit: Any, protected: Callable[..., FastMCP], hide: bool
) -> None:
    async with (
        asgi_server(protected(hide_forbidden=hide)) as server,
        server.client(auth=kit.READER_TOKEN) as client,
    ):
        names = {tool.name for tool in await client.list_tools()}
    everything = {"read_page", "write_page", "whoami", "failing", "admin_purge"}
    assert names == ({"read_page", "whoami", "failing"} if hide else everything)


async def test_hiding_is_the_default_and_hidden_tools_still_answer_403(
    kit: Any, verifier: Any, audit: Any
) -> None:
    mcp = kit.make_server()
    mcp.auth = MCPAuthProvider(
        verifier, base_url="http://127.0.0.1", policy=kit.make_policy(), audit=audit.logger
    )
    mcp.add_middleware(ScopeMiddleware(kit.make_policy(), audit=audit.logger))
    async with asgi_server(mcp) as server:
        listed: dict[str, set[str]] = {}
        for name, token in (("reader", kit.READER_TOKEN), ("admin", kit.ADMIN_TOKEN)):
            async with server.client(auth=token) as client:
                listed[name] = {tool.name for tool in await client.list_tools()}
        async with server.http_client() as http:
            call = kit.tool_call("write_page", {"page_id": "1", "body": "x"})
            refused = await http.post(
                "/mcp", json=call, headers={**kit.MCP_HEADERS, **kit.bearer(kit.READER_TOKEN)}
            )
    policy = kit.make_policy()
    every = {tool.name: tool.tags for tool in await mcp.list_tools()}
    for name, scopes in (("reader", kit.READER.scopes), ("admin", kit.ADMIN.scopes)):
        expected = {tool for tool, tags in every.items() if policy.allows(scopes, tool, tags)}
        assert listed[name] == expected
    assert "write_page" not in listed["reader"]
    assert listed["admin"] == set(every)
    assert refused.status_code == 403
    assert 'scope="pages:write"' in refused.headers["www-authenticate"]


async def test_server_wide_required_scopes_get_fastmcps_403(
    kit: Any, verifier: Any, audit: Any
) -> None:
    mcp = kit.make_server()
    mcp.auth = MCPAuthProvider(
        verifier, base_url="http://127.0.0.1", required_scopes=["pages:read"], audit=audit.logger
    )
    async with asgi_server(mcp) as server, server.http_client() as http:
        refused = await http.post("/mcp", json={}, headers=kit.bearer(kit.NOSCOPE_TOKEN))
        missing = await http.post("/mcp", json={})
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]
    assert 'scope="pages:read"' in refused.headers["www-authenticate"]
    # Without a policy the challenge scope defaults to the required scopes.
    assert 'scope="pages:read"' in missing.headers["www-authenticate"]


async def test_legacy_sse_transport_refuses_with_a_tool_error(
    kit: Any, protected: Callable[..., FastMCP], audit: Any
) -> None:
    async with (
        asgi_server(protected(), transport="sse") as server,
        server.client(auth=kit.READER_TOKEN) as client,
    ):
        assert (await client.call_tool("read_page", {"page_id": "3"})).data == "page 3"
        with pytest.raises(ToolError, match="missing pages:write"):
            await client.call_tool("write_page", {"page_id": "3", "body": "x"})
    assert [e["operation"] for e in audit.named("authz.denied")] == ["write_page"]
    outcomes = [(e["operation"], e["outcome"]) for e in audit.named("tool.call")]
    assert outcomes == [("read_page", "success"), ("write_page", "denied")]


async def test_gate_can_be_switched_off_leaving_the_tool_error(
    kit: Any, protected: Callable[..., FastMCP]
) -> None:
    async with (
        asgi_server(protected(step_up=False)) as server,
        server.client(auth=kit.READER_TOKEN) as client,
    ):
        with pytest.raises(ToolError, match="insufficient scope for 'write_page': missing"):
            await client.call_tool("write_page", {"page_id": "3", "body": "x"})


async def test_in_memory_clients_are_trusted_but_audited(kit: Any, audit: Any) -> None:
    mcp = kit.make_server()
    mcp.add_middleware(ScopeMiddleware(kit.make_policy(), audit=audit.logger, hide_forbidden=True))
    async with Client(mcp) as client:
        assert len(await client.list_tools()) == 5
        result = await client.call_tool("admin_purge", {"space": "X"})
    assert result.data == "purged X"
    [event] = audit.events
    assert event["event"] == "tool.call"
    assert event["outcome"] == "success"
    assert "subject" not in event


async def test_audit_only_middleware_enforces_nothing(kit: Any, verifier: Any, audit: Any) -> None:
    mcp = kit.make_server()
    mcp.auth = MCPAuthProvider(verifier, base_url="http://127.0.0.1", audit=audit.logger)
    mcp.add_middleware(ScopeMiddleware(audit=audit.logger))
    async with asgi_server(mcp) as server, server.client(auth=kit.NOSCOPE_TOKEN) as client:
        assert (await client.call_tool("admin_purge", {"space": "X"})).data == "purged X"
    assert audit.named("tool.call")[0]["subject"] == "nobody"


async def test_prompts_and_resources_follow_the_policy(
    served: ASGIServer, kit: Any, audit: Any
) -> None:
    async with served.client(auth=kit.READER_TOKEN) as client:
        prompt = await client.get_prompt("summarize", {"page_id": "4"})
        index = await client.read_resource("pages://index")
        with pytest.raises(MCPError, match="missing pages:write"):
            await client.get_prompt("rewrite", {"page_id": "4"})
        with pytest.raises(MCPError, match="missing pages:write"):
            await client.read_resource("pages://4/draft")
        with pytest.raises(MCPError, match=r"not found|Unknown"):
            await client.get_prompt("no_such_prompt", {})
    assert "Summarise page 4." in str(prompt.messages[0].content)
    assert "1,2,3" in str(index[0])
    denied = [(e["operation"], e["missing_scopes"]) for e in audit.named("authz.denied")]
    assert denied == [("rewrite", ["pages:write"]), ("draft", ["pages:write"])]
    assert not audit.named("tool.call")


@pytest.mark.parametrize("hide", [True, False])
async def test_hiding_covers_prompts_and_resources(
    kit: Any, protected: Callable[..., FastMCP], hide: bool
) -> None:
    async with (
        asgi_server(protected(hide_forbidden=hide)) as server,
        server.client(auth=kit.READER_TOKEN) as client,
    ):
        prompts = {p.name for p in await client.list_prompts()}
        resources = {str(r.uri) for r in await client.list_resources()}
        templates = {t.uri_template for t in await client.list_resource_templates()}
    assert prompts == ({"summarize"} if hide else {"summarize", "rewrite"})
    assert resources == {"pages://index"}
    assert templates == (set() if hide else {"pages://{page_id}/draft"})


async def test_completion_follows_the_policy(
    kit: Any, protected: Callable[..., FastMCP], audit: Any
) -> None:
    mcp = protected()

    async def complete(ref: Any, argument: Any, context: Any) -> list[str]:
        return ["4", "5"]

    mcp.add_completion_handler(complete)
    async with asgi_server(mcp) as server, server.client(auth=kit.READER_TOKEN) as client:
        allowed = await client.complete(
            PromptReference(name="summarize"), {"name": "page_id", "value": "4"}
        )
        prompt = await client.complete(
            PromptReference(name="rewrite"), {"name": "page_id", "value": "4"}
        )
        template = await client.complete(
            ResourceTemplateReference(uri="pages://{page_id}/draft"),
            {"name": "page_id", "value": "4"},
        )
    assert allowed.values == ["4", "5"]
    assert prompt.values == []
    assert template.values == []
    denied = [(e["operation"], e["missing_scopes"]) for e in audit.named("authz.denied")]
    assert denied == [("rewrite", ["pages:write"]), ("draft", ["pages:write"])]
