"""prune_storage: the caller's predicate decides; untouched documents come back as they were."""

from __future__ import annotations

import pytest

from confluence_client.content import StorageElement, StorageParseError, prune_storage
from confluence_client.testing.seed._demo import corpus_documents


def never(_: StorageElement) -> bool:
    return False


@pytest.mark.parametrize(("stem", "storage"), corpus_documents())
def test_nothing_selected_is_byte_identical(stem: str, storage: str) -> None:
    assert prune_storage(storage, never) == (storage, 0)


def test_removes_selected_elements_keeping_tails() -> None:
    storage = (
        '<p>a<span class="x">gone<b>too</b></span> b<ac:placeholder>hint</ac:placeholder>c</p>'
    )
    seen: list[StorageElement] = []

    def pick(element: StorageElement) -> bool:
        seen.append(element)
        return element.tag == "ac:placeholder" or element.attributes.get("class") == "x"

    assert prune_storage(storage, pick) == ("<p>a bc</p>", 2)
    # Descendants of a removed element are not offered again.
    assert [e.tag for e in seen] == ["p", "span", "ac:placeholder"]
    assert seen[1].text == "gonetoo"


def test_comments_only_when_asked() -> None:
    storage = "<p>x<!-- note -->y</p>"
    assert prune_storage(storage, never) == (storage, 0)
    assert prune_storage(storage, never, remove_comments=True) == ("<p>xy</p>", 1)


def test_malformed_storage_is_refused() -> None:
    with pytest.raises(StorageParseError):
        prune_storage("<p>open", never)
