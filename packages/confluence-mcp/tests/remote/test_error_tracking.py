"""Sentry error tracking, for real: the Sentry SDK sends envelopes to a loopback stand-in for
Sentry's ingest, which records them; the server runs on a loopback socket against the fake
Confluence. Unexpected exceptions in a tool, in the SDK and in the HTTP layer arrive with the
request id and tool name; no secret, token, page body, comment or argument value does."""

from __future__ import annotations

import gzip
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.layer import build_http_layer
from confluence_mcp.http.serving import running_http_server
from confluence_mcp.remote.error_tracking import (
    close_error_tracking,
    configure_error_tracking,
    error_tracking_enabled,
    report_unexpected,
    scrub_event,
)
from confluence_mcp.remote.observability import Observability
from confluence_mcp.remote.settings import RemoteSettings, load_remote_settings
from confluence_mcp.services import build_client
from confluence_mcp.settings import Settings
from mcp_auth import create_api_key

sentry_sdk = pytest.importorskip("sentry_sdk")

ARGUMENT_VALUE = "ARGUMENT-VALUE-7f3a"
COMMENT_TEXT = "COMMENT-TEXT-91c2"
PAGE_BODY = "PAGE-BODY-5d0e"
SECRETS = (ARGUMENT_VALUE, COMMENT_TEXT, PAGE_BODY)


def remote_only(**values: Any) -> RemoteSettings:
    """Remote settings from ``values`` alone (no environment, no .env)."""
    return RemoteSettings(_env_file=None, core=Settings(_env_file=None), **values)  # type: ignore[call-arg]


class Ingest:
    """A loopback HTTP server that accepts Sentry envelopes and keeps their items."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                with recorder._lock:
                    recorder.raw.append(body)
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def dsn(self) -> str:
        return f"http://public0123456789@127.0.0.1:{self.server.server_port}/42"

    def items(self, kind: str) -> list[dict[str, Any]]:
        """The payloads of every envelope item of type ``kind`` (event, transaction, ...)."""
        with self._lock:
            envelopes = list(self.raw)
        found = []
        for envelope in envelopes:
            for header, payload in parse_envelope(envelope):
                if header.get("type") == kind:
                    found.append(json.loads(payload))
        return found

    def everything(self) -> str:
        with self._lock:
            return b"\n".join(self.raw).decode("utf-8", "replace")


def parse_envelope(raw: bytes) -> list[tuple[dict[str, Any], bytes]]:
    """Sentry's envelope: a header line, then per item a header line and its payload
    (``length`` bytes when the header says, else up to the next newline)."""
    _envelope_header, _, rest = raw.partition(b"\n")
    items = []
    while rest.strip():
        line, _, rest = rest.partition(b"\n")
        if not line.strip():
            continue
        header = json.loads(line)
        length = header.get("length")
        if length is None:
            payload, _, rest = rest.partition(b"\n")
        else:
            payload, rest = rest[:length], rest[length + 1 :]
        items.append((header, payload))
    return items


def test_parse_envelope_reads_both_item_forms() -> None:
    raw = b'{"event_id":"1"}\n{"type":"event","length":7}\n{"a":1}\n{"type":"session"}\n{"b":2}\n'
    assert parse_envelope(raw) == [
        ({"type": "event", "length": 7}, b'{"a":1}'),
        ({"type": "session"}, b'{"b":2}'),
    ]


@pytest.fixture
def ingest() -> Iterator[Ingest]:
    recorder = Ingest()
    recorder.thread.start()
    try:
        yield recorder
    finally:
        recorder.server.shutdown()
        recorder.server.server_close()


@pytest.fixture
def tracking(ingest: Ingest) -> Iterator[Ingest]:
    settings = remote_only(
        sentry_dsn=ingest.dsn,
        sentry_environment="ci",
        sentry_traces_sample_rate=1.0,
    )
    assert configure_error_tracking(settings)
    try:
        yield ingest
    finally:
        close_error_tracking()
    assert not error_tracking_enabled()


class BuggyClient:
    """The real SDK client, except that every call raises a bug quoting its arguments."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name == "aclose":
            return getattr(self._client, name)

        async def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError(f"{name} broke on {args!r} {kwargs!r} near {PAGE_BODY}")

        return broken


Serve = Callable[..., Any]


@pytest.fixture
def serve(fake: FakeConfluenceServer, tmp_path: Path) -> Serve:
    @asynccontextmanager
    async def start(
        *, buggy: bool = False, routes: tuple[Route, ...] = (), probe: Any = None
    ) -> AsyncIterator[tuple[str, str]]:
        key = create_api_key(tmp_path / "keys.json", "bot", ["confluence:read", "confluence:write"])
        remote = load_remote_settings(
            {
                "confluence_url": fake.wiki_url,
                "confluence_username": fake.credentials.username,
                "confluence_api_token": fake.credentials.api_token,
                "confluence_deployment": "cloud",
                "transport": "http",
                "mcp_audit_log": "off",
                "mcp_api_keys_file": tmp_path / "keys.json",
            },
            env_file=None,
        )

        def factory(settings: Settings) -> Any:
            client = build_client(settings)
            return BuggyClient(client) if buggy else client

        mcp = create_server(remote.core, client_factory=factory)
        Observability(factory, error_tracking=True).attach(mcp)
        options = {} if probe is None else {"probe_client_factory": probe}
        layer = build_http_layer(mcp, remote, **options)
        app = create_http_app(
            mcp, remote.core, routes=[*routes, *layer.routes], middleware=layer.middleware
        )
        async with running_http_server(app) as base:
            yield base, key.key

    return start


