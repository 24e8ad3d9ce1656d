"""Where the schema tests find Atlassian's OpenAPI documents, and what happens when they don't."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import OPENAPI_ENV, require_openapi_dir


def _documents(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("v1", "v2"):
        (folder / f"{name}.json").write_text("{}")
    return folder


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository root with nothing beside it (a bare clone)."""
    root = tmp_path / "clone"
    root.mkdir()
    return root


def test_shared_folder_beside_the_repository_is_found(repo: Path) -> None:
    shared = _documents(repo.parent / "shared" / "confluence-openapi")
    assert require_openapi_dir({}, repo) == shared


def test_the_environment_variable_wins(repo: Path, tmp_path: Path) -> None:
    _documents(repo.parent / "shared" / "confluence-openapi")
    elsewhere = _documents(tmp_path / "specs")
    assert require_openapi_dir({OPENAPI_ENV: str(elsewhere)}, repo) == elsewhere


def test_bare_clone_skips_with_a_reason(repo: Path) -> None:
    with pytest.raises(pytest.skip.Exception, match=f"not found.*set {OPENAPI_ENV}"):
        require_openapi_dir({"CI": "false"}, repo)


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_absence_under_ci_is_a_failure(repo: Path, ci: str) -> None:
    with pytest.raises(pytest.fail.Exception, match="under CI=true this is a failure"):
        require_openapi_dir({"CI": ci}, repo)


def test_a_named_folder_without_documents_is_a_failure(repo: Path, tmp_path: Path) -> None:
    _documents(repo.parent / "shared" / "confluence-openapi")
    with pytest.raises(pytest.fail.Exception, match=f"{OPENAPI_ENV}=.* has no v1.json"):
        require_openapi_dir({OPENAPI_ENV: str(tmp_path / "empty")}, repo)


def test_half_a_set_is_not_enough(repo: Path) -> None:
    folder = repo.parent / "shared" / "confluence-openapi"
    folder.mkdir(parents=True)
    (folder / "v1.json").write_text("{}")
    with pytest.raises(pytest.skip.Exception):
        require_openapi_dir({}, repo)
