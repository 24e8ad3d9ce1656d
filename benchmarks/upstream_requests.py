"""Upstream requests per tool call, for every tool, counted in the fake's request log.

Usage: ``uv run python benchmarks/upstream_requests.py [--json out.json]``.

The fake Confluence (demo seed) and ``confluence-mcp serve --transport http`` run as two
processes. Each tool is called once with valid arguments on demo or scratch content; the
fake's request log is cleared before the call and read after it, so the count is what that
one call cost Confluence. Reads the setup needs (a page's current version before a write) are
made outside the counted window. Confirmation round trips are off
(``CONFIRM_DESTRUCTIVE=false``): the count is the operation's own. Goals: ``get_page`` 1,
``search`` 1, ``get_page_tree`` over N pages ``ceil(N/250) + 1``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from _harness import (
    FAKE_PASSWORD,
    FAKE_USER,
    McpSession,
    confluence_mcp,
    print_report,
    start_fake,
    upstream_requests,
)

__all__ = ["main", "run"]

TREE_SIZES = (5, 300)  # pages under the walked root: one listing page, then two


async def _make_children(http: httpx.AsyncClient, fake: str, parent: str, count: int) -> None:
    """``count`` child pages under ``parent``, straight through the fake's v1 API (setup)."""
    limit = asyncio.Semaphore(8)
    stamp = time.time_ns()

    async def one(index: int) -> None:
        body = {
            "type": "page",
            "title": f"Tree {stamp} {index}",
            "space": {"key": "DEMO"},
            "ancestors": [{"id": parent}],
            "body": {"storage": {"value": f"<p>{index}</p>", "representation": "storage"}},
        }
        async with limit:
            response = await http.post(f"{fake}/wiki/rest/api/content", json=body)
            response.raise_for_status()

    await asyncio.gather(*(one(index) for index in range(count)))


class Counter:
    """Calls tools and counts the upstream requests of each call."""

    def __init__(self, session: McpSession, http: httpx.AsyncClient, fake: str) -> None:
        self.session = session
        self.http = http
        self.fake = fake
        self.rows: list[dict[str, Any]] = []

    async def version(self, page_id: str) -> int:
        page = await self.session.call("get_page", {"page_id": page_id, "format": "storage"})
        return int(page["version"])

    async def count(
        self,
        tool: str,
        arguments: dict[str, Any],
        label: str | None = None,
        goal: int | None = None,
    ) -> dict[str, Any]:
        await self.http.delete(f"{self.fake}/__fake__/requests")
        error = None
        result: dict[str, Any] = {}
        try:
            result = await self.session.call(tool, arguments)
        except Exception as exc:  # reported in the table: a tool that fails here is a finding
            error = str(exc)[:200]
        log = await upstream_requests(self.http, self.fake)
        self.rows.append(
            {
                "tool": label or tool,
                "requests": len(log),
                "goal": goal,
                "calls": [f"{entry['method']} {entry['path']}" for entry in log],
                "error": error,
            }
        )
        return result


