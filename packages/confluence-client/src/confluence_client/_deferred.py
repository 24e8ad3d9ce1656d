"""Packages registered without running their ``__init__`` until a name of theirs is used.

Two of the REST client's imports load far more than the SDK uses: ``atlassian/__init__.py``
imports a client for every Atlassian product (about 15 MB), and ``requests`` imports
``charset_normalizer`` (about 2.7 MB) only to guess the encoding of a response that does not
declare one. :func:`defer_package` puts such a package in ``sys.modules`` as its bare module
object (``__path__`` set, so submodules import on their own); the first access to a name it
lacks runs the real ``__init__`` in that same object, so an application that uses the package
later sees no difference. A package someone imported already is left as it is.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from collections.abc import Iterable
from typing import Any

__all__ = ["defer_package"]

# Re-entrant: the package's own __init__ may touch its names while it runs.
_lock = threading.RLock()


def defer_package(name: str, preset: Iterable[tuple[str, str]] = ()) -> None:
    """Register ``name`` lazily unless it is imported already.

    ``preset`` lists ``(attribute, submodule)`` pairs copied onto the bare package at once
    (e.g. ``("__version__", "version")``), for importers that read them at import time.
    When the package is missing or does not allow this, nothing is registered and a normal
    import happens (and reports any error) where the package is first imported.
    """
    with _lock:
        if name in sys.modules:
            return
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return
        package = importlib.util.module_from_spec(spec)
        loader = spec.loader
        state = {"loading": False}

        def finish(attribute: str) -> Any:
            # Module-level __getattr__ (PEP 562): only names the bare package lacks land here.
            with _lock:
                if package.__dict__.get("__getattr__") is finish and not state["loading"]:
                    state["loading"] = True
                    try:
                        loader.exec_module(package)
                    finally:
                        state["loading"] = False
                    if package.__dict__.get("__getattr__") is finish:
                        del package.__dict__["__getattr__"]
            if attribute in package.__dict__:
                return package.__dict__[attribute]
            raise AttributeError(f"module {name!r} has no attribute {attribute!r}")

        package.__dict__["__getattr__"] = finish
        sys.modules[name] = package
        try:
            for attribute, submodule in preset:
                module = importlib.import_module(f"{name}.{submodule}")
                package.__dict__[attribute] = getattr(module, attribute)
        except Exception:  # an unexpected layout: fall back to the ordinary import
            for loaded in [key for key in sys.modules if key == name or key.startswith(name + ".")]:
                del sys.modules[loaded]
