"""Fuzzing every tool through the MCP client (issue 15 #3).

Arguments are drawn by hypothesis from each tool's input schema as ``tools/list`` publishes it
(so a new tool is fuzzed without editing this file), with hostile strings mixed into every
string: CQL injection, encoded path tricks in ids, non-ASCII digits, NUL and control
characters, lone surrogates, huge and deeply nested values; some draws also break the schema
(wrong types, out-of-range numbers, unknown keys). Calls go through a FastMCP client to the
server, which talks to the fake Confluence over real HTTP on 127.0.0.1. For every call:

- the server answers: a result, or a clean tool error (a message, no traceback, not the
  masked "Error calling tool" that stands for an unhandled exception), and nothing is logged
  with a traceback;
- every request the fake received carries validated input only: each path segment is plain
  ASCII (no ``..``, no percent-escapes, no NUL), ids in paths are digits, and every quoted
  string in a search's CQL is closed (a hostile value cannot break out of it).

Example counts are bounded (20 per tool and test; the ``fuzz-ci`` profile, derandomized, is
used when ``CI`` is set) so the module runs in about a minute. A raw HTTP test then sends what
no client library would: invalid UTF-8, lone-surrogate escapes, 100,000-deep nesting, NUL, a
12 MB body, and one more test gives every resource template and prompt hostile values.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
from fastmcp import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp.types import Tool

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.settings import Settings

settings.register_profile(
    "fuzz-dev",
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("fuzz-ci", parent=settings.get_profile("fuzz-dev"), derandomize=True)
PROFILE = settings.get_profile("fuzz-ci" if os.environ.get("CI") else "fuzz-dev")

# Strings an attacker (or a confused model) sends where ids, keys and text are expected.
HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "123abc",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() says yes
    "\uff11\uff12\uff13",  # full-width digits
    "²³",
    "123\n",
    " 123",
    "..",
    "../",
    "..%2f..%2fadmin",
    "%2e%2e%2f",
    "123/../456",
    "123%2F..%2F456",
    "123?expand=body.storage",
    "123#frag",
    "%00",
    "123\x00",
    "\x00",
    "\ud800",
    "a\udfffb",
    "\udcff",  # an undecodable byte, as surrogateescape carries it
    'x" OR space = "SECRET',
    'DEMO" OR space = "ENG',
    "DEMO) OR (space = ENG",
    "') OR 1=1 --",
    'title ~ "x" OR type = page',
    "space = ENG OR space = DEMO",
    "\\",
    '\\"',
    "~",
    "*",
    "\t\r\n\x1b[31m\x7f",
    "\u202e\ufeff\u0085\u2028",
    "<script>alert(1)</script>",
    "{{7*7}}${jndi:ldap://127.0.0.1/x}",
]
# Built on demand: as literals they would bloat every strategy's repr.
HUGE = [("A", 100_000), ("9", 5_000), ("é", 300)]
DIGIT_SEGMENT_AFTER = {
    "pages",
    "blogposts",
    "folders",
    "content",
    "footer-comments",
    "inline-comments",
    "comments",
    "tasks",
    "versions",
    "version",
}
SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_~.-]+$")
MASKED = "Error calling tool"


def _nested(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


def _strings(known: Sequence[str]) -> st.SearchStrategy[str]:
    """Hostile strings most of the time; real ids and keys so calls also reach Confluence."""
    # Any code point, surrogates and control characters included (st.text() leaves out Cs).
    anything = st.text(st.characters(exclude_categories=()), max_size=30)
    hostile = st.sampled_from(HOSTILE) | st.sampled_from(HUGE).map(lambda p: p[0] * p[1])
    real = st.sampled_from(list(known) or ["1"])
    return st.one_of(
        hostile,
        hostile,
        st.tuples(real, hostile).map("".join),
        anything,
        real,
        st.from_regex(r"\d{1,8}", fullmatch=True),
    )


def _any_json(known: Sequence[str]) -> st.SearchStrategy[Any]:
    strings = _strings(known)
    leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), strings)
    deep = st.sampled_from([64, 400]).map(_nested)
    return st.one_of(
        deep,
        st.recursive(
            leaves,
            lambda inner: st.lists(inner) | st.dictionaries(strings, inner),
            max_leaves=20,
        ),
    )


def from_schema(schema: dict[str, Any], known: Sequence[str] = ()) -> st.SearchStrategy[Any]:
    """Values for one JSON schema node, hostile strings included."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        return _strings(known)
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        return st.integers(low, high if high is not None else (low or 0) + 1000)
    if kind == "number":
        return st.floats(allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(
            from_schema(schema.get("items", {}), known),
            min_size=schema.get("minItems", 0),
            max_size=min(schema.get("maxItems", 5), 5),
        )
    if kind == "object":
        return arguments(schema, known)
    return _any_json(known)


def arguments(
    schema: dict[str, Any], known: Sequence[str] = ()
) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments for a tool: the required keys, any of the optional ones."""
    properties: dict[str, Any] = schema.get("properties", {})
    needed = set(schema.get("required", ()))
    required = {k: from_schema(v, known) for k, v in properties.items() if k in needed}
    optional = {k: from_schema(v, known) for k, v in properties.items() if k not in needed}
    return st.fixed_dictionaries(required, optional=optional)


def schema_breaking(
    schema: dict[str, Any], known: Sequence[str] = ()
) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments that break the schema: a wrong type, an out-of-range number, an unknown key."""
    wrong = st.one_of(
        st.none(),
        st.integers(-(2**70), 2**70),
        st.floats(),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
        st.just(200).map(_nested),
    )
    keys = sorted(schema.get("properties", {})) or ["x"]
    base = arguments(schema, known)
    return st.one_of(
        base.flatmap(
            lambda args: st.builds(lambda k, v: {**args, k: v}, st.sampled_from(keys), wrong)
        ),
        base.map(lambda args: {**args, "unexpected\x00key": 1}),
    )


@dataclass
class Harness:
    """The client, the fake, and what the server logged with a traceback."""

    client: Client[Any]
    fake: FakeConfluenceServer
    loop: asyncio.AbstractEventLoop
    tracebacks: list[logging.LogRecord] = field(default_factory=list)
    calls: int = 0
    unsendable: int = 0

    def known(self) -> list[str]:
        """Real ids and keys of the fake's content (pages, comments, attachments, spaces)."""
        store = self.fake.store
        pages = store.list_pages()
        found = ["DEMO", "ENG", "Demo Space Home", *(p.id for p in pages[:5])]
        for page in pages:
            found += [a.id for a in store.page_attachments(page.id)][:1]
            found += [c.id for c in store.page_comments(page.id)][:1]
        return found[:20]

    def call(self, name: str, args: dict[str, Any]) -> None:
        """One tool call, from the hypothesis thread, checked for every invariant."""
        self.fake.requests.clear()
        self.tracebacks.clear()
        coro = self.client.call_tool(name, args, raise_on_error=False)
        try:
            result = asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)
        except (UnicodeError, ValueError):
            # The client's own encoder refused the arguments: nothing reached the server.
            result = None
        if result is None:
            assert not self.fake.requests.entries, f"{name}: client error after requests"
            self.unsendable += 1
            return
        self.calls += 1
        shown = f"{name}({_short(args)})"
        if result.is_error:
            text = " ".join(getattr(c, "text", "") for c in result.content)
            assert text.strip(), f"{shown}: an empty error"
            assert "Traceback" not in text, f"{shown}: a traceback reached the client: {text}"
            assert not text.startswith(MASKED), f"{shown}: an unhandled exception: {text}"
            assert len(text) < 2_000, f"{shown}: an error of {len(text)} chars (echoed input?)"
        assert not self.tracebacks, f"{shown}: logged {self.tracebacks[0].getMessage()}"
        for record in self.fake.requests.entries:
            check_upstream(record.method, record.path, record.query, shown)


