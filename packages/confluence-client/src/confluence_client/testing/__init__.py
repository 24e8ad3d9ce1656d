"""A fake Confluence (Cloud, Data Center and the OAuth gateway) for tests and demos.

Install with the ``testing`` extra. Typical use::

    from confluence_client.testing import FakeConfluenceServer

    with FakeConfluenceServer(seed="demo") as server:
        ...  # point a client at server.wiki_url (Cloud) or server.url (Data Center)
        assert server.requests.count("GET", path_prefix="/wiki/api/v2/pages") == 1

Run it standalone with ``python -m confluence_client.testing --seed demo``.
"""

from ._app import DEFAULT_CLOUD_ID, create_app
from ._auth import Credentials
from ._cql import CQLQuery, parse_cql
from ._errors import (
    BadRequestError,
    CQLSyntaxError,
    FakeConfluenceError,
    GoneError,
    NotFoundError,
    PayloadTooLargeError,
    VersionConflictError,
)
from ._faults import FaultInjector, FaultRule
from ._records import (
    AttachmentRecord,
    CommentRecord,
    LabelRecord,
    PageRecord,
    SpaceRecord,
    UserRecord,
    VersionRecord,
)
from ._requestlog import RequestLog, RequestRecord
from ._server import FakeConfluenceServer, ServerStartError
from ._store import FakeStore
from .seed import SEEDS, build_store

__all__ = [
    # server and app
    "FakeConfluenceServer",
    "ServerStartError",
    "create_app",
    "Credentials",
    "DEFAULT_CLOUD_ID",
    # store and seeds
    "FakeStore",
    "build_store",
    "SEEDS",
    "UserRecord",
    "SpaceRecord",
    "PageRecord",
    "VersionRecord",
    "CommentRecord",
    "LabelRecord",
    "AttachmentRecord",
    # faults and request log
    "FaultInjector",
    "FaultRule",
    "RequestLog",
    "RequestRecord",
    # CQL
    "CQLQuery",
    "parse_cql",
    # errors
    "FakeConfluenceError",
    "BadRequestError",
    "CQLSyntaxError",
    "NotFoundError",
    "VersionConflictError",
    "GoneError",
    "PayloadTooLargeError",
]