async def _scenario(counter: Counter, fake: str, http: httpx.AsyncClient) -> None:
    call = counter.session.call
    count = counter.count
    home = await call("get_page", {"title": "Getting Started", "space_key": "DEMO"})
    home_id = str(home["id"])
    stamp = time.time_ns()
    body = "# Perf\n\nText one.\n\n## Part\n\nPart text.\n\n![img](https://example.com/a.png)"
    scratch = await call(
        "create_page", {"space_key": "DEMO", "title": f"Upstream {stamp}", "body": body}
    )
    page = str(scratch["id"])
    other = await call(
        "create_page", {"space_key": "DEMO", "title": f"Upstream {stamp} b", "body": "B."}
    )
    other_id = str(other["id"])
    content = base64.b64encode(b"hello").decode()

    # reads
    await count("get_page", {"page_id": home_id}, goal=1)
    await count(
        "get_page", {"title": "Getting Started", "space_key": "DEMO"}, "get_page (by title)"
    )
    await count("get_page", {"page_id": home_id, "metadata": True}, "get_page (metadata)")
    await count("search", {"query": "getting started"}, goal=1)
    await count("search", {"query": 'type = page AND title ~ "started"'}, "search (CQL)", goal=1)
    await count("list_spaces", {})
    await count("get_space", {"space_key": "DEMO"})
    await count("get_page_children", {"page_id": home_id})
    for size in TREE_SIZES:
        root = await call(
            "create_page", {"space_key": "DEMO", "title": f"Tree {stamp} {size}", "body": "R."}
        )
        await _make_children(http, fake, str(root["id"]), size)
        await count(
            "get_page_tree",
            {"page_id": str(root["id"]), "max_depth": 1, "max_pages": 1000},
            f"get_page_tree ({size} pages)",
            goal=math.ceil(size / 250) + 1,
        )
    await count(
        "upload_attachment", {"page_id": page, "filename": "a.txt", "content_base64": content}
    )
    files = [{"filename": f"{n}.txt", "content_base64": content} for n in ("b", "c")]
    await count("upload_attachments", {"page_id": page, "files": files})
    attachments = await count("list_attachments", {"page_id": page})
    attachment_id = str(attachments["attachments"][0]["id"]) if attachments else ""
    await count("download_attachment", {"attachment_id": attachment_id})
    await count("get_page_images", {"page_id": page})
    await count("add_comment", {"page_id": page, "body": "A comment."})
    await count("list_comments", {"page_id": page})
    inline = await count(
        "add_comment",
        {"page_id": page, "body": "On this text.", "selection": "Part text."},
        "add_comment (inline)",
    )
    await count("resolve_comment", {"page_id": page, "comment_id": str(inline.get("id", ""))})
    await count("add_labels", {"page_id": page, "labels": ["perf"]})
    await count("list_labels", {"page_id": page})
    await count("remove_label", {"page_id": page, "label": "perf"})
    await count("set_page_property", {"page_id": page, "key": "perf", "value": {"a": 1}})
    properties = await count("get_page_properties", {"page_id": page})
    await count(
        "delete_page_property",
        {"page_id": page, "key": "perf", "version": _property_version(properties, "perf")},
    )
    await count("get_page_restrictions", {"page_id": page})
    users = await count("search_users", {"query": "a"})
    user = str(users["users"][1]["id"]) if users else ""
    await count("set_page_restriction", {"page_id": page, "operation": "update", "user": user})
    tasks = await count("list_tasks", {"space_key": "DEMO"})
    task = str((tasks.get("tasks") or [{}])[0].get("id", "")) if tasks else ""
    await count("update_task", {"task_id": task, "done": True})
    await count("list_templates", {})

    # writes that need the version just read (the read is not counted)
    edits: list[tuple[str, Callable[[int], dict[str, Any]]]] = [
        ("update_page", lambda v: {"page_id": page, "version": v, "body": body + "\n\nMore."}),
        (
            "update_page_section",
            lambda v: {"page_id": page, "heading": "Part", "body": "New part.", "version": v},
        ),
        (
            "edit_page",
            lambda v: {
                "page_id": page,
                "old_text": "Text one.",
                "new_text": "Text 2.",
                "version": v,
            },
        ),
    ]
    for tool, arguments in edits:
        await count(tool, arguments(await counter.version(page)))
    await count("list_page_versions", {"page_id": page})
    await count("get_page_version", {"page_id": page, "version": 1})
    await count("diff_page_versions", {"page_id": page, "from_version": 1})
    # Under the scratch page: other_id already sits under the home page, where a move is a
    # no-op that writes nothing.
    await count(
        "move_page",
        {"page_id": other_id, "parent_id": page, "version": await counter.version(other_id)},
    )
    await count(
        "copy_page", {"page_id": other_id, "parent_id": home_id, "title": f"Upstream {stamp} copy"}
    )
    await count("create_page", {"space_key": "DEMO", "title": f"Upstream {stamp} c", "body": "C."})
    await count("delete_attachment", {"attachment_id": attachment_id})
    await count("delete_page", {"page_id": other_id, "version": await counter.version(other_id)})


def _property_version(listing: dict[str, Any], key: str) -> int:
    for item in listing.get("properties", []):
        if item.get("key") == key:
            return int(item.get("version", 1))
    return 1


async def run() -> list[dict[str, Any]]:
    """One row per tool call: requests, the goal if any, the requests made, any error."""
    fake = start_fake()
    server = confluence_mcp(fake.url, {"CONFIRM_DESTRUCTIVE": "false"}).start()
    try:
        await server.wait_mcp()
        auth = (FAKE_USER, FAKE_PASSWORD)
        async with httpx.AsyncClient(timeout=120, auth=auth) as http:
            session = McpSession(http, server.url)
            await session.open()
            counter = Counter(session, http, fake.url)
            await _scenario(counter, fake.url, http)
            listed = await http.post(
                server.url,
                json={"jsonrpc": "2.0", "id": 999, "method": "tools/list"},
                headers=session.headers,
            )
            names = {tool["name"] for tool in _tools(listed)}
        missing = names - {row["tool"].split(" (")[0] for row in counter.rows}
        counter.rows.extend(
            {"tool": name, "requests": None, "goal": None, "calls": [], "error": "not measured"}
            for name in sorted(missing)
        )
        return counter.rows
    finally:
        server.stop()
        fake.stop()


def _tools(response: httpx.Response) -> list[dict[str, Any]]:
    text = response.text
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        text = next(line[5:] for line in text.splitlines() if line.startswith("data:"))
    tools: list[dict[str, Any]] = json.loads(text)["result"]["tools"]
    return tools


def report(rows: list[dict[str, Any]]) -> list[str]:
    """A printable table; a goal missed or an error is marked."""
    lines = [f"{'tool':34} requests  goal"]
    for row in rows:
        goal = "" if row["goal"] is None else str(row["goal"])
        mark = ""
        if row["error"]:
            mark = f"  ERROR {row['error']}"
        elif row["goal"] is not None and row["requests"] != row["goal"]:
            mark = "  MISSED"
        shown = "-" if row["requests"] is None else str(row["requests"])
        lines.append(f"{row['tool']:34} {shown:>8}  {goal:>4}{mark}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    rows = asyncio.run(run())
    print_report(report(rows), rows, args.json)


if __name__ == "__main__":
    main()
