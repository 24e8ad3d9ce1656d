"""The demo seed's promises and the store's Confluence rules."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from confluence_client.testing import (
    SEEDS,
    FakeBadRequestError,
    FakeNotFoundError,
    FakeStore,
    VersionConflictError,
    build_store,
)
from confluence_client.testing.seed import _demo
from confluence_client.testing.seed._assets import pdf_document, tiny_png


@pytest.fixture(scope="module")
def demo() -> FakeStore:
    return build_store("demo")


def test_demo_space_is_big_deep_and_rich(demo: FakeStore) -> None:
    space = demo.get_space_by_key("DEMO")
    assert space.name == "Demo Space"
    pages = demo.list_pages(space_id=space.id)
    assert len(pages) >= 40
    assert max(len(demo.ancestors(p.id)) for p in pages) >= 4
    assert any(c.parent_comment_id for c in demo.comments.values())
    assert sum(len(p.labels) for p in pages) >= 20
    media = {a.media_type for a in demo.attachments.values()}
    assert media == {"image/png", "text/plain", "application/pdf"}
    assert any(p.version >= 3 for p in pages)
    bodies = " ".join(p.body for p in pages)
    for markup in (
        'ac:name="code"',
        'ac:name="info"',
        'ac:name="toc"',
        'ac:name="status"',
        'ac:name="expand"',
        "<ri:page ",
        "<ri:user ",
        "<ac:image",
        "<table>",
        "<ac:task-list>",
        "<ac:layout>",
    ):
        assert markup in bodies, markup
    assert len(demo.users) == 6
    assert demo.get_space_by_key("ENG").key == "ENG"


def test_markup_gallery_has_one_page_per_corpus_document(demo: FakeStore) -> None:
    gallery = demo.list_pages(title="Markup gallery")[0]
    children = demo.children(gallery.id, gallery.space_id)
    docs = _demo.corpus_documents()
    assert len(children) == len(docs)
    assert {c.body for c in children} == {body for _, body in docs}


def test_corpus_folder_may_be_missing_or_hold_junk(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    class FakeFiles:
        def __init__(self, root: Path) -> None:
            self.root = root

        def joinpath(self, name: str) -> Path:
            return self.root / name

    # _demo reads importlib.resources.files: the same module object as here.
    monkeypatch.setattr(resources, "files", lambda _: FakeFiles(tmp_path))
    assert _demo.corpus_documents() == []
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "b.xml").write_text("<p>b</p>")
    (tmp_path / "corpus" / "a.xml").write_text("<p>a</p>")
    (tmp_path / "corpus" / "bad.xml").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "corpus" / "notes.md").write_text("ignored")
    assert _demo.corpus_documents() == [("a", "<p>a</p>"), ("b", "<p>b</p>")]
    store = build_store("demo")
    gallery = store.list_pages(title="Markup gallery")[0]
    assert [p.title for p in store.children(gallery.id, gallery.space_id)] == [
        "Markup: a",
        "Markup: b",
    ]


def test_empty_seed_and_unknown_seed() -> None:
    assert SEEDS == ("demo", "empty", "hostile")
    empty = build_store("empty", "someone")
    assert empty.spaces == {}
    assert empty.current_user().username == "someone"
    assert empty.current_user().email == "someone@example.com"
    with pytest.raises(FakeBadRequestError):
        build_store("huge")


def test_assets_are_real_formats() -> None:
    png = tiny_png()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.endswith(b"IEND\xaeB`\x82")
    pdf = pdf_document()
    assert pdf.startswith(b"%PDF-1.4")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_store_rules() -> None:
    store = FakeStore()
    with pytest.raises(FakeNotFoundError):
        store.current_user()
    user = store.add_user("Ann", "ann@example.com")
    assert store.find_user("ann") is user
    assert store.find_user("nobody") is None
    assert store.get_user(user.account_id) is user
    with pytest.raises(FakeNotFoundError):
        store.get_user("missing")
    space = store.add_space("S", "Space")
    with pytest.raises(FakeBadRequestError):
        store.add_space("S", "Again")
    with pytest.raises(FakeNotFoundError):
        store.get_space("1")
    with pytest.raises(FakeNotFoundError):
        store.get_space_by_key("NOPE")
    home = str(space.homepage_id)
    child = store.add_page(space.key, "Child", "<p/>", parent_id=home)
    grandchild = store.add_page(space.id, "Grandchild", parent_id=child.id)
    with pytest.raises(FakeBadRequestError):
        store.add_page(space.id, "Child")
    with pytest.raises(FakeBadRequestError):
        store.add_page(space.id, " ")
    with pytest.raises(VersionConflictError) as conflict:
        store.update_page(child.id, version=1)
    assert (conflict.value.current, conflict.value.provided) == (1, 1)
    with pytest.raises(FakeBadRequestError):
        store.update_page(child.id, version=2, title=" ")
    with pytest.raises(FakeBadRequestError):
        store.update_page(child.id, version=2, parent_id=5)
    with pytest.raises(FakeBadRequestError):
        store.update_page(child.id, version=2, parent_id=grandchild.id)
    store.trash_page(child.id)
    store.purge_page(child.id)
    assert store.get_page(grandchild.id).parent_id == home  # orphans move up
    other = store.add_space("T", "Other")
    with pytest.raises(FakeBadRequestError):
        store.add_page(other.id, "Cross", parent_id=home)
    with pytest.raises(FakeBadRequestError):
        store.add_label(home, "two words")
    store.add_label(home, "Tag")
    store.add_label(home, "tag")
    assert [lb.name for lb in store.get_page(home).labels] == ["tag"]
    with pytest.raises(FakeNotFoundError):
        store.remove_label(home, "missing")
    with pytest.raises(FakeBadRequestError):
        store.add_comment(home, " ")
    with pytest.raises(FakeNotFoundError):
        store.get_comment("1")
    with pytest.raises(FakeBadRequestError):
        store.add_attachment(home, "", b"")
    with pytest.raises(FakeNotFoundError):
        store.get_attachment("1")
    store.add_attachment(home, "f.bin", b"1")
    comment = store.add_comment(home, "<p>c</p>")
    store.trash_page(home)
    store.purge_page(home)
    assert comment.id not in store.comments
    assert store.attachments == {}


def test_trashing_a_parent_moves_its_children_up() -> None:
    store = build_store("demo")
    runbooks = store.list_pages(title="Runbooks")[0]
    engineering = str(runbooks.parent_id)
    before = [p.title for p in store.children(engineering, runbooks.space_id)]
    store.trash_page(runbooks.id)
    after = [p.title for p in store.children(engineering, runbooks.space_id)]
    assert after == [t for t in before if t != "Runbooks"] + [
        "Incident response",
        "Database failover",
        "Rotating credentials",
    ]
    incident = store.list_pages(title="Incident response")[0]
    assert [a.title for a in store.ancestors(incident.id)] == ["Demo Space Home", "Engineering"]