@pytest.fixture
def fake() -> Iterator[FakeConfluenceServer]:
    with FakeConfluenceServer(seed="demo") as server:
        yield server


def events(ingest: Ingest) -> list[dict[str, Any]]:
    sentry_sdk.flush(timeout=10)
    return ingest.items("event")


def assert_nothing_private(ingest: Ingest, *also: str) -> None:
    sent = ingest.everything()
    assert sent
    for secret in (*SECRETS, *also):
        assert secret not in sent
    for event in ingest.items("event"):
        for value in event["exception"]["values"]:
            assert value["value"] == "[redacted]"
            assert all("vars" not in frame for frame in value["stacktrace"]["frames"])
        assert "user" not in event
        assert "extra" not in event


async def test_bug_in_a_tool_is_reported_with_tool_and_request_id(
    tracking: Ingest, serve: Serve, fake: FakeConfluenceServer
) -> None:
    async with serve(buggy=True) as (base, key):  # noqa: SIM117 (the key comes from serve)
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=key)) as client:
            searched = await client.call_tool(
                "search", {"query": ARGUMENT_VALUE}, raise_on_error=False
            )
            commented = await client.call_tool(
                "add_comment", {"page_id": "65537", "body": COMMENT_TEXT}, raise_on_error=False
            )
    assert searched.is_error
    assert commented.is_error
    assert ARGUMENT_VALUE not in str(searched.content)  # masked for the client too
    reported = {event["tags"]["tool"]: event for event in events(tracking)}
    assert set(reported) == {"search", "add_comment"}
    for event in reported.values():
        [error] = event["exception"]["values"]
        assert error["type"] == "RuntimeError"
        assert re.fullmatch(r"[\w.-]{8,}", event["tags"]["request_id"])
        assert event["tags"]["origin"] == "server"
        assert event["environment"] == "ci"
        assert event["release"].startswith("confluence-mcp@")
    assert reported["search"]["tags"]["request_id"] != reported["add_comment"]["tags"]["request_id"]
    # SENTRY_TRACES_SAMPLE_RATE=1: request transactions went too, scrubbed the same way.
    transactions = tracking.items("transaction")
    assert transactions
    assert all("?" not in t.get("request", {}).get("url", "") for t in transactions)
    assert_nothing_private(tracking, key, fake.credentials.api_token)


async def test_sdk_failure_is_reported_and_confluence_answers_are_not(
    tracking: Ingest, serve: Serve, fake: FakeConfluenceServer
) -> None:
    async with serve() as (base, key):  # noqa: SIM117 (the key comes from serve)
        async with Client(StreamableHttpTransport(f"{base}/mcp", auth=key)) as client:
            missing = await client.call_tool(
                "get_page", {"page_id": "424242"}, raise_on_error=False
            )
            fake.faults.malformed_json(path_prefix="/wiki/api/v2/spaces")
            garbled = await client.call_tool("list_spaces", {}, raise_on_error=False)
            fake.faults.clear()
    assert missing.is_error
    assert garbled.is_error
    [event] = events(tracking)  # the 404 is an answer, not a bug
    chain = event["exception"]["values"]  # the reported exception last, its causes first
    assert chain[-1]["type"] == "MalformedResponseError"
    assert event["tags"]["tool"] == "list_spaces"
    assert event["tags"]["origin"] == "sdk"
    assert any(
        frame.get("module", "").startswith("confluence_client")
        for error in chain
        for frame in error["stacktrace"]["frames"]
    )
    assert_nothing_private(tracking, key, fake.credentials.api_token)


async def test_http_layer_failures_are_reported_with_the_request_id(
    tracking: Ingest, serve: Serve, fake: FakeConfluenceServer
) -> None:
    async def broken_route(request: Request) -> Response:
        raise RuntimeError(f"route broke reading {request.url.query} {PAGE_BODY}")

    def broken_probe(_settings: Settings) -> Any:
        raise RuntimeError(f"probe client broke {PAGE_BODY}")

    routes = (Route("/broken", broken_route),)
    async with (
        serve(routes=routes, probe=broken_probe) as (base, _key),
        httpx.AsyncClient() as http,
    ):
        crashed = await http.get(
            f"{base}/broken?q={ARGUMENT_VALUE}", headers={"x-request-id": "req-http-0001"}
        )
        unready = await http.get(f"{base}/readyz", headers={"x-request-id": "req-ready-0001"})
    assert crashed.status_code == 500
    assert PAGE_BODY not in crashed.text
    assert "Traceback" not in crashed.text
    assert unready.status_code == 503
    reported = {event["tags"]["request_id"]: event for event in events(tracking)}
    assert set(reported) == {"req-http-0001", "req-ready-0001"}
    for event in reported.values():
        assert "tool" not in event["tags"]
        assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    request = reported["req-http-0001"]["request"]
    assert request == {"method": "GET", "url": f"{base}/broken"}
    assert_nothing_private(tracking, fake.credentials.api_token)


