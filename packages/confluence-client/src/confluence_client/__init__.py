"""Typed async SDK for Confluence Cloud and Data Center.

Storage-format <-> markdown conversion lives in the ``confluence_client.content`` subpackage
and the fake Confluence server in ``confluence_client.testing`` (extra ``testing``); neither
is imported here.

Only the error classes load with the package. The rest loads on first use (module
``__getattr__``, as FastMCP does): the client pulls in ``atlassian-python-api`` and
``requests``, and code that only catches the SDK's errors should not pay for them.
"""

import importlib
import typing

from confluence_client._errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    ConfluenceError,
    ConfluenceTimeoutError,
    ConnectionFailedError,
    ContentTypeMismatchError,
    DownloadTooLargeError,
    InvalidCqlError,
    InvalidInputError,
    InvalidMoveError,
    MalformedResponseError,
    NotFoundError,
    NotSupportedError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TransportError,
)

if typing.TYPE_CHECKING:
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
    from confluence_client._endpoint import infer_deployment
    from confluence_client._events import RequestEvent, RequestObserver
    from confluence_client._models import (
        Attachment,
        BodyFormat,
        Comment,
        ContentBody,
        ContentProperty,
        ContentType,
        Label,
        LongTask,
        Page,
        PageRestrictions,
        PageTreeNode,
        PageVersion,
        PageViews,
        ResultPage,
        SearchResult,
        Space,
        SpacePermission,
        Task,
        Template,
        User,
    )
    from confluence_client._page_urls import PageRef, parse_page_url

    __version__: str

# Public name -> the private module that defines it, imported on first access.
_LAZY: dict[str, str] = {
    **dict.fromkeys(["DEFAULT_MAX_DOWNLOAD_BYTES", "ConfluenceClient"], "_client"),
    **dict.fromkeys(
        [
            "DEFAULT_API_GATEWAY_URL",
            "Auth",
            "BasicAuth",
            "Clock",
            "Deployment",
            "OAuthToken",
            "PersonalAccessToken",
            "RetryPolicy",
            "SystemClock",
            "Timeouts",
        ],
        "_config",
    ),
    **dict.fromkeys(["Cql", "quote_cql"], "_cql"),
    "infer_deployment": "_endpoint",
    **dict.fromkeys(["RequestEvent", "RequestObserver"], "_events"),
    **dict.fromkeys(
        [
            "Attachment",
            "BodyFormat",
            "Comment",
            "ContentBody",
            "ContentProperty",
            "ContentType",
            "Label",
            "LongTask",
            "Page",
            "PageTreeNode",
            "PageRestrictions",
            "PageVersion",
            "PageViews",
            "ResultPage",
            "SearchResult",
            "Space",
            "SpacePermission",
            "Task",
            "Template",
            "User",
        ],
        "_models",
    ),
    **dict.fromkeys(["PageRef", "parse_page_url"], "_page_urls"),
}


def __getattr__(name: str) -> typing.Any:
    if name == "__version__":
        from importlib.metadata import version

        value: typing.Any = version("confluence-client")
    elif name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "__version__",
    # client
    "ConfluenceClient",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    # configuration
    "Deployment",
    "infer_deployment",
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
    "ContentProperty",
    "ContentType",
    "Page",
    "PageTreeNode",
    "PageRestrictions",
    "PageVersion",
    "PageViews",
    "Space",
    "SpacePermission",
    "Task",
    "Template",
    "Comment",
    "Label",
    "LongTask",
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
    "InvalidMoveError",
    "PayloadTooLargeError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ContentTypeMismatchError",
    "ConflictError",
    "RateLimitedError",
    "ServerError",
    "DownloadTooLargeError",
    "NotSupportedError",
    "TransportError",
    "ConfluenceTimeoutError",
    "ConnectionFailedError",
    "MalformedResponseError",
]
