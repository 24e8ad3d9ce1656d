"""Argument checks run before any request, so bad input never reaches Confluence.

Each helper returns the normalised value or raises :class:`InvalidInputError` naming the field.
"""

from __future__ import annotations

import re
from typing import Literal

from confluence_client._encoding import check_encodable
from confluence_client._errors import InvalidInputError

__all__ = [
    "FILE_NAME_PATTERN",
    "LABEL_NAME_PATTERN",
    "MAX_LIMIT",
    "MAX_TITLE_LENGTH",
    "check_content_id",
    "check_attachment_id",
    "check_space_key",
    "check_limit",
    "check_depth",
    "check_version_number",
    "check_title",
    "check_body",
    "check_label_name",
    "check_file_name",
    "check_text",
]

MAX_LIMIT = 250  # Confluence Cloud v2's page-size ceiling; Data Center caps lower itself
MAX_TITLE_LENGTH = 255
_ID = re.compile(r"[0-9]{1,20}")
_ATTACHMENT_ID = re.compile(r"(?:att)?[0-9]{1,20}")
# Global keys are letters/digits (Cloud allows '_' too); personal spaces are '~' + user name
# or account id, which may contain '-', '.', ':' and '@'.
_SPACE_KEY = re.compile(r"[A-Za-z0-9_]{1,255}|~[A-Za-z0-9_.:@+-]{1,254}")
# The two patterns below are written so that Python, JSON Schema (ECMA-262) and pydantic's
# engine read them alike: the server puts them in its tool schemas, so both refuse the same.
LABEL_NAME_PATTERN = r"^[^\s!#&()*,.:;<>?@\[\]^\x00-\x1f\x7f-\x9f]+$"
# Controls, zero-width and bidi format characters, line separators: none belong in a name
# (a right-to-left override makes "evil\u202egpj.exe" read as "evilexe.jpg").
_DISGUISING = r"\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
FILE_NAME_PATTERN = rf"^[^/\\{_DISGUISING}]+$"
_LABEL = re.compile(LABEL_NAME_PATTERN)
_DISGUISED = re.compile(f"[{_DISGUISING}]")
# Unicode's "Cc" class: C0, DEL and C1. Checking only below 32 let DEL and C1 through.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_content_id(value: str | int, field: str = "page_id") -> str:
    """A page/comment/space id: digits only (ints accepted), returned as a string."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInputError(
            f"{field} must be a numeric id, got {_describe(value)}", field=field
        )
    text = str(value).strip()
    if not _ID.fullmatch(text) or int(text) == 0:
        raise InvalidInputError(
            f"{field} must be a numeric id, got {_describe(value)}", field=field
        )
    return text


def check_attachment_id(value: str | int, field: str = "attachment_id") -> str:
    """An attachment id: digits, optionally prefixed ``att`` (as Cloud writes them)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidInputError(
            f"{field} must be an attachment id, got {_describe(value)}", field=field
        )
    text = str(value).strip()
    if not _ATTACHMENT_ID.fullmatch(text):
        raise InvalidInputError(
            f"{field} must be an attachment id, got {_describe(value)}", field=field
        )
    return text


def check_space_key(value: str, field: str = "space_key") -> str:
    """A space key: letters/digits/underscore, or ``~`` plus a personal-space owner."""
    if not isinstance(value, str) or not _SPACE_KEY.fullmatch(value.strip()):
        raise InvalidInputError(
            f"{field} is not a valid space key: {_describe(value)}", field=field
        )
    return value.strip()


def check_limit(value: int, field: str = "limit", *, maximum: int = MAX_LIMIT) -> int:
    """A page size between 1 and ``maximum``."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise InvalidInputError(
            f"{field} must be an integer from 1 to {maximum}, got {_describe(value)}", field=field
        )
    return value


def check_depth(value: int, field: str = "max_depth", *, maximum: int = 100) -> int:
    """A tree depth: 0 (the roots only) to ``maximum`` levels below them."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise InvalidInputError(
            f"{field} must be an integer from 0 to {maximum}, got {_describe(value)}", field=field
        )
    return value


def check_version_number(value: int, field: str = "version") -> int:
    """A version number: a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError(
            f"{field} must be a positive integer, got {_describe(value)}", field=field
        )
    return value


def check_title(value: str, field: str = "title") -> str:
    """A page title: non-blank, at most 255 characters, no control characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"{field} must be a non-empty string", field=field)
    if len(value) > MAX_TITLE_LENGTH:
        raise InvalidInputError(
            f"{field} is longer than {MAX_TITLE_LENGTH} characters", field=field
        )
    _refuse_controls(value, field)
    check_encodable(value, field)
    return value.strip()


def _refuse_controls(value: str, field: str) -> None:
    control = _CONTROL.search(value)
    if control is not None:
        raise InvalidInputError(
            f"{field} must not contain control characters"
            f" (found U+{ord(control.group()):04X} at position {control.start()})",
            field=field,
        )


def check_body(value: str, field: str = "body") -> str:
    """A storage-format body: any string (empty is a valid empty page)."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{field} must be a string of storage-format XHTML", field=field)
    check_encodable(value, field)
    return value


def check_label_name(value: str, field: str = "label") -> str:
    """A label: no whitespace, control characters or reserved punctuation; stored lower-cased."""
    if (
        not isinstance(value, str)
        or len(value.strip()) > MAX_TITLE_LENGTH
        or not _LABEL.fullmatch(value.strip())
    ):
        raise InvalidInputError(
            f"{field} is not a valid label name: {_describe(value)}", field=field
        )
    return value.strip().lower()


def check_file_name(value: str, field: str = "filename") -> str:
    """An attachment's file name: a title with no path separator or disguising character."""
    name = check_title(value, field)
    if "/" in name or "\\" in name:
        raise InvalidInputError(f"{field} must not contain path separators", field=field)
    hidden = _DISGUISED.search(name)
    if hidden is not None:
        raise InvalidInputError(
            f"{field} must not contain control, zero-width or bidirectional-override "
            f"characters (found U+{ord(hidden.group()):04X} at position {hidden.start()})",
            field=field,
        )
    return name


def check_text(
    value: str,
    field: str,
    *,
    max_length: int = 1000,
    controls: Literal["refuse", "blank"] = "refuse",
) -> str:
    """Text such as a key, a user id or search terms: non-blank and bounded.

    Control characters (C0, DEL, C1) are refused, naming the code point and position, unless
    ``controls="blank"``: search text and CQL then get a space for each, as CQL literals do
    (Confluence's search reads them as word breaks; a name or an id has no such reading).
    """
    if not isinstance(value, str):
        raise InvalidInputError(f"{field} must be a non-empty string", field=field)
    if controls == "blank":
        value = _CONTROL.sub(" ", value)
    if not value.strip():
        raise InvalidInputError(f"{field} must be a non-empty string", field=field)
    if len(value) > max_length:
        raise InvalidInputError(f"{field} is longer than {max_length} characters", field=field)
    _refuse_controls(value, field)
    check_encodable(value, field)
    return value.strip()
