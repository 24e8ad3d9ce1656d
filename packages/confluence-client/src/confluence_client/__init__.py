"""Typed async SDK for Confluence Cloud and Data Center.

Storage-format <-> markdown conversion lives in the ``confluence_client.content`` subpackage
and the fake Confluence server in ``confluence_client.testing`` (extra ``testing``); neither
is imported here.
"""

from importlib.metadata import version as _version

from confluence_client._client import DEFAULT_MAX_DOWNLOAD_BYTES, ConfluenceClient
from confluence_client._config import (
    DEFAULT_API_GATEWAY_URL,
    Auth,
    BasicAuth,
    Clock,
    Deployment,
    OAuthToken,
    PersonalAccessToken,
    RetryPolicy,
    SystemClock,
    Timeouts,
)
from confluence_client._cql import Cql, quote_cql
from confluence_client._errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ConfluenceError,
    ConfluenceTimeoutError,
    ConnectionFailedError,
    DownloadTooLargeError,
    InvalidCqlError,
    InvalidInputError,
    MalformedResponseError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from confluence_client._events import RequestEvent, RequestObserver
from confluence_client._models import (
    Attachment,
    BodyFormat,
    Comment,
    ContentBody,
    Label,
    Page,
    PageTreeNode,
    PageVersion,
    ResultPage,
    SearchResult,
    Space,
    User,
)
from confluence_client._page_urls import PageRef, parse_page_url

__version__ = _version("confluence-client")

__all__ = [
    "__version__",
    # client
    "ConfluenceClient",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    # configuration
    "Deployment",
    "Auth",
    "BasicAuth",
    "PersonalAccessToken",
    "OAuthToken",
    "DEFAULT_API_GATEWAY_URL",
    "Timeouts",
    "RetryPolicy",
    "Clock",
    "SystemClock",
    "RequestEvent",
    "RequestObserver",
    # models
    "BodyFormat",
    "ContentBody",
    "Page",
    "PageTreeNode",
    "PageVersion",
    "Space",
    "Comment",
    "Label",
    "Attachment",
    "SearchResult",
    "User",
    "ResultPage",
    # CQL and URLs
    "Cql",
    "quote_cql",
    "PageRef",
    "parse_page_url",
    # errors
    "ConfluenceError",
    "ConfigurationError",
    "InvalidInputError",
    "ApiError",
    "BadRequestError",
    "InvalidCqlError",
    "PayloadTooLargeError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitedError",
    "ServerError",
    "DownloadTooLargeError",
    "TransportError",
    "ConfluenceTimeoutError",
    "ConnectionFailedError",
    "MalformedResponseError",
]
