"""Multipart bodies: the fake parses them in memory and never spools an upload to a file.

Starlette spools each file part to a ``SpooledTemporaryFile`` as soon as the part's headers
are read and leaves closing them to the caller on every path: a body that ends inside that
part (no closing boundary) left the file out of the form, so nothing closed it and the
garbage collector later reported it in whichever test was running (the fuzz suite, in CI).
The fake now splits multipart bodies itself; each body here is sent, then the collector runs
while unclosed files are errors, and no temporary file may have been made at all.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import starlette.formparsers

from confluence_client.testing import FakeConfluenceServer

from .conftest import page_id

PART = (
    b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
)
HEADERS = {"content-type": "multipart/form-data; boundary=XyZ", "x-atlassian-token": "no-check"}


@pytest.fixture
def spooled(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every temporary file Starlette's form parser makes while the test runs (the fake runs
    in this process, in a thread)."""
    made: list[Any] = []

    class Counted(tempfile.SpooledTemporaryFile[bytes]):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(starlette.formparsers, "SpooledTemporaryFile", Counted)
    return made


@contextmanager
def unclosed_files() -> Iterator[list[str]]:
    """What reached the garbage collector unclosed while the block ran (any thread)."""
    found: list[str] = []
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        found.append(f"{unraisable.exc_value!r} in {unraisable.object!r}")

    sys.unraisablehook = hook
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ResourceWarning)
            yield found
            gc.collect()
    finally:
        sys.unraisablehook = previous


@pytest.mark.parametrize(
    ("label", "body"),
    [
        ("ends inside the file's data", PART + b"hello"),
        ("ends right after the file's headers", PART),
        ("closing boundary without its line break", PART + b"--XyZ--\r\n"),
        ("a second file cut short", PART + b"one\r\n" + PART + b"two"),
    ],
)
def test_a_truncated_upload_is_refused_and_leaves_no_open_file(
    server: FakeConfluenceServer,
    cloud: httpx.Client,
    spooled: list[Any],
    label: str,
    body: bytes,
) -> None:
    faq = page_id(server, "FAQ")
    before = server.store.page_attachments(faq)
    with unclosed_files() as leaked:
        answer = cloud.put(
            f"/rest/api/content/{faq}/child/attachment", content=body, headers=HEADERS
        )
    assert not leaked, (label, leaked)
    assert answer.status_code == 400, (label, answer.text)
    assert "multipart" in answer.json()["message"], label
    assert server.store.page_attachments(faq) == before
    assert not spooled, label


def test_a_complete_upload_still_works_and_leaves_no_open_file(
    server: FakeConfluenceServer, cloud: httpx.Client, spooled: list[Any]
) -> None:
    url = f"/rest/api/content/{page_id(server, 'FAQ')}/child/attachment"
    body = PART + b"hello\r\n--XyZ--\r\n"
    with unclosed_files() as leaked:
        answer = cloud.put(url, content=body, headers=HEADERS)
        data = cloud.post(
            f"{url}/{answer.json()['results'][0]['id']}/data",
            content=PART + b"hello again\r\n--XyZ--\r\n",
            headers=HEADERS,
        )
    assert answer.status_code == 200, answer.text
    assert data.status_code == 200, data.text
    assert not leaked, leaked
    assert not spooled


def test_uploads_are_read_in_memory_without_a_temporary_file(
    server: FakeConfluenceServer, cloud: httpx.Client, spooled: list[Any]
) -> None:
    """Several files, a comment and a file past Starlette's 1 MB spool size (which it would
    have rolled to disk) arrive whole, and no temporary file is made for any of them."""
    faq = page_id(server, "FAQ")
    big = bytes(range(256)) * 5000  # 1.28 MB
    with unclosed_files() as leaked:
        answer = cloud.post(
            f"/rest/api/content/{faq}/child/attachment",
            data={"comment": "two files"},
            files=[
                ("file", ("big.bin", big, "application/x-big")),
                ("file", ("notes.txt", b"a\r\n--XyZ not a boundary", "text/plain")),
                ("other", ("ignored.txt", b"x", "text/plain")),
            ],
            headers={"x-atlassian-token": "no-check"},
        )
    assert answer.status_code == 200, answer.text
    assert [r["title"] for r in answer.json()["results"]] == ["big.bin", "notes.txt"]
    stored = {a.title: a for a in server.store.page_attachments(faq)}
    assert stored["big.bin"].data == big
    assert stored["big.bin"].media_type == "application/x-big"
    assert stored["notes.txt"].data == b"a\r\n--XyZ not a boundary"
    assert stored["notes.txt"].comment == "two files"
    assert not leaked, leaked
    assert not spooled


def test_a_part_without_a_name_is_refused(
    server: FakeConfluenceServer, cloud: httpx.Client, spooled: list[Any]
) -> None:
    nameless = PART.replace(b'name="file"; ', b"")
    answer = cloud.post(
        f"/rest/api/content/{page_id(server, 'FAQ')}/child/attachment",
        content=nameless + b"hello\r\n--XyZ--\r\n",
        headers=HEADERS,
    )
    assert answer.status_code == 400, answer.text
    assert "no name" in answer.json()["message"]
    assert not spooled


def test_a_multipart_token_request_leaves_no_open_file(
    server: FakeConfluenceServer, spooled: list[Any]
) -> None:
    with unclosed_files() as leaked, httpx.Client() as client:
        answer = client.post(
            f"{server.url}/oauth/token",
            content=PART + b"hello",
            headers={"content-type": "multipart/form-data; boundary=XyZ"},
        )
    assert answer.status_code < 500, answer.text
    assert not leaked, leaked
    assert not spooled
