"""Lines the stdio transport cannot read are answered, never dropped."""

from __future__ import annotations

import anyio
import pytest
from mcp.shared.message import SessionMessage
from mcp.types import JSONRPCError, JSONRPCNotification, jsonrpc_message_adapter
from pydantic import ValidationError

from confluence_mcp.stdio import answer_unreadable, unreadable_line_error


def read_error(line: str) -> Exception:
    """The exception the SDK's stdio transport passes on for ``line``."""
    try:
        jsonrpc_message_adapter.validate_json(line, by_name=False)
    except ValidationError as error:
        return error
    raise AssertionError(f"{line!r} is a valid message")


@pytest.mark.parametrize(
    ("line", "request_id", "code"),
    [
        ("not json\n", None, -32700),
        ("{\n", None, -32700),
        ("[]\n", None, -32600),
        ("{}\n", None, -32600),
        ('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":"x"}\n', 7, -32600),
        ('{"jsonrpc":"1.0","id":"a","method":"ping"}\n', "a", -32600),
        ('{"jsonrpc":"2.0","id":true,"method":"ping","params":1}\n', None, -32600),
        ('{"jsonrpc":"2.0","id":3,"method":"ping","params":{"q":"\\ud800"}}\n', 3, -32600),
        ('"\\ud800"\n', None, -32600),
    ],
)
def test_each_unreadable_line_gets_its_error(
    line: str, request_id: str | int | None, code: int
) -> None:
    error = unreadable_line_error(read_error(line))
    assert error is not None
    assert (error.id, error.error.code) == (request_id, code)
    assert "ud800" not in error.error.message  # the line is never echoed


def test_a_blank_line_is_skipped_and_other_errors_are_parse_errors() -> None:
    assert unreadable_line_error(read_error("  \n")) is None
    other = unreadable_line_error(UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid"))
    assert other is not None
    assert (other.id, other.error.code) == (None, -32700)


async def test_errors_are_answered_and_messages_passed_on_in_order() -> None:
    note = SessionMessage(JSONRPCNotification(jsonrpc="2.0", method="notifications/initialized"))
    transport_send, transport_read = anyio.create_memory_object_stream[SessionMessage | Exception](
        10
    )
    write_send, write_read = anyio.create_memory_object_stream[SessionMessage](10)
    with transport_send, transport_read, write_send, write_read:
        for item in (read_error("nope\n"), read_error("\n"), note, read_error("[]\n")):
            transport_send.send_nowait(item)
        transport_send.close()
        async with answer_unreadable(transport_read, write_send) as server_read:
            passed = [item async for item in server_read]  # ends when the transport does
        assert passed == [note]
        answered = [write_read.receive_nowait().message for _ in range(2)]
        assert all(isinstance(message, JSONRPCError) for message in answered)
        assert [message.error.code for message in answered] == [-32700, -32600]  # type: ignore[union-attr]
        with pytest.raises(anyio.WouldBlock):
            write_read.receive_nowait()
