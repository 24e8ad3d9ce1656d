"""Other Confluence clients work against the fake unchanged: atlassian-python-api's
Data Center (v1) and Cloud v2 clients, driven through their high-level methods."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from atlassian import Confluence

from confluence_client.testing import FakeConfluenceServer

from .conftest import AUTH, page_id


def test_atlassian_python_api_data_center_client(
    server: FakeConfluenceServer, tmp_path: Path
) -> None:
    client = Confluence(url=server.url, username=AUTH[0], password=AUTH[1], cloud=False)
    faq, runbooks = page_id(server, "FAQ"), page_id(server, "Runbooks")
    assert client.get_page_id("DEMO", "FAQ") == faq
    assert client.page_exists("DEMO", "FAQ")
    page = client.get_page_by_id(faq, expand="body.storage,version")
    assert page["version"]["number"] == 1
    assert "expand" in page["body"]["storage"]["value"]

    created = client.create_page("DEMO", "Client page", "<p>hi</p>", parent_id=faq)
    updated = client.update_page(created["id"], "Client page", "<p>changed</p>")
    assert updated["version"]["number"] == 2
    assert [a["title"] for a in client.get_page_ancestors(created["id"])][-1] == "FAQ"

    kids = client.get_page_child_by_type(runbooks, type="page")
    assert [k["title"] for k in kids] == [
        "Incident response",
        "Database failover",
        "Rotating credentials",
    ]
    assert len(list(client.get_all_pages_from_space("DEMO", limit=100))) == len(
        server.store.list_pages(space_id=server.store.get_space_by_key("DEMO").id)
    )

    client.set_page_label(created["id"], "from-client")
    assert "from-client" in [lb["name"] for lb in client.get_page_labels(created["id"])["results"]]
    client.remove_page_label(created["id"], "from-client")
    assert client.cql("label = runbook", limit=5)["totalSize"] == 3

    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"attached by a client")
    client.attach_file(str(upload), page_id=created["id"], comment="from a client")
    listed = client.get_attachments_from_content(created["id"])["results"]
    assert [a["title"] for a in listed] == ["notes.txt"]

    assert client.add_comment(created["id"], "<p>hello</p>")["type"] == "comment"
    assert client.get_space("DEMO")["name"] == "Demo Space"
    assert client.get_user_details_by_username("alice")["displayName"] == "Alice Martin"
    client.remove_page(created["id"])
    assert server.store.pages[created["id"]].status == "trashed"


def test_atlassian_python_api_cloud_v2_client(shared_server: FakeConfluenceServer) -> None:
    # Recent versions of the library's Cloud class warn on construction ("V1 methods are
    # deprecated"), whatever methods are used later; older ones (our floor) do not.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "V1 methods are deprecated", DeprecationWarning)
        client = Confluence(
            url=shared_server.wiki_url, username=AUTH[0], password=AUTH[1], api_version=2
        )
    if not hasattr(client, "get_spaces"):  # the Cloud v2 client came after 4.0.x
        pytest.skip("this atlassian-python-api has no Cloud v2 client (api_version=2)")
    demo = shared_server.store.get_space_by_key("DEMO")
    spaces = client.get_spaces()
    assert (spaces[0]["key"], spaces[0]["id"]) == ("DEMO", demo.id)
    faq = page_id(shared_server, "FAQ")
    assert client.get_page_by_id(faq, body_format="storage")["title"] == "FAQ"
    pages = list(client.get_pages(space_id=demo.id, limit=10))
    assert len(pages) == len(shared_server.store.list_pages(space_id=demo.id))
    runbooks = page_id(shared_server, "Runbooks")
    assert len(list(client.get_child_pages(runbooks))) == 3
    assert [lb["name"] for lb in client.get_page_labels(faq)] == ["faq"]
