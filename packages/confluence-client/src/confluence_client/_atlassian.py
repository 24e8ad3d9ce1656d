"""atlassian-python-api's REST client, imported without the rest of the library.

``atlassian/__init__.py`` imports a client for every Atlassian product (Jira, Bitbucket,
Bamboo, ... and BeautifulSoup with them): about 15 MB of memory and 0.4 s of start-up in a
process that only needs ``atlassian.rest_client``. When nobody has imported ``atlassian`` yet,
the package is registered without running its ``__init__``, so the submodule alone loads; the
first access to any other name of the package (``from atlassian import Jira`` by the embedding
application) runs the real ``__init__`` then, so nothing else in the process sees a difference.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from types import ModuleType
from typing import TYPE_CHECKING, Any

__all__ = ["AtlassianRestAPI"]

_PACKAGE = "atlassian"
_lock = threading.Lock()


def _register_lazy_package() -> None:
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or spec.loader is None:  # not installed: let the import below say so
        return
    package = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def finish(name: str) -> Any:
        # Module-level __getattr__ (PEP 562): only names the bare package lacks land here.
        with _lock:
            if package.__dict__.pop("__getattr__", None) is not None:
                loader.exec_module(package)
        if name in package.__dict__:
            return package.__dict__[name]
        raise AttributeError(f"module {_PACKAGE!r} has no attribute {name!r}")

    package.__dict__["__getattr__"] = finish
    sys.modules[_PACKAGE] = package


def _load() -> ModuleType:
    with _lock:
        if _PACKAGE not in sys.modules:
            _register_lazy_package()
    return importlib.import_module("atlassian.rest_client")


if TYPE_CHECKING:
    from atlassian.rest_client import AtlassianRestAPI
else:
    AtlassianRestAPI = _load().AtlassianRestAPI
