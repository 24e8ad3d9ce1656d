"""The server's errors, and the ONE place SDK errors become MCP errors.

Error tree of this package::

    ConfluenceMCPError          root of everything the server itself raises
    ├── ConfigError (ValueError) invalid or missing configuration; the CLI exits with 2
    │   └── ServiceRefusedError  a command's input was fine but a service said no (Confluence
    │                           refused a token, or the token store failed); the CLI exits
    │                           with 1, as ``check`` does when Confluence refuses
    └── CredentialError         the caller has no usable Confluence credential of its own
                                (per-user modes); its message is meant for the caller

Errors from the SDK (:class:`confluence_client.ConfluenceError` and subclasses) are turned
into client-facing messages by one ordered table of SDK error types (most specific first),
read by :func:`describe_error` and, for ``/readyz``, :func:`readiness_reason`: tools get them as
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
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from fastmcp.exceptions import FastMCPError, ToolError

if TYPE_CHECKING:
    from confluence_client import (
        ApiError,
        ConflictError,
        ConfluenceError,
        InvalidMoveError,
        RateLimitedError,
    )
    from confluence_client.content import AmbiguousSectionError, SectionNotFoundError

__all__ = [
    "ConfigError",
    "ConfluenceMCPError",
    "CredentialError",
    "NOT_FOUND_MESSAGE",
    "ServiceRefusedError",
    "confluence_errors",
    "own_credential_refused",
    "describe_error",
    "is_confluence_error",
    "map_confluence_errors",
    "readiness_reason",
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


class ServiceRefusedError(ConfigError):
    """An admin command was well formed, but Confluence refused (or could not check) the
    token it was given, or the token store failed: exit status 1, not 2 (usage)."""


class CredentialError(ConfluenceMCPError):
    """The caller cannot act in Confluence as itself: no credential bound, an unreadable one,
    or an expired sign-in. The message says what to do and never contains a secret; tools,
    resources and prompts pass it to the caller (see :func:`confluence_errors`)."""

    def __init__(self, message: str, *, sign_in_url: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # Where the user can sign in again (oauth mode), for clients that can open a URL.
        self.sign_in_url = sign_in_url


def is_confluence_error(exc: BaseException) -> bool:
    """Whether ``exc`` is one of the SDK's errors."""
    # Cheap: the SDK package loads only its error classes up front (the client loads lazily).
    from confluence_client import ConfluenceError

    return isinstance(exc, ConfluenceError)


# In the per-user modes a 401 refuses the caller's own credential, not the server's: the
# identity layer binds what that caller should do instead (e.g. sign in again).
_OWN_CREDENTIAL_REFUSED: ContextVar[str | None] = ContextVar(
    "confluence_mcp_own_credential_refused", default=None
)


@contextmanager
def own_credential_refused(message: str | None) -> Iterator[None]:
    """While the block runs, a Confluence 401 is described with ``message`` (the caller's
    own credential was refused); ``None`` keeps the service-account message."""
    token = _OWN_CREDENTIAL_REFUSED.set(message)
    try:
        yield
    finally:
        _OWN_CREDENTIAL_REFUSED.reset(token)


def describe_error(exc: ConfluenceError) -> str:
    """The safe, actionable message a client sees for an SDK error."""
    if _outcome_unknown(exc):
        return _OUTCOME_UNKNOWN
    own = _OWN_CREDENTIAL_REFUSED.get()
    if own is not None and exc.status_code == 401:
        return own
    return _rule_for(exc).message(exc)


# A write whose answer never arrived (or arrived garbled) may have been stored: the SDK does
# not repeat it, and the caller must not either before looking, or the page is written twice.
_OUTCOME_UNKNOWN = (
    "The write may have been applied: Confluence's answer was lost or unreadable, so the "
    "server did not repeat it. Check with get_page (by id, or by title and space_key) before "
    "trying again, so the change is not made twice."
)
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _outcome_unknown(exc: ConfluenceError) -> bool:
    from confluence_client import (
        ConfluenceTimeoutError,
        ConnectionFailedError,
        MalformedResponseError,
    )

    lost = (ConfluenceTimeoutError, ConnectionFailedError, MalformedResponseError)
    return (exc.method or "").upper() in _WRITE_METHODS and isinstance(exc, lost)


