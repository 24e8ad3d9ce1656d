"""Form bodies for the fake's routes: a multipart body must be whole before Starlette parses it.

Starlette spools each file part to a ``SpooledTemporaryFile`` as soon as the part's headers
are read, but its form (which closes them) holds only the parts that ended: a body cut off
inside a file part left that file open until the garbage collector found it. Such a body is
refused here (400, as Confluence does) before any file is spooled.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import FormData
from starlette.requests import Request

from ._errors import FakeBadRequestError

__all__ = ["read_form"]


@asynccontextmanager
async def read_form(request: Request) -> AsyncIterator[FormData]:
    """The request's form; it and its uploaded files are closed when the block ends."""
    content_type, options = parse_options_header(request.headers.get("content-type"))
    if content_type == b"multipart/form-data":
        # The body is read (and kept for Starlette's parser) to check it ends properly.
        _check_whole(await request.body(), options.get(b"boundary", b""))
    async with request.form() as form:
        yield form


def _check_whole(body: bytes, boundary: bytes) -> None:
    if not boundary:
        raise FakeBadRequestError("Malformed multipart body: no boundary")
    ended: list[bool] = []
    parser = MultipartParser(boundary, {"on_end": lambda: ended.append(True)})
    try:
        parser.write(body)
    except FormParserError as exc:
        raise FakeBadRequestError("Malformed multipart body") from exc
    if not ended:
        raise FakeBadRequestError("Malformed multipart body: it ends before its closing boundary")
