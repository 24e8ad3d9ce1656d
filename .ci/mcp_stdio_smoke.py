"""Smoke-test an installed confluence-mcp over stdio, the way an MCP client runs it.

Usage: python3 .ci/mcp_stdio_smoke.py COMMAND [ARG...]
e.g.   python3 .ci/mcp_stdio_smoke.py uvx --find-links dist confluence-mcp demo --transport stdio

Spawns COMMAND, then speaks MCP's JSON-RPC over its stdin/stdout (one JSON message per
line): initialize, notifications/initialized, tools/list, and one tools/call (list_spaces
against the demo's fake Confluence). Exits non-zero with the reason and the server's stderr
when an answer is missing or wrong. Standard library only: it runs before any venv exists.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from typing import Any

FIRST_ANSWER_TIMEOUT = 300.0  # the first run may install the wheels and their dependencies
ANSWER_TIMEOUT = 60.0


class SmokeError(Exception):
    """The server did not answer as an MCP server must."""


class StdioSession:
    """A spawned MCP server and the JSON-RPC messages it writes to stdout."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - the command is the caller's
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._pump_stdout, daemon=True).start()
        threading.Thread(target=self._pump_stderr, daemon=True).start()
        self.next_id = 1

    def _pump_stdout(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _pump_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(message) + "\n")
        self.process.stdin.flush()

    def request(self, method: str, params: dict[str, Any], timeout: float) -> dict[str, Any]:
        ident = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise SmokeError(f"no answer to {method} within {timeout:.0f} s") from None
            if line is None:
                raise SmokeError(f"the server exited before answering {method}")
            try:
                message = json.loads(line)
            except json.JSONDecodeError:
                raise SmokeError(f"not JSON-RPC on stdout: {line[:200]!r}") from None
            if message.get("id") != ident:
                continue  # a notification or log message from the server
            if "error" in message:
                raise SmokeError(f"{method} failed: {message['error']}")
            result: dict[str, Any] = message["result"]
            return result

    def close(self) -> int:
        if self.process.stdin is not None:
            self.process.stdin.close()  # end of input: a stdio server stops
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                return self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                return self.process.wait()


def smoke(session: StdioSession) -> str:
    """Run the exchange; returns a one-line summary."""
    init = session.request(
        "initialize",
        {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "ci-stdio-smoke", "version": "1"},
        },
        FIRST_ANSWER_TIMEOUT,
    )
    server = init.get("serverInfo", {})
    if server.get("name") != "confluence" or "tools" not in init.get("capabilities", {}):
        raise SmokeError(f"unexpected initialize result: {init}")
    session.send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    tools = {tool["name"] for tool in session.request("tools/list", {}, ANSWER_TIMEOUT)["tools"]}
    missing = {"search", "get_page", "list_spaces", "update_page"} - tools
    if missing:
        raise SmokeError(f"tools/list lacks {sorted(missing)}; got {sorted(tools)}")

    called = session.request("tools/call", {"name": "list_spaces", "arguments": {}}, ANSWER_TIMEOUT)
    if called.get("isError"):
        raise SmokeError(f"list_spaces returned an error: {called}")
    keys = {space.get("key") for space in called.get("structuredContent", {}).get("spaces", [])}
    if not {"DEMO", "ENG"} <= keys:
        raise SmokeError(f"list_spaces does not list the demo spaces: {called}")
    return f"{server.get('name')} {server.get('version')}: {len(tools)} tools, list_spaces ok"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    session = StdioSession(argv)
    try:
        summary = smoke(session)
    except SmokeError as error:
        session.close()
        print(f"stdio smoke FAILED: {error}", file=sys.stderr)
        print("".join(session.stderr[-40:]), file=sys.stderr)
        return 1
    status = session.close()
    if status != 0:
        print(f"stdio smoke FAILED: the server exited with {status}", file=sys.stderr)
        print("".join(session.stderr[-40:]), file=sys.stderr)
        return 1
    print(f"stdio smoke: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