def readiness_reason(exc: BaseException) -> str:
    """The short reason ``/readyz`` gives when its probe failed with ``exc``.

    It names the kind of trouble only: never the URL, the user or Confluence's own text.
    """
    if is_confluence_error(exc):
        return _rule_for(exc).readiness  # type: ignore[arg-type]
    if isinstance(exc, TimeoutError):
        return _TIMED_OUT
    return "the readiness check failed"


_CREDENTIALS = "Confluence refused the configured credentials"
_REFUSED = "Confluence refused the readiness check"
_UNREACHABLE = "Confluence is unreachable"
_TIMED_OUT = "Confluence did not answer in time"


@dataclass(frozen=True)
class _Rule:
    """What an SDK error type means to a tool caller and to a readiness probe."""

    error: type[ConfluenceError]
    message: Callable[[Any], str]
    readiness: str


def _fixed(text: str) -> Callable[[object], str]:
    return lambda _exc: text


@functools.cache
def _rules() -> tuple[_Rule, ...]:
    """The one mapping, most specific type first (a test checks that no row is shadowed)."""
    import confluence_client as sdk
    from confluence_client import content

    return (
        _Rule(content.AmbiguousSectionError, _describe_ambiguous_section, _REFUSED),
        _Rule(content.SectionNotFoundError, _describe_missing_section, _REFUSED),
        _Rule(
            content.AmbiguousTextError,
            lambda exc: (
                f"old_text occurs {exc.count} times on the page: pass occurrence "
                f"(1-{exc.count}) to pick one, or quote more of the surrounding text."
            ),
            _REFUSED,
        ),
        _Rule(
            content.TextNotFoundError,
            _fixed(
                "old_text was not found in the page's text. Quote it exactly as get_page shows "
                "it, within one paragraph and without markdown formatting (**, links); for "
                "larger changes use update_page_section."
            ),
            _REFUSED,
        ),
        _Rule(
            content.StorageParseError,
            _fixed(
                "The page body is not well-formed storage XHTML, so it cannot be edited by "
                "section; replace the whole body with update_page instead."
            ),
            _REFUSED,
        ),
        _Rule(content.ContentError, _fixed("The page body could not be converted."), _REFUSED),
        _Rule(
            sdk.InvalidInputError,
            lambda exc: f"Invalid argument {exc.field!r}: {exc.message}",
            _REFUSED,
        ),
        _Rule(
            sdk.InvalidCqlError,
            _fixed(
                "Invalid CQL: Confluence could not parse the query. Check field names, operators "
                'and quoting (e.g. space = "DEMO" AND text ~ "roadmap"), or search plain text.'
            ),
            _REFUSED,
        ),
        _Rule(
            sdk.PayloadTooLargeError,
            _fixed(
                "Too large: Confluence refuses request bodies over its size limit (5 MB). "
                "Shorten the content or split it across pages."
            ),
            _REFUSED,
        ),
        _Rule(sdk.InvalidMoveError, _describe_invalid_move, _REFUSED),
        _Rule(sdk.BadRequestError, _describe_bad_request, _REFUSED),
        _Rule(sdk.ConflictError, _describe_conflict, _REFUSED),
        _Rule(sdk.NotFoundError, _fixed(NOT_FOUND_MESSAGE), _REFUSED),
        _Rule(
            sdk.AuthenticationError,
            _fixed(
                "Confluence rejected the server's credentials (HTTP 401). The server's "
                "administrator must fix its CONFLUENCE_* credentials; retrying will not help."
            ),
            _CREDENTIALS,
        ),
        _Rule(
            sdk.PermissionDeniedError,
            _fixed(
                "Permission denied (HTTP 403): the Confluence account this server uses may not "
                "do this here."
            ),
            _CREDENTIALS,
        ),
        _Rule(
            sdk.RateLimitedError,
            _describe_rate_limit,
            "Confluence is rate limiting this server",
        ),
        _Rule(
            sdk.ServerError,
            _fixed("Confluence is failing (HTTP 5xx); retry in a minute."),
            "Confluence answered with a server error",
        ),
        _Rule(
            sdk.DownloadTooLargeError,
            lambda exc: (
                f"Too large: {exc.size} bytes exceeds this server's limit of {exc.max_bytes} bytes."
            ),
            _REFUSED,
        ),
        _Rule(
            sdk.ConfluenceTimeoutError,
            _fixed("Confluence did not answer in time; retry in a minute."),
            _TIMED_OUT,
        ),
        _Rule(
            sdk.ConnectionFailedError,
            _fixed(
                "Could not reach Confluence; check that it is up and reachable from the server."
            ),
            _UNREACHABLE,
        ),
        _Rule(
            sdk.MalformedResponseError,
            _describe_malformed,
            _UNREACHABLE,
        ),
        _Rule(
            sdk.TransportError,
            _fixed("Could not reach Confluence; retry in a minute."),
            _UNREACHABLE,
        ),
        _Rule(
            sdk.ConfigurationError,
            lambda exc: f"The server's Confluence settings are invalid: {exc.message}",
            _REFUSED,
        ),
        _Rule(sdk.NotSupportedError, lambda exc: f"Not supported: {exc.message}", _REFUSED),
        _Rule(sdk.ConfluenceError, _fixed("The Confluence request failed."), _REFUSED),
    )


