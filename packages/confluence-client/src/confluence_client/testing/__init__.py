"""A fake Confluence (Cloud, Data Center and the OAuth gateway) for tests and demos.

Install with the ``testing`` extra. Typical use::

    from confluence_client.testing import FakeConfluenceServer

    with FakeConfluenceServer(seed="demo") as server:   # or: async with ...
        ...  # point a client at server.wiki_url (Cloud) or server.url (Data Center)
        assert server.requests.count("GET", path_prefix="/wiki/api/v2/pages") == 1

What it serves (same paths and JSON shapes as Confluence):

- ``/wiki/api/v2/...``: pages (list, get with ``body-format``/``version``, create, update with
  the version rule, trash/purge, children, direct-children, ancestors, descendants), spaces,
  footer comments and replies, labels, attachments, versions; cursor pagination with
  ``_links.next`` and a ``Link`` header.
- ``/wiki/rest/api/...`` (Cloud v1) and ``/rest/api/...`` (Data Center): content with
  ``expand``, labels, multipart attachment upload (``X-Atlassian-Token: no-check``), spaces,
  CQL search (``/search``, ``/content/search``, ``/search/user``), users; offset pagination.
- ``/ex/confluence/<cloud_id>/wiki/...``: the OAuth gateway, where v1 content answers 410;
  it takes the basic/PAT credentials and the 3LO access tokens below (as the consenting user).
- The Atlassian authorization server (OAuth 2.0 3LO): ``/authorize``, ``/oauth/token``
  (refresh tokens rotate; a replayed one gets 403 ``invalid_grant``),
  ``/oauth/token/accessible-resources`` and ``/me``; ``server.oauth`` scripts it.

Test controls:

- ``server.store``: the records; add spaces, pages, comments, labels, attachments, users.
- ``server.faults``: ``latency``, ``server_errors``, ``rate_limit`` (``retry_after=None`` for
  ``X-RateLimit-Reset`` only), ``malformed_json``, ``drop_connections``, and for writes
  whose answer is lost ``apply_then_drop`` / ``apply_then_corrupt``; each takes
  ``path_prefix``, ``method``, ``count`` and ``rate`` (seeded RNG). ``clear()`` removes all.
- ``server.oauth``: ``register_app``, ``consent_as(login)`` / ``deny()`` (consent without a
  browser), ``revoke(login)``, ``expire_access_tokens()``, ``access_token_ttl``, and the
  ``refreshes`` / ``reused_refresh_tokens`` counters.
- ``server.requests``: the request log (``count``, ``matching``, ``last``, ``clear``).
- ``server.reset()``: fresh seed content, no faults, empty log.
- Several people: each seeded user other than the default signs in with their own API token
  ``<username>-api-token`` (basic, with their email) or PAT ``<username>-pat`` (bearer);
  ``server.store.set_user_tokens`` adds more. A page's read restriction
  (``server.store.restrictions``) makes it, and its descendants, 404 for everyone else in
  every API family (content by id, listings, children, search/CQL, comments, attachments).
- At run time: ``GET/POST/DELETE /__fake__/faults``, ``POST /__fake__/faults/seed``,
  ``GET/DELETE /__fake__/requests``, ``GET /__fake__/health``, ``POST /__fake__/users``
  (a user with their own tokens), ``PUT /__fake__/restrictions/{page_id}``,
  ``/__fake__/oauth/...`` (apps, consent, revoke, expire, settings; see ``routes.oauth``)
  (no auth).

Run it standalone with ``python -m confluence_client.testing --seed demo``; in pytest, opt in
with ``pytest_plugins = ["confluence_client.testing.pytest_plugin"]`` for the
``fake_confluence`` fixture.
"""

from ._app import DEFAULT_CLOUD_ID, create_app
from ._auth import Credentials
from ._cql import CQLQuery, parse_cql
from ._errors import (
    CQLSyntaxError,
    FakeBadRequestError,
    FakeConfluenceError,
    FakeNotFoundError,
    FakePayloadTooLargeError,
    GoneError,
    VersionConflictError,
)
from ._faults import FaultInjector, FaultRule
from ._oauth import FakeAuthorizationServer, OAuthApp, OAuthGrantError
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
    # Atlassian authorization server (OAuth 2.0 3LO)
    "FakeAuthorizationServer",
    "OAuthApp",
    "OAuthGrantError",
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
    "FakeBadRequestError",
    "CQLSyntaxError",
    "FakeNotFoundError",
    "VersionConflictError",
    "GoneError",
    "FakePayloadTooLargeError",
]
