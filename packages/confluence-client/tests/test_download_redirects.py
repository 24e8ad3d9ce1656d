"""Attachment downloads follow redirects only within Confluence's own hosts (loopback)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from confluence_client import BasicAuth, ConfluenceClient, MalformedResponseError

SEEN_AUTH: list[str | None] = []


async def own(_request: Request) -> Response:
    return RedirectResponse("/wiki/files/real", status_code=302)


async def elsewhere(request: Request) -> Response:
    # "localhost" is another host name for the same loopback server.
    return RedirectResponse(f"http://localhost:{request.url.port}/stranger", status_code=302)


async def real(_request: Request) -> Response:
    return Response(b"attachment bytes")


async def stranger(request: Request) -> Response:
    SEEN_AUTH.append(request.headers.get("authorization"))
    return Response(b"someone else's bytes")


APP = Starlette(
    routes=[
        Route("/wiki/download/own", own),
        Route("/wiki/download/elsewhere", elsewhere),
        Route("/wiki/files/real", real),
        Route("/stranger", stranger),
    ]
)


@pytest.fixture
def port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(APP, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    yield sock.getsockname()[1]
    server.should_exit = True
    thread.join()
    sock.close()


async def test_redirects_to_another_host_are_refused(port: int) -> None:
    client = ConfluenceClient(
        f"http://127.0.0.1:{port}/wiki",
        BasicAuth(username="u", api_token="t"),
        deployment="datacenter",
    )
    transport = client._transport  # the download primitive every attachment call uses
    try:
        assert await transport.download("download/own", 1000) == b"attachment bytes"
        with pytest.raises(MalformedResponseError, match="outside Confluence"):
            await transport.download("download/elsewhere", 1000)
    finally:
        await client.aclose()
    assert SEEN_AUTH == []  # refused before anything (least of all credentials) was sent


def test_atlassian_media_hosts_count_as_own() -> None:
    client = ConfluenceClient(
        "https://acme.atlassian.net/wiki", BasicAuth(username="u", api_token="t")
    )
    transport = client._transport
    assert transport._own_host("acme.atlassian.net")
    assert transport._own_host("api.media.atlassian.com")
    assert not transport._own_host("evil.example")
    assert not transport._own_host("atlassian.com.evil.example")


@pytest.mark.parametrize(
    "filename",
    ["invoice\u202efdp.exe", "a\x1b[2Jb.txt", "zero\u200bwidth.pdf", "line\u2028break.txt"],
)
async def test_disguising_filenames_are_refused(filename: str) -> None:
    from confluence_client import InvalidInputError

    client = ConfluenceClient("https://acme.atlassian.net/wiki", BasicAuth("u", "t"))
    try:
        with pytest.raises(InvalidInputError, match="control"):
            await client.upload_attachment("1", filename, b"x")
    finally:
        await client.aclose()


async def test_off_site_url_error_does_not_name_the_site() -> None:
    from confluence_client import InvalidInputError

    client = ConfluenceClient("https://secret-host.example.com/wiki", BasicAuth("u", "t"))
    try:
        with pytest.raises(InvalidInputError) as refused:
            await client.get_page_by_url("https://other.atlassian.net/wiki/spaces/A/pages/1/x")
    finally:
        await client.aclose()
    assert "secret-host" not in str(refused.value)