async def test_closed_tracking_leaves_other_apps_requests_alone(
    ingest: Ingest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sentry's Starlette hook patches every app in the process and cannot be removed: once
    tracking is closed it must pass requests through untouched. A closed client left in place
    still read each body and parsed each multipart form (never closed: a spooled file per
    upload, reported later in whichever test ran)."""
    import tempfile

    import starlette.formparsers

    spooled: list[object] = []

    class Counted(tempfile.SpooledTemporaryFile[bytes]):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            spooled.append(self)

    monkeypatch.setattr(starlette.formparsers, "SpooledTemporaryFile", Counted)
    assert configure_error_tracking(remote_only(sentry_dsn=ingest.dsn))
    close_error_tracking()
    assert not sentry_sdk.get_client().is_active()

    async def upload(request: Request) -> Response:
        return Response(str(len(await request.body())))

    app = Starlette(routes=[Route("/upload", upload, methods=["POST"])])
    async with running_http_server(app) as base, httpx.AsyncClient() as http:
        response = await http.post(f"{base}/upload", files={"file": ("a.txt", b"x" * 100)})
    assert response.status_code == 200
    assert not spooled


def test_report_unexpected_is_silent_when_tracking_is_off() -> None:
    assert not error_tracking_enabled()
    assert not report_unexpected(RuntimeError("nobody listens"))


def test_settings_without_dsn_leave_tracking_off() -> None:
    assert not configure_error_tracking(remote_only())
    assert not error_tracking_enabled()


def test_scrub_event_keeps_only_where_the_bug_is() -> None:
    event = {
        "event_id": "abc",
        "level": "error",
        "user": {"email": "alice@example.com", "ip_address": "10.1.2.3"},
        "extra": {"arguments": {"body": PAGE_BODY}},
        "tags": {"tool": "search", "principal": "alice", "request_id": "r-12345678"},
        "contexts": {"runtime": {"name": "CPython"}, "state": {"token": "t0k3n"}},
        "request": {
            "method": "POST",
            "url": f"https://mcp.example.com/mcp?q={ARGUMENT_VALUE}",
            "headers": {"Authorization": "Bearer t0k3n"},
            "cookies": "session=t0k3n",
            "data": {"body": COMMENT_TEXT},
            "query_string": f"q={ARGUMENT_VALUE}",
        },
        "breadcrumbs": {
            "values": [
                {"category": "httplib", "level": "info", "data": {"url": f"/?q={ARGUMENT_VALUE}"}},
                {"category": "mcp", "message": f"saving {PAGE_BODY}", "type": "default"},
            ]
        },
        "exception": {
            "values": [
                {
                    "type": "RuntimeError",
                    "value": f"failed on {COMMENT_TEXT}",
                    "module": None,
                    "stacktrace": {
                        "frames": [
                            {
                                "function": "search",
                                "module": "confluence_mcp.tools.search",
                                "lineno": 3,
                                "vars": {"query": ARGUMENT_VALUE, "token": "t0k3n"},
                            }
                        ]
                    },
                }
            ]
        },
        "spans": [{"op": "http", "description": f"GET /x?q={ARGUMENT_VALUE}", "data": {"a": 1}}],
        "modules": {"sentry-sdk": "2"},
    }
    cleaned = scrub_event(event, {})
    text = json.dumps(cleaned)
    for secret in (*SECRETS, "t0k3n", "alice"):
        assert secret not in text
    assert cleaned["tags"] == {"tool": "search", "request_id": "r-12345678"}
    assert cleaned["contexts"] == {"runtime": {"name": "CPython"}}
    assert cleaned["request"] == {"method": "POST", "url": "https://mcp.example.com/mcp"}
    [frame] = cleaned["exception"]["values"][0]["stacktrace"]["frames"]
    assert frame == {"function": "search", "module": "confluence_mcp.tools.search", "lineno": 3}
    assert cleaned["breadcrumbs"]["values"][0] == {"category": "httplib", "level": "info"}
    assert cleaned["spans"] == [{"op": "http", "description": "GET /x"}]
    assert "modules" not in cleaned


def test_sentry_settings_are_validated_and_the_dsn_is_a_secret() -> None:
    from pydantic import ValidationError

    settings = remote_only(
        sentry_dsn="https://key@o1.ingest.example/7",
        sentry_traces_sample_rate=0.25,
    )
    assert "https://key@o1.ingest.example/7" in settings.secret_values
    assert "key@o1" not in repr(settings)
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        remote_only(sentry_traces_sample_rate=2)
    assert remote_only(sentry_dsn=" ").sentry_dsn is None
