"""NoMultipartMiddleware: multipart bodies get 415 before the route; other bodies pass."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from confluence_mcp.http.forms import NoMultipartMiddleware


async def echo(request: Request) -> PlainTextResponse:
    return PlainTextResponse(str(len(await request.body())))


def make_client() -> httpx.AsyncClient:
    app = Starlette(
        routes=[Route("/token", echo, methods=["POST"])],
        middleware=[Middleware(NoMultipartMiddleware)],
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data; boundary=x", "Multipart/Form-Data;boundary=x", " multipart/mixed"],
)
async def test_multipart_is_refused_unread(content_type: str) -> None:
    async with make_client() as http:
        answer = await http.post(
            "/token", content=b"--x--\r\n", headers={"content-type": content_type}
        )
    assert answer.status_code == 415
    assert answer.json()["error"] == "invalid_request"
    assert "multipart" in answer.json()["error_description"]


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "application/json", None]
)
async def test_other_bodies_reach_the_route(content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    async with make_client() as http:
        answer = await http.post("/token", content=b"a=1", headers=headers)
    assert (answer.status_code, answer.text) == (200, "3")
