"""``defer_package``: the package's ``__init__`` runs on first use, once, and transparently."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from confluence_client._deferred import defer_package


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    root = tmp_path / "deferred_demo"
    root.mkdir()
    (root / "__init__.py").write_text(
        "import time\n"
        "from deferred_demo.version import __version__\n"
        "RUNS = [1]\n"
        "time.sleep(0.05)  # a slow __init__, so that threads overlap\n"
        "def hello():\n"
        "    return 'hello ' + __version__\n",
        encoding="utf-8",
    )
    (root / "version.py").write_text("__version__ = '1.2'\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "deferred_demo"
    for name in [key for key in sys.modules if key.startswith("deferred_demo")]:
        del sys.modules[name]


def test_preset_names_come_without_running_init(package: str) -> None:
    defer_package(package, preset=[("__version__", "version")])
    module = sys.modules[package]
    assert module.__version__ == "1.2"
    assert "RUNS" not in vars(module)


def test_first_use_runs_init_once_for_every_thread(package: str) -> None:
    defer_package(package)
    module = sys.modules[package]
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(module.hello())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["hello 1.2"] * 8
    assert module.RUNS == [1]
    assert "__getattr__" not in vars(module)
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        _ = module.missing


def test_an_imported_package_is_left_alone(package: str) -> None:
    import deferred_demo  # type: ignore[import-not-found]

    defer_package(package)
    assert sys.modules[package] is deferred_demo
    assert "__getattr__" not in vars(deferred_demo)


def test_a_missing_package_or_preset_falls_back_to_the_ordinary_import(package: str) -> None:
    defer_package("no_such_package_here")
    assert "no_such_package_here" not in sys.modules
    defer_package(package, preset=[("__version__", "no_such_submodule")])
    assert package not in sys.modules
