"""Odd answers a real Confluence (or a proxy) can give, served by a scripted loopback server."""

import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from confluence_client import (
    Attachment,
    BasicAuth,
    ConflictError,
    ConfluenceClient,
    DownloadTooLargeError,
    InvalidInputError,
    MalformedResponseError,
    NotFoundError,
    PersonalAccessToken,
    RetryPolicy,
)

Reply = tuple[int, dict[str, str], bytes]


class Scripted:
    """Answers each request path (without query) from a table; records what was asked."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.seen: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.seen.append(f"{self.command} {self.path}")
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                path = self.path.split("?", 1)[0]
                queue = outer.routes.get(f"{self.command} {path}") or [(404, {}, b"{}")]
                status, headers, body = queue.pop(0) if len(queue) > 1 else queue[0]
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Transfer-Encoding" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if headers.get("Transfer-Encoding") == "chunked":
                    for start in range(0, len(body), 4):
                        chunk = body[start : start + 4]
                        self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def json(self, method_path: str, body: Any, status: int = 200) -> None:
        self.routes.setdefault(method_path, []).append((status, {}, json.dumps(body).encode()))


@pytest.fixture
def scripted() -> Iterator[Scripted]:
    server = Scripted()
    thread = threading.Thread(target=server.httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    thread.join()


@pytest.fixture
async def cloud(scripted: Scripted) -> AsyncIterator[ConfluenceClient]:
    async with ConfluenceClient(
        scripted.url, BasicAuth("u", "t"), deployment="cloud", retry=RetryPolicy.disabled()
    ) as client:
        yield client


@pytest.fixture
async def dc(scripted: Scripted) -> AsyncIterator[ConfluenceClient]:
    async with ConfluenceClient(
        scripted.url,
        PersonalAccessToken("p"),
        deployment="datacenter",
        retry=RetryPolicy.disabled(),
    ) as client:
        yield client


def _v2_page(page_id: str, parent: str | None = None, depth: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"id": page_id, "title": f"P{page_id}", "version": {"number": 1}}
    if parent:
        data["parentId"] = parent
    if depth is not None:
        data.update(type="page", depth=depth)
    return data


async def test_descendants_deeper_than_five_levels_take_another_call(
    scripted: Scripted, cloud: ConfluenceClient
) -> None:
    first = [_v2_page(str(10 + d), str(9 + d), d) for d in range(1, 6)]
    first.append({"id": "99", "title": "A folder", "type": "folder", "depth": 1})
    scripted.json("GET /wiki/api/v2/pages/10/descendants", {"results": first, "_links": {}})
    deeper = [_v2_page("16", "15", 1)]
    scripted.json("GET /wiki/api/v2/pages/15/descendants", {"results": deeper, "_links": {}})
    found = [(p.id, p.content_type) async for p in cloud.iter_descendants("10")]
    # Folders are tree nodes (typed); only what sits at depth 5 needs another call.
    assert [i for i, _ in found] == ["11", "12", "13", "14", "15", "99", "16"]
    assert dict(found)["99"] == "folder"


async def test_pagination_that_does_not_advance_is_an_error(
    scripted: Scripted, cloud: ConfluenceClient
) -> None:
    body = {
        "results": [{"id": "1", "key": "A", "name": "A"}],
        "_links": {"next": "/wiki/api/v2/spaces?cursor=same"},
    }
    scripted.json("GET /wiki/api/v2/spaces", body)
    with pytest.raises(MalformedResponseError):
        _ = [s async for s in cloud.iter_spaces()]


async def test_next_link_to_another_host_is_refused(
    scripted: Scripted, cloud: ConfluenceClient
) -> None:
    with pytest.raises(MalformedResponseError):
        await cloud._transport.request("GET", "http://evil.example/wiki/api/v2/pages")
    assert scripted.seen == []


@pytest.mark.parametrize(
    ("route", "body", "call"),
    [
        ("GET /wiki/api/v2/pages/5", [1, 2], lambda c: c.get_page("5")),
        ("GET /wiki/api/v2/pages/5", {"id": "5"}, lambda c: c.get_page("5")),
        ("GET /wiki/api/v2/pages/5", {"id": {"x": 1}, "title": "t"}, lambda c: c.get_page("5")),
        ("GET /wiki/rest/api/content/5", {"id": "5"}, lambda c: c.get_ancestors("5")),
        (
            "POST /wiki/rest/api/content/5/label",
            {"results": {}},
            lambda c: c.add_labels("5", ["a"]),
        ),
        (
            "PUT /wiki/rest/api/content/5/child/attachment",
            {"results": []},
            lambda c: c.upload_attachment("5", "a.txt", b"x"),
        ),
    ],
)
async def test_unexpected_shapes_are_malformed_responses(
    scripted: Scripted, cloud: ConfluenceClient, route: str, body: Any, call: Any
) -> None:
    scripted.json(route, body)
    with pytest.raises(MalformedResponseError):
        await call(cloud)


async def test_chunked_download_is_capped_while_streaming(
    scripted: Scripted, cloud: ConfluenceClient
) -> None:
    scripted.routes["GET /wiki/download/attachments/5/a.bin"] = [
        (200, {"Transfer-Encoding": "chunked"}, b"0123456789" * 5)
    ]
    att = Attachment(
        id="att7",
        title="a.bin",
        page_id="5",
        download_url=f"{cloud.site_url}/download/attachments/5/a.bin",
    )
    assert len(await cloud.download_attachment(att, max_bytes=100)) == 50
    with pytest.raises(DownloadTooLargeError) as info:
        await cloud.download_attachment(att, max_bytes=20)
    assert info.value.size > 20
    assert info.value.status_code == 200


async def test_download_without_a_link_uses_the_v1_path(
    scripted: Scripted, cloud: ConfluenceClient
) -> None:
    scripted.routes["GET /wiki/rest/api/content/5/child/attachment/att7/download"] = [
        (200, {}, b"ok")
    ]
    assert await cloud.download_attachment(Attachment(id="att7", title="a", page_id="5")) == b"ok"
    with pytest.raises(MalformedResponseError):
        await cloud.download_attachment(Attachment(id="att7", title="a"))


async def test_download_errors_are_mapped(scripted: Scripted, dc: ConfluenceClient) -> None:
    att = Attachment(id="att7", title="a", download_url=f"{dc.site_url}/download/attachments/5/a")
    with pytest.raises(NotFoundError):
        await dc.download_attachment(att)
    with pytest.raises(MalformedResponseError):
        await dc.download_attachment(Attachment(id="att7", title="a"))


async def test_conflict_without_numbers_reads_the_current_version(
    scripted: Scripted, dc: ConfluenceClient
) -> None:
    page = {
        "id": "5",
        "type": "page",
        "title": "T",
        "version": {"number": 3},
        "space": {"key": "K"},
    }
    scripted.json("GET /rest/api/content/5", page)
    scripted.json("PUT /rest/api/content/5", {"statusCode": 409, "message": "conflict"}, status=409)
    with pytest.raises(ConflictError) as info:
        await dc.update_page("5", expected_version=3, body="<p/>")
    assert (info.value.current_version, info.value.provided_version) == (3, 3)


async def test_dc_checks_content_types(scripted: Scripted, dc: ConfluenceClient) -> None:
    scripted.json("GET /rest/api/content/5", {"id": "5", "type": "page", "title": "T"})
    with pytest.raises(NotFoundError):
        await dc.get_comment("5")
    with pytest.raises(NotFoundError):
        await dc.get_attachment("att5")
    with pytest.raises(NotFoundError):
        await dc.reply_to_comment("5", "<p>x</p>")
    with pytest.raises(InvalidInputError):
        await dc.get_page("5", body_format="atlas_doc_format")
    scripted.json("GET /rest/api/content/6", {"id": "6", "type": "page", "title": "T"})
    with pytest.raises(MalformedResponseError):
        await dc.get_ancestors("6")


async def test_dc_old_version_falls_back_to_historical(
    scripted: Scripted, dc: ConfluenceClient
) -> None:
    current = {"id": "5", "type": "page", "title": "T", "version": {"number": 4}}
    old = {"id": "5", "type": "page", "title": "T", "version": {"number": 2}}
    scripted.routes["GET /rest/api/content/5"] = [
        (200, {}, json.dumps(current).encode()),
        (200, {}, json.dumps(old).encode()),
        (200, {}, json.dumps(current).encode()),
        (200, {}, json.dumps(current).encode()),
    ]
    assert (await dc.get_page("5", version=2)).version_number == 2
    assert "status=historical" in scripted.seen[1]
    with pytest.raises(NotFoundError):
        await dc.get_page("5", version=2)


async def test_dc_reply_needs_a_container(scripted: Scripted, dc: ConfluenceClient) -> None:
    scripted.json("GET /rest/api/content/7", {"id": "7", "type": "comment"})
    with pytest.raises(MalformedResponseError):
        await dc.list_comment_replies("7")


async def test_oauth_ancestors_come_from_v2_ids(scripted: Scripted) -> None:
    from confluence_client import OAuthToken

    base = "/ex/confluence/c1/wiki/api/v2/pages"
    scripted.json(f"GET {base}/5/ancestors", {"results": [{"id": "3", "type": "page"}]})
    scripted.json(f"GET {base}/3", _v2_page("3"))
    async with ConfluenceClient(
        "https://acme.atlassian.net",
        OAuthToken("tok", "c1"),
        api_gateway_url=scripted.url,
        retry=RetryPolicy.disabled(),
    ) as client:
        assert [p.id for p in await client.get_ancestors("5")] == ["3"]
        scripted.routes[f"GET {base}/5/ancestors"] = [(200, {}, b'{"oops": []}')]
        with pytest.raises(MalformedResponseError):
            await client.get_ancestors("5")


def test_one_client_serves_several_event_loops(scripted: Scripted) -> None:
    import asyncio

    scripted.json("GET /rest/api/space/K", {"id": 1, "key": "K", "name": "Space K"})
    client = ConfluenceClient(
        scripted.url, PersonalAccessToken("p"), deployment="datacenter", max_concurrency=1
    )

    async def fetch_twice() -> list[str]:
        spaces = await asyncio.gather(client.get_space("K"), client.get_space("K"))
        return [s.name for s in spaces]

    assert asyncio.run(fetch_twice()) == ["Space K", "Space K"]
    assert asyncio.run(fetch_twice()) == ["Space K", "Space K"]
    asyncio.run(client.aclose())
