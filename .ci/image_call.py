"""Call a running confluence-mcp over Streamable HTTP the way a remote MCP client does.

Usage: uv run python .ci/image_call.py [--refused] URL   (the key in MCP_IMAGE_TEST_KEY)
e.g.   MCP_IMAGE_TEST_KEY=mcpk_... uv run python .ci/image_call.py http://127.0.0.1:8000/mcp

Checks that a request without a credential gets 401 with a ``WWW-Authenticate`` challenge,
then, with the API key as bearer token: initialize, tools/list, and one tools/call
(``list_spaces`` on the fake Confluence's demo seed, which holds DEMO and ENG). With
``--refused``, checks instead that the key (revoked) gets 401. Exits non-zero with the
reason when any answer is missing or wrong. The key comes from the environment so that it
never shows in a process list.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import urllib.error
import urllib.request

from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

EXPECTED_SPACES = {"DEMO", "ENG"}


def check_refused(url: str, key: str | None = None) -> None:
    """A POST without credentials (or with `key`) is refused with 401 and a bearer
    challenge."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    what = "with the revoked key" if key else "without a credential"
    request = urllib.request.Request(  # noqa: S310 - the URL is the caller's loopback address
        url, data=body, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
            raise SystemExit(f"tools/list {what} answered {answer.status}, not 401")
    except urllib.error.HTTPError as error:
        if error.code != 401 or "bearer" not in error.headers.get("WWW-Authenticate", "").lower():
            raise SystemExit(
                f"tools/list {what}: expected 401 with a Bearer challenge, got "
                f"{error.code} {error.headers.get('WWW-Authenticate')!r}"
            ) from None
    print(f"{what}: 401 with a Bearer challenge")


async def call_tool(url: str, key: str) -> None:
    """initialize, tools/list and list_spaces with the key as bearer token."""
    async with Client(StreamableHttpTransport(url, auth=key), timeout=30) as client:
        tools = {tool.name for tool in await client.list_tools()}
        if "list_spaces" not in tools:
            raise SystemExit(f"list_spaces missing from tools/list ({len(tools)} tools)")
        result = await client.call_tool("list_spaces", {}, raise_on_error=False)
    text = " ".join(getattr(block, "text", "") for block in result.content)
    if result.is_error:
        raise SystemExit(f"list_spaces failed: {text[:500]}")
    missing = {key for key in EXPECTED_SPACES if key not in text}
    if missing:
        raise SystemExit(f"list_spaces lacks {sorted(missing)}: {text[:500]}")
    print(f"with the API key: tools/list has {len(tools)} tools; list_spaces found DEMO and ENG")


def main() -> int:
    args = sys.argv[1:]
    refused = args[:1] == ["--refused"]
    args = args[1:] if refused else args
    key = os.environ.get("MCP_IMAGE_TEST_KEY")
    if len(args) != 1 or not key:
        print(__doc__, file=sys.stderr)
        return 2
    if refused:
        check_refused(args[0], key)
        return 0
    check_refused(args[0])
    asyncio.run(call_tool(args[0], key))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
