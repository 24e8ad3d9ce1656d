"""Reusable tool parameter types: constraints that stop bad input before Confluence sees it.

Two kinds of constraint, on purpose:

- constraints that tell the model something (id patterns, enums, ranges) are in the JSON
  schema, via ``Field``;
- sanity caps on free text (bodies, URLs, cursors) are enforced by :func:`capped` validators
  that do not appear in the schema: every schema byte is repeated in ``tools/list``.

Titles, space keys and bodies also pass the SDK's own checks (:func:`sdk_rule`) as arguments,
so a path that stops before the SDK call (a dry run, a confirmation preview) refuses exactly
what the call would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from confluence_client import InvalidInputError
from confluence_client.validation import check_body, check_space_key, check_title

__all__ = [
    "BodyFormat",
    "BodyText",
    "ContentType",
    "CreateType",
    "Cursor",
    "Limit",
    "PageId",
    "ReadFormat",
    "ReadType",
    "SpaceKey",
    "Title",
    "Version",
    "capped",
    "id_text",
    "sdk_rule",
]


def capped(max_chars: int, *, allow_empty: bool = True) -> AfterValidator:
    """A validator refusing strings longer than ``max_chars`` (or empty, if not allowed)."""

    def check(value: str) -> str:
        if len(value) > max_chars:
            raise ValueError(f"at most {max_chars} characters allowed, got {len(value)}")
        if not allow_empty and not value.strip():
            raise ValueError("must not be empty")
        return value

    return AfterValidator(check)


def sdk_rule(check: Callable[[str, str], object], field: str) -> AfterValidator:
    """A validator applying one of the SDK's input checks (the value itself is kept: the SDK
    normalises it again when called)."""

    def validate(value: str) -> str:
        try:
            check(value, field)
        except InvalidInputError as exc:
            raise ValueError(exc.message) from None
        return value

    return AfterValidator(validate)


def _int_to_str(value: object) -> object:
    # Clients such as MCP Inspector's CLI send numeric-looking arguments as JSON numbers.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


id_text = BeforeValidator(_int_to_str)
"""Accept a JSON number where an id string is expected (the schema still says string)."""


def _digits(value: str) -> str:
    if not value.isascii() or not value.isdigit():
        raise ValueError("must be a numeric id, e.g. 123456")
    return value


# Checked here (digits only, at most 20) but sent as a bare string: ids are self-explanatory.
# Task, template and comment ids are numeric too and use it, so its message says "id" only.
PageId = Annotated[str, id_text, capped(20, allow_empty=False), AfterValidator(_digits)]
# Global keys are letters, digits and "_"; personal space keys start with "~". The SDK's
# rules are checked here too; the schema only says "a string".
SpaceKey = Annotated[str, capped(255, allow_empty=False), sdk_rule(check_space_key, "space_key")]
# No control characters, at most 255 characters (the SDK's rule).
Title = Annotated[str, capped(255, allow_empty=False), sdk_rule(check_title, "title")]
# Required by every tool that writes a page body or title: without it the last writer would win.
Version = Annotated[int, Field(ge=1, description="Version read with get_page")]
Limit = Annotated[int, Field(ge=1, le=100)]
Cursor = Annotated[str, capped(8000)]
# Confluence refuses bodies over 5 MB; markdown grows a little when converted.
BodyText = Annotated[str, capped(4_000_000, allow_empty=False), sdk_rule(check_body, "body")]
ReadFormat = Literal["markdown", "storage", "view"]
BodyFormat = Literal["markdown", "storage"]
ContentType = Literal["page", "blogpost"]
# create_page may also make a folder (Cloud); folders have no body.
CreateType = Literal["page", "blogpost", "folder"]
# get_page also reads the metadata of the Cloud tree nodes that have no body.
ReadType = Literal["page", "blogpost", "folder", "whiteboard", "database"]
