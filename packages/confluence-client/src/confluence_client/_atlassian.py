"""atlassian-python-api's REST client, imported without the rest of the library.

``atlassian/__init__.py`` imports a client for every Atlassian product (Jira, Bitbucket,
Bamboo, ... and BeautifulSoup with them): about 15 MB of memory and 0.4 s of start-up in a
process that only needs ``atlassian.rest_client``; ``requests`` imports ``charset_normalizer``
(about 2.7 MB) for responses that do not declare their encoding, which Confluence's always do.
Both are deferred (:mod:`confluence_client._deferred`): the first access to any other name of
either package (``from atlassian import Jira`` by the embedding application, an undeclared
encoding) runs its real ``__init__`` then, so nothing else in the process sees a difference.
The SDK imports ``requests`` from here too, so that the deferral comes before it.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import TYPE_CHECKING

from confluence_client._deferred import defer_package

__all__ = ["AtlassianRestAPI", "HTTPAdapter", "requests"]

_lock = threading.Lock()


def _load() -> ModuleType:
    with _lock:
        defer_package("atlassian")
        # requests reads the version at import time; the rest waits for a guessed encoding.
        defer_package("charset_normalizer", preset=[("__version__", "version")])
    return importlib.import_module("atlassian.rest_client")


if TYPE_CHECKING:
    from atlassian.rest_client import AtlassianRestAPI
else:
    AtlassianRestAPI = _load().AtlassianRestAPI

import requests  # noqa: E402 - after the deferral above
from requests.adapters import HTTPAdapter  # noqa: E402
