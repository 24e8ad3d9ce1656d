"""The insufficient-scope gate as a plain ASGI app: what it refuses, what it lets through,
and that whatever it lets through reaches the app byte for byte."""

import json
from typing import Any

import pytest
from fastmcp.server.auth import AccessToken
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from starlette.types import Message, Receive, Scope, Send

from mcp_auth.fastmcp import InsufficientScopeGate, access_token_from_principal


class Resource:
    protected_paths = frozenset({"/mcp"})
    resource_metadata_url = "https://mcp.example/.well-known/oauth-protected-resource/mcp"


class Recorder:
    """The downstream app: records the body it reads, answers 200."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.extra: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                self.extra.append(message)
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        self.bodies.append(b"".join(chunks))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


class FakeApp:
    """Stands in for FastMCP's Starlette app: `scope["app"].state.fastmcp_server`."""

    def __init__(self, server: Any) -> None:
        self.state = type("State", (), {"fastmcp_server": server})()


async def run(
    gate: InsufficientScopeGate, scope: Scope, chunks: list[bytes], *, disconnect: bool = False
) -> list[Message]:
    incoming: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    if disconnect:
        incoming = [{**incoming[0], "more_body": True}, {"type": "http.disconnect"}]
    incoming.append({"type": "http.disconnect"})
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await gate(scope, receive, send)
    return sent


def make_scope(
    kit: Any, server: Any, *, token: AccessToken | None = None, **overrides: Any
) -> Scope:
    access = token or access_token_from_principal(kit.READER, kit.READER_TOKEN)
    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/mcp",
        "root_path": "",
        "headers": [],
        "user": AuthenticatedUser(access),
        "app": FakeApp(server),
    }
    scope.update(overrides)
    return scope


@pytest.fixture
def gate_and_app(kit: Any, audit: Any) -> tuple[InsufficientScopeGate, Recorder]:
    app = Recorder()
    gate = InsufficientScopeGate(
        app, policy=kit.make_policy(), provider=Resource(), audit=audit.logger, max_body_bytes=256
    )
    return gate, app


def status(sent: list[Message]) -> int:
    return int(sent[0]["status"])


async def test_refuses_in_chunks_and_names_the_metadata(kit: Any, gate_and_app: Any) -> None:
    gate, app = gate_and_app
    body = json.dumps(kit.tool_call("write_page", {"page_id": "1", "body": ""})).encode()
    sent = await run(gate, make_scope(kit, kit.make_server()), [body[:10], body[10:]])
    assert status(sent) == 403
    headers = dict(sent[0]["headers"])
    assert Resource.resource_metadata_url.encode() in headers[b"www-authenticate"]
    assert app.bodies == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"write_page"}}]',
        b'{"jsonrpc":"2.0","method":"tools/call","params":{"name":"write_page"}}',
        b'{"jsonrpc":"2.0","id":true,"method":"tools/call","params":{"name":"write_page"}}',
        b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}}',
        b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":[]}',
        b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
        b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}}',
        b'{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"read_page"}}',
    ],
)
async def test_passes_everything_else_through_unchanged(
    kit: Any, gate_and_app: Any, audit: Any, body: bytes
) -> None:
    gate, app = gate_and_app
    sent = await run(gate, make_scope(kit, kit.make_server()), [body[:3], body[3:]])
    assert status(sent) == 200
    assert app.bodies == [body]
    assert audit.events == []


async def test_oversized_body_is_streamed_through_unjudged(kit: Any, gate_and_app: Any) -> None:
    gate, app = gate_and_app
    call = kit.tool_call("write_page", {"page_id": "1", "body": "x" * 400})
    body = json.dumps(call).encode()
    chunks = [body[i : i + 100] for i in range(0, len(body), 100)]
    sent = await run(gate, make_scope(kit, kit.make_server()), chunks)
    assert status(sent) == 200
    assert app.bodies == [body]


async def test_client_disconnect_while_reading_is_passed_on(kit: Any, gate_and_app: Any) -> None:
    gate, app = gate_and_app
    sent = await run(gate, make_scope(kit, kit.make_server()), [b'{"jsonrpc"'], disconnect=True)
    assert status(sent) == 200
    assert app.extra == [{"type": "http.disconnect"}]


@pytest.mark.parametrize(
    "overrides",
    [
        {"method": "GET"},
        {"path": "/other"},
        {"user": None},
        {"type": "http", "app": None},
        {"path": "/prefix/mcp/", "root_path": "/prefix", "app": None},
    ],
)
async def test_requests_it_cannot_judge_go_through(
    kit: Any, gate_and_app: Any, overrides: dict[str, Any]
) -> None:
    gate, app = gate_and_app
    body = json.dumps(kit.tool_call("write_page", {"page_id": "1", "body": ""})).encode()
    sent = await run(gate, make_scope(kit, kit.make_server(), **overrides), [body])
    assert status(sent) == 200
    assert app.bodies == [body]


async def test_mounted_path_is_matched_relative_to_root(kit: Any, gate_and_app: Any) -> None:
    gate, _ = gate_and_app
    body = json.dumps(kit.tool_call("write_page", {"page_id": "1", "body": ""})).encode()
    scope = make_scope(kit, kit.make_server(), path="/prefix/mcp/", root_path="/prefix")
    assert status(await run(gate, scope, [body])) == 403


async def test_tokens_from_other_verifiers_are_left_to_the_middleware(
    kit: Any, gate_and_app: Any
) -> None:
    gate, app = gate_and_app
    foreign = AccessToken(token="t", client_id="c", scopes=[])
    body = json.dumps(kit.tool_call("write_page", {"page_id": "1", "body": ""})).encode()
    sent = await run(gate, make_scope(kit, kit.make_server(), token=foreign), [body])
    assert status(sent) == 200
    assert app.bodies == [body]


async def test_lifespan_and_websocket_scopes_pass(kit: Any, gate_and_app: Any) -> None:
    gate, _ = gate_and_app
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    gate.app = app

    async def receive() -> Message:
        raise AssertionError("not read")

    async def send(message: Message) -> None:
        raise AssertionError("not sent")

    await gate({"type": "lifespan"}, receive, send)
    assert seen == ["lifespan"]


async def test_lone_surrogate_in_a_denied_call_is_audited_then_answered_by_the_app(
    kit: Any, gate_and_app: Any, audit: Any
) -> None:
    # Python's json accepts a lone "\ud800" escape, the MCP app refuses it as a parse error:
    # the gate audits the denial, then lets the app answer as for any malformed body.
    gate, app = gate_and_app
    body = (
        b'{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"write_page",'
        b'"arguments":{"page_id":"1","body":"a\\ud800b"}}}'
    )
    sent = await run(gate, make_scope(kit, kit.make_server()), [body])
    assert status(sent) == 200  # the Recorder's answer: the app had the last word
    assert app.bodies == [body]
    events = [event["event"] for event in audit.events]
    assert events == ["authz.denied", "tool.call"]
    # Sized, never valued: quotes, "a", the surrogate (3 bytes, surrogatepass), "b".
    assert audit.events[1]["arguments"]["body"] == 7
