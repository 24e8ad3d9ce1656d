"""Small JSON refusals sent straight from ASGI middleware (no framework response objects).

A refused ``tools/call`` gets the tool's error result instead of an HTTP error: clients turn
an HTTP error into a generic failure, while the result's text reaches the model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.types import Receive, Scope, Send

__all__ = ["is_modern_request", "read_tools_call_id", "send_json", "send_tool_error"]

# The last protocol version with the initialize handshake; later ones (2026-07-28) are
# self-contained requests whose results must say ``resultType`` (dates compare as text).
_LAST_HANDSHAKE_VERSION = "2025-11-25"


async def send_json(
    send: Send,
    status: int,
    body: dict[str, str],
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """Send a complete JSON response (``error`` / ``error_description`` style body)."""
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def send_tool_error(
    send: Send,
    request_id: str | int,
    text: str,
    *,
    meta: Mapping[str, Any] | None = None,
    headers: Sequence[tuple[bytes, bytes]] = (),
    modern: bool = False,
) -> None:
    """Answer a ``tools/call`` with its error result (HTTP 200, ``isError: true``)."""
    result: dict[str, Any] = {"content": [{"type": "text", "text": text}], "isError": True}
    if modern:
        result["resultType"] = "complete"
    if meta:
        result["_meta"] = dict(meta)
    payload = json.dumps({"jsonrpc": "2.0", "id": request_id, "result": result}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def is_modern_request(scope: Scope) -> bool:
    """True for a request of a sessionless protocol version (``Mcp-Protocol-Version`` after
    2025-11-25), as the MCP SDK routes it."""
    for key, value in scope.get("headers") or ():
        if key.lower() == b"mcp-protocol-version":
            return bytes(value).decode("latin-1").strip() > _LAST_HANDSHAKE_VERSION
    return False


async def read_tools_call_id(scope: Scope, receive: Receive) -> str | int | None:
    """The JSON-RPC id when the request is one ``tools/call`` POST, else None.

    Only for a request being refused: its body is consumed here (the body limit, outside,
    already bounds its size).
    """
    if scope.get("method") != "POST":
        return None
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    try:
        body = json.loads(b"".join(chunks))
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("method") != "tools/call":
        return None
    request_id = body.get("id")
    if isinstance(request_id, bool) or not isinstance(request_id, (str, int)):
        return None
    return request_id
