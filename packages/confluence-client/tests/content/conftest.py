"""Shared fixtures for the content-conversion tests: the storage corpus.

The corpus is read from the installed package (``confluence_client.testing/corpus``), the
same way the fake Confluence seeds its demo space, so these tests also prove it ships.
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # importlib.resources.abc is 3.11+; this package's tests run on 3.10 too
    from importlib.resources.abc import Traversable


def _corpus() -> list[Traversable]:
    folder = files("confluence_client.testing") / "corpus"
    return sorted((p for p in folder.iterdir() if p.name.endswith(".xml")), key=lambda p: p.name)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``corpus_document`` with the text of every corpus document."""
    if "corpus_document" in metafunc.fixturenames:
        paths = _corpus()
        metafunc.parametrize(
            "corpus_document",
            [p.read_text(encoding="utf-8") for p in paths],
            ids=[p.name.removesuffix(".xml") for p in paths],
        )


@pytest.fixture(scope="session")
def corpus() -> dict[str, str]:
    """Every corpus document, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in _corpus()}