def _short(args: dict[str, Any]) -> str:
    text = json.dumps(args, default=str)
    return text if len(text) < 300 else text[:300] + "..."


def check_upstream(method: str, path: str, query: str, shown: str) -> None:
    """One request the fake received carries validated input only."""
    where = f"{shown} -> {method} {path}?{query}"
    segments = path.split("/")[1:]
    for index, segment in enumerate(segments):
        assert SAFE_SEGMENT.match(segment), f"{where}: unsafe path segment {segment!r}"
        assert segment not in (".", ".."), f"{where}: a dot segment"
        if index and segments[index - 1] in DIGIT_SEGMENT_AFTER:
            assert segment.isascii(), f"{where}: a non-ASCII id {segment!r}"
            assert segment.isdigit() or not segment[0].isdigit(), f"{where}: id {segment!r}"
    fields = parse_qs(query, keep_blank_values=True)
    for name, values in fields.items():
        assert all("\x00" not in v for v in values), f"{where}: NUL in {name}"
    for cql in fields.get("cql", []):
        check_cql(cql, where)


def check_cql(cql: str, where: str) -> None:
    """Every quoted string in our CQL is closed and escapes its own quotes and backslashes."""
    inside, escaped = False, False
    for char in cql:
        if escaped:
            escaped = False
        elif char == "\\" and inside:
            escaped = True
        elif char == '"':
            inside = not inside
    assert not inside, f"{where}: an unterminated CQL string: {cql!r}"


