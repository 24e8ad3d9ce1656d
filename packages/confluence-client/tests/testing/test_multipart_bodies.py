"""Multipart bodies the upload routes must refuse without leaking a spooled file.

Starlette spools each file part to a ``SpooledTemporaryFile`` as soon as the part's headers
are read; a body that ends inside that part (no closing boundary) left the file out of the
form, so nothing closed it and the garbage collector later reported it in whichever test was
running. Each body here is sent, then the collector runs while unclosed files are errors.
"""

from __future__ import annotations

import gc
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from confluence_client.testing import FakeConfluenceServer

from .conftest import page_id

PART = (
    b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
    b"Content-Type: text/plain\r\n\r\n"
)
HEADERS = {"content-type": "multipart/form-data; boundary=XyZ", "x-atlassian-token": "no-check"}


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
    server: FakeConfluenceServer, cloud: httpx.Client, label: str, body: bytes
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


def test_a_complete_upload_still_works_and_leaves_no_open_file(
    server: FakeConfluenceServer, cloud: httpx.Client
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


def test_a_multipart_token_request_leaves_no_open_file(server: FakeConfluenceServer) -> None:
    with unclosed_files() as leaked, httpx.Client() as client:
        answer = client.post(
            f"{server.url}/oauth/token",
            content=PART + b"hello",
            headers={"content-type": "multipart/form-data; boundary=XyZ"},
        )
    assert answer.status_code < 500, answer.text
    assert not leaked, leaked
