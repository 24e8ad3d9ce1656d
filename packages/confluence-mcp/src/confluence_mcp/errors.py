"""The server's errors, and the ONE place SDK errors become MCP errors.

Error tree of this package::

    ConfluenceMCPError          root of everything the server itself raises
    └── ConfigError (ValueError) invalid or missing configuration; the CLI exits with 2

Errors from the SDK (:class:`confluence_client.ConfluenceError` and subclasses) are turned
into client-facing messages by :func:`describe_error` only: tools get them as
:class:`fastmcp.exceptions.ToolError` through :func:`map_confluence_errors` (applied by
:func:`confluence_mcp.registry.confluence_tool`), resources and prompts through
``with confluence_errors(ResourceError): ...``. Messages say what happened and what to do;
they never carry stack traces, credentials or Confluence's response bodies. Anything that is not
a Confluence error is left to FastMCP, which masks it (``mask_error_details=True``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from fastmcp.exceptions import FastMCPError, ToolError

if TYPE_CHECKING:
    from confluence_client import ApiError, ConflictError, ConfluenceError

__all__ = [
    "ConfigError",
    "ConfluenceMCPError",
    "NOT_FOUND_MESSAGE",
    "confluence_errors",
    "describe_error",
    "is_confluence_error",
    "map_confluence_errors",
    "to_tool_error",
]

P = ParamSpec("P")
R = TypeVar("R")

NOT_FOUND_MESSAGE = (
    "Not found: no such page, space or item is visible to this server. Check the id, title "
    "or space key (search can find it)."
)


class ConfluenceMCPError(Exception):
    """Root of the errors raised by :mod:`confluence_mcp` itself."""


class ConfigError(ConfluenceMCPError, ValueError):
    """The configuration is invalid or incomplete.

    The message names the environment variable(s) and the fix, one problem per line.
    """


def is_confluence_error(exc: BaseException) -> bool:
    """Whether ``exc`` comes from the SDK (checked without importing the SDK eagerly)."""
    # The SDK is loaded by the time one of its errors exists; never import it just to check.
    return any(
        cls.__module__.startswith("confluence_client") and cls.__name__ == "ConfluenceError"
        for cls in type(exc).__mro__
    )


def describe_error(exc: ConfluenceError) -> str:
    """The safe, actionable message a client sees for an SDK error."""
    import confluence_client as sdk

    if type(exc).__module__.startswith("confluence_client.content"):
        return _describe_content_error(exc)
    if isinstance(exc, sdk.InvalidInputError):
        return f"Invalid argument {exc.field!r}: {exc.message}"
    if isinstance(exc, sdk.InvalidCqlError):
        return (
            "Invalid CQL: Confluence could not parse the query. Check field names, operators "
            'and quoting (e.g. space = "DEMO" AND text ~ "roadmap"), or search plain text.'
        )
    if isinstance(exc, sdk.PayloadTooLargeError):
        return (
            "Too large: Confluence refuses request bodies over its size limit (5 MB). "
            "Shorten the content or split it across pages."
        )
    if isinstance(exc, sdk.ConflictError):
        return _describe_conflict(exc)
    if isinstance(exc, sdk.NotFoundError):
        return NOT_FOUND_MESSAGE
    if isinstance(exc, sdk.AuthenticationError):
        return (
            "Confluence rejected the server's credentials (HTTP 401). The server's "
            "administrator must fix its CONFLUENCE_* credentials; retrying will not help."
        )
    if isinstance(exc, sdk.PermissionDeniedError):
        return (
            "Permission denied (HTTP 403): the Confluence account this server uses may not "
            "do this here."
        )
    if isinstance(exc, sdk.RateLimitedError):
        if exc.retry_after is not None:
            return f"Rate limited by Confluence: retry after {max(1, round(exc.retry_after))} s."
        return "Rate limited by Confluence: retry in about 30 s."
    if isinstance(exc, sdk.BadRequestError):
        return _describe_bad_request(exc)
    if isinstance(exc, sdk.ServerError):
        return "Confluence is failing (HTTP 5xx); retry in a minute."
    if isinstance(exc, sdk.DownloadTooLargeError):
        return f"Too large: {exc.size} bytes exceeds this server's limit of {exc.max_bytes} bytes."
    if isinstance(exc, sdk.ConfluenceTimeoutError):
        return "Confluence did not answer in time; retry in a minute."
    if isinstance(exc, sdk.ConnectionFailedError):
        return "Could not reach Confluence; check that it is up and reachable from the server."
    if isinstance(exc, sdk.MalformedResponseError):
        return "Confluence sent a response the server could not read; retry later."
    if isinstance(exc, sdk.ConfigurationError):
        return f"The server's Confluence settings are invalid: {exc.message}"
    return "The Confluence request failed."


# Recognised Confluence 400 explanations → our own wording (its text is never passed on).
_BAD_REQUEST_HINTS: tuple[tuple[str, str], ...] = (
    (
        "already exists",
        "A page with this title already exists in the space: choose another title, or edit "
        "that page instead (search or get_page by title finds it).",
    ),
    (
        "below itself",
        "A page cannot be moved below itself or one of its own descendants.",
    ),
    (
        "parsing xhtml",
        "Confluence could not parse the body as storage XHTML: send markdown "
        "(body_format=markdown) or well-formed storage.",
    ),
)


def _describe_bad_request(exc: ApiError) -> str:
    said = f"{exc.detail or ''} {exc.message}".lower()
    for needle, message in _BAD_REQUEST_HINTS:
        if needle in said:
            return message
    return "Confluence rejected the request as invalid (HTTP 400). Check the arguments."


def _describe_content_error(exc: ConfluenceError) -> str:
    from confluence_client import content

    if isinstance(exc, content.AmbiguousSectionError):
        return (
            f"{exc.matches} headings match {exc.heading!r}: pass occurrence "
            f"(1-{exc.matches}) to pick one."
        )
    if isinstance(exc, content.SectionNotFoundError):
        shown = ", ".join(repr(title) for title in exc.available[:30]) or "none"
        return f"No heading matches {exc.heading!r}. Headings on the page: {shown}."
    if isinstance(exc, content.StorageParseError):
        return (
            "The page body is not well-formed storage XHTML, so it cannot be edited by "
            "section; replace the whole body with update_page instead."
        )
    return "The page body could not be converted."


def _describe_conflict(exc: ConflictError) -> str:
    current, provided = exc.current_version, exc.provided_version
    if current is not None and provided is not None:
        return (
            f"Version conflict: the page is now at version {current}, but this edit was based "
            f"on version {provided}. Nothing was written. Re-read the page with get_page, "
            f"re-apply the change, and retry with version={current}."
        )
    return (
        "Conflict: Confluence refused the change because it clashes with the current state "
        "(for example, a page with that title already exists in the space)."
    )


def _log_level(exc: ConfluenceError) -> int:
    # The caller's mistakes are routine; trouble with Confluence itself deserves attention.
    status = exc.status_code
    if status is None or status >= 500 or status in (401, 429):
        return logging.WARNING
    return logging.INFO


def to_tool_error(exc: ConfluenceError) -> ToolError:
    """The :class:`ToolError` for an SDK error (message from :func:`describe_error`)."""
    return ToolError(describe_error(exc), log_level=_log_level(exc))


@contextmanager
def confluence_errors(error_cls: type[FastMCPError] = ToolError) -> Iterator[None]:
    """Re-raise SDK errors in the block as ``error_cls`` with the safe message.

    Use ``ResourceError`` in resource handlers and ``PromptError`` in prompts: FastMCP masks
    any other exception type there.
    """
    try:
        yield
    except Exception as exc:
        if not is_confluence_error(exc):
            raise
        sdk_exc: ConfluenceError = exc  # type: ignore[assignment]
        raise error_cls(describe_error(sdk_exc), log_level=_log_level(sdk_exc)) from None


def map_confluence_errors(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Wrap an async tool so SDK errors leave it as :class:`ToolError`.

    ``functools.wraps`` keeps the signature and type hints FastMCP builds the schema from.
    """

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with confluence_errors(ToolError):
            return await fn(*args, **kwargs)

    return wrapper