class _Tracebacks(logging.Handler):
    def __init__(self, sink: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.sink.append(record)


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@contextmanager
def _printable_log_records() -> Iterator[None]:
    """Logs may carry refused values verbatim (FastMCP's failed prompt, the audit log's
    arguments): a lone surrogate in pytest's captured log would crash the xdist worker that
    sends the report, so records get escaped text while fuzzing."""
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage()
        if _printable(message) != message:
            record.msg, record.args = _printable(message), None
        if record.exc_info:
            record.exc_text = _printable(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)
    try:
        yield
    finally:
        logging.setLogRecordFactory(previous)


@pytest.fixture
async def harness(
    server_settings: Callable[..., Settings], fake_confluence: FakeConfluenceServer
) -> AsyncIterator[Harness]:
    server = create_server(server_settings(confluence_timeout=10))
    async with Client(server) as client:
        found = Harness(client, fake_confluence, asyncio.get_running_loop())
        handler = _Tracebacks(found.tracebacks)
        loggers = [logging.getLogger(n) for n in ("fastmcp", "mcp", "confluence_mcp")]
        for each in loggers:
            each.addHandler(handler)
        try:
            with _printable_log_records():
                yield found
        finally:
            for each in loggers:
                each.removeHandler(handler)


async def _tools(harness: Harness) -> list[Tool]:
    tools = await harness.client.list_tools()
    assert len(tools) > 20
    return tools


def _fuzz(harness: Harness, tool: Tool, strategy: st.SearchStrategy[dict[str, Any]]) -> None:
    @PROFILE
    @given(strategy)
    def run(args: dict[str, Any]) -> None:
        harness.call(tool.name, args)

    run()


def _each_tool(tools: list[Tool]) -> Iterator[Tool]:
    yield from sorted(tools, key=lambda t: t.name)


@pytest.mark.slow
async def test_schema_shaped_hostile_arguments(harness: Harness) -> None:
    tools = await _tools(harness)
    for tool in _each_tool(tools):
        strategy = arguments(tool.input_schema, harness.known())
        await asyncio.to_thread(_fuzz, harness, tool, strategy)
    # Most draws reach the server (the client library refuses only a few it cannot encode).
    assert harness.calls > 10 * len(tools) > harness.unsendable


@pytest.mark.slow
async def test_schema_breaking_arguments(harness: Harness) -> None:
    tools = await _tools(harness)
    for tool in _each_tool(tools):
        strategy = schema_breaking(tool.input_schema, harness.known())
        await asyncio.to_thread(_fuzz, harness, tool, strategy)
    assert harness.calls > 10 * len(tools) > harness.unsendable


@pytest.mark.parametrize(
    ("method", "path", "query"),
    [
        ("GET", "/wiki/api/v2/pages/..", ""),
        ("GET", "/wiki/api/v2/pages/1%2F..%2F2", ""),
        ("GET", "/wiki/api/v2/pages/١٢٣", ""),
        ("GET", "/wiki/api/v2/pages/12 3/children", ""),
        ("GET", "/wiki/rest/api/search", "cql=title+%3D+%22x%22+OR+space+%3D+%22"),
        ("GET", "/wiki/rest/api/search", "cql=x%00"),
    ],
)
def test_the_upstream_check_catches_unvalidated_input(method: str, path: str, query: str) -> None:
    with pytest.raises(AssertionError):
        check_upstream(method, path, query, "self-test")


def test_the_upstream_check_accepts_our_own_requests() -> None:
    check_upstream("GET", "/wiki/api/v2/pages/123/children", "limit=25", "self-test")
    check_upstream("GET", "/wiki/rest/api/search", 'cql=text+~+"a\\"b"+AND+space+=+"DEMO"', "")


def _envelope(method: str, params: dict[str, Any]) -> dict[str, Any]:
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    return {"jsonrpc": "2.0", "id": 7, "method": method, "params": {**params, "_meta": meta}}


def _raw_bodies(page_id: str) -> list[tuple[str, str, bytes]]:
    """Bodies no MCP client library would send: the server must refuse each cleanly."""
    call = _envelope("tools/call", {"name": "get_page", "arguments": {"page_id": page_id}})
    text = json.dumps(call)
    deep = "[" * 100_000 + "]" * 100_000
    search = _envelope("tools/call", {"name": "search", "arguments": {"query": "\ud800"}})
    return [
        ("invalid UTF-8", "get_page", text.replace(page_id, "1\xff\xfe").encode("latin-1")),
        ("lone surrogate escape", "get_page", text.replace(f'"{page_id}"', '"\\ud800"').encode()),
        ("lone surrogate in a query", "search", json.dumps(search).encode()),
        ("NUL in an id", "get_page", text.replace(f'"{page_id}"', '"1\\u0000"').encode()),
        ("deep nesting", "get_page", text.replace(f'"{page_id}"', deep).encode()),
        ("not JSON", "get_page", b"\x00\x01{{{"),
        (
            "huge body",
            "get_page",
            text.replace(f'"{page_id}"', '"' + "9" * 12_000_000 + '"').encode(),
        ),
    ]


async def test_raw_http_garbage_gets_clean_answers(
    server_settings: Callable[..., Settings], fake_confluence: FakeConfluenceServer
) -> None:
    """Over real HTTP: bytes a client library would never produce get a 4xx or a clean tool
    error, never a 5xx or a traceback, and the server keeps serving."""
    import httpx

    from confluence_mcp.http.app import create_http_app
    from confluence_mcp.http.serving import running_http_server

    settings = server_settings(transport="http", stateless_http=True)
    page_id = fake_confluence.store.list_pages(title="Demo Space Home")[0].id
    headers = {
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tools/call",
    }
    app = create_http_app(create_server(settings), settings)
    async with running_http_server(app) as base, httpx.AsyncClient(timeout=60) as http:
        url = f"{base}{settings.streamable_http_path}"
        for label, tool, body in _raw_bodies(page_id):
            fake_confluence.requests.clear()
            response = await http.post(url, content=body, headers={**headers, "mcp-name": tool})
            assert response.status_code < 500, (label, response.status_code, response.text)
            assert "Traceback" not in response.text, label
            if response.status_code == 200:
                result = response.json().get("result", {})
                assert result.get("isError"), (label, response.text[:300])
                assert MASKED not in response.text, (label, response.text[:300])
            assert not fake_confluence.requests.entries, (label, fake_confluence.requests.last)
        good = json.dumps(
            _envelope("tools/call", {"name": "get_page", "arguments": {"page_id": page_id}})
        )
        answer = await http.post(url, content=good, headers={**headers, "mcp-name": "get_page"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["result"]["structuredContent"]["title"] == "Demo Space Home"


@pytest.mark.slow
async def test_resource_templates_and_prompts_with_hostile_values(harness: Harness) -> None:
    """The other entry points: every resource template's parameters and every prompt's
    arguments get hostile strings; errors stay clean and upstream input stays validated.
    (FastMCP logs every failed prompt with a traceback by design, so only the client side and
    the request log are checked here.)"""
    from urllib.parse import quote

    from mcp.shared.exceptions import MCPError

    templates = await harness.client.list_resource_templates()
    prompts = await harness.client.list_prompts()
    assert templates
    assert prompts
    strings = _strings(harness.known())

    def check(label: str, coro: Any) -> None:
        harness.fake.requests.clear()
        try:
            asyncio.run_coroutine_threadsafe(coro, harness.loop).result(timeout=60)
        except MCPError as exc:
            text = str(exc)
            assert "Traceback" not in text, f"{label}: {text[:300]}"
            assert "Annotated[" not in text, f"{label}: {text[:300]}"
            # FastMCP's own answer to a URI no template matches repeats the URI; ours never
            # repeat a value.
            if not text.startswith("Resource not found: "):
                assert len(text) < 300, f"{label}: an error of {len(text)} chars: {text[:300]}"
        except (UnicodeError, ValueError):
            assert not harness.fake.requests.entries, f"{label}: client error after requests"
        for record in harness.fake.requests.entries:
            check_upstream(record.method, record.path, record.query, label)

    @PROFILE
    @given(st.sampled_from(templates), strings, st.booleans())
    def read(template: Any, value: str, encode: bool) -> None:
        # Percent-encoded, a lone surrogate becomes bytes that are not UTF-8 (%ED%A0%80).
        filled = quote(value, safe="", errors="surrogatepass") if encode else value
        uri = re.sub(r"\{[^}]+\}", lambda _: filled, template.uri_template)
        check(f"read {uri[:200]!r}", harness.client.read_resource(uri))

    @PROFILE
    @given(st.sampled_from(prompts).flatmap(lambda p: st.tuples(st.just(p), st.data())))
    def render(drawn: tuple[Any, Any]) -> None:
        prompt, data = drawn
        args = {a.name: data.draw(strings) for a in prompt.arguments or [] if a.required}
        check(f"prompt {prompt.name}", harness.client.get_prompt(prompt.name, args))

    await asyncio.to_thread(read)
    await asyncio.to_thread(render)