def _rule_for(exc: ConfluenceError) -> _Rule:
    # The last row is the SDK's root, so every SDK error finds one.
    return next(rule for rule in _rules() if isinstance(exc, rule.error))


def _describe_rate_limit(exc: RateLimitedError) -> str:
    if exc.retry_after is not None:
        return f"Rate limited by Confluence: retry after {max(1, round(exc.retry_after))} s."
    return "Rate limited by Confluence: retry in about 30 s."


# Recognised Confluence 400 explanations → our own wording (its text is never passed on).
_BAD_REQUEST_HINTS: tuple[tuple[str, str], ...] = (
    (
        "already exists",
        "A page with this title already exists in the space: choose another title, or edit "
        "that page instead (search or get_page by title finds it).",
    ),
    (
        "below itself",
        # Said for a move and for a tree copy alike.
        "A page cannot be moved or copied below itself or one of its own descendants.",
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


_MOVE_REASONS = {
    "other_space": (
        "is in another space; move_page moves within a space (copy_page can copy a page "
        "to another space)"
    ),
    "not_a_page": "is a blog post, and blog posts hold no pages: pick a page or folder",
    "own_descendant": "is below the page itself: a page cannot move under its own descendant",
}


def _describe_invalid_move(exc: InvalidMoveError) -> str:
    why = _MOVE_REASONS.get(exc.reason, "cannot hold it")
    return f"Page {exc.page_id} was not moved: the new parent {exc.parent_id} {why}."


def _describe_ambiguous_section(exc: AmbiguousSectionError) -> str:
    from confluence_mcp.caller import caller_may_read

    # The page's headings are its content: only a caller who may read it is told them.
    if not caller_may_read():
        return f"Several headings match {exc.heading!r}: pass occurrence to pick one."
    return (
        f"{exc.matches} headings match {exc.heading!r}: pass occurrence "
        f"(1-{exc.matches}) to pick one."
    )


def _describe_malformed(exc: ConfluenceError) -> str:
    if "outside Confluence" in exc.message:
        return (
            "Confluence redirected the download to a host outside Confluence; the server "
            "refused to fetch bytes from there."
        )
    return "Confluence sent a response the server could not read; retry later."


def _describe_missing_section(exc: SectionNotFoundError) -> str:
    from confluence_mcp.caller import caller_may_read

    if not caller_may_read():
        return f"No heading matches {exc.heading!r}."
    shown = ", ".join(repr(title) for title in exc.available[:30]) or "none"
    return f"No heading matches {exc.heading!r}. Headings on the page: {shown}."


def _describe_conflict(exc: ConflictError) -> str:
    current, provided = exc.current_version, exc.provided_version
    if exc.resource == "comment":
        # No tool takes a comment's version: the tool reads it again on its next call.
        now = f" (now at version {current})" if current is not None else ""
        return (
            f"Conflict: the comment changed while this call was writing it{now}. Nothing "
            "was written. Read the comments again (list_comments) and retry if still needed."
        )
    if exc.resource == "property" and current is not None and provided is not None:
        return (
            f"Version conflict: the property is now at version {current}, but this change "
            f"was based on version {provided}. Nothing was written. Re-read it with "
            f"get_page_properties and retry with version={current}."
        )
    if exc.resource == "property" and provided is None:
        return (
            "Conflict: the property already exists. Nothing was written. Read its version "
            "with get_page_properties and pass it as version to change it."
        )
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
    except CredentialError as exc:
        raise error_cls(exc.message, log_level=logging.INFO) from None
    except FastMCPError as exc:
        # Raised on purpose (a refusal, a confirmation's first step): an answer for the
        # caller, not a fault of this server, which FastMCP would log at ERROR by default.
        if exc.log_level == logging.ERROR:
            exc.log_level = logging.INFO
        raise
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
