"""Errors raised by the content conversion.

They join the SDK's single hierarchy under :class:`~confluence_client.ConfluenceError`::

    ConfluenceError
    └── ContentError (ValueError)           a page body could not be converted or edited
        ├── StorageParseError                storage XHTML that is not well-formed enough to edit
        └── SectionError (LookupError)       a section edit could not pick exactly one heading
            ├── SectionNotFoundError         no heading matches
            └── AmbiguousSectionError        several headings match and no occurrence was given

Conversions never raise for odd input (unknown or malformed markup degrades to a preserved
raw block); only edits that must understand the document (section replacement) do.
"""

from __future__ import annotations

from collections.abc import Sequence

from confluence_client._errors import ConfluenceError

__all__ = [
    "ContentError",
    "StorageParseError",
    "SectionError",
    "SectionNotFoundError",
    "AmbiguousSectionError",
]


class ContentError(ConfluenceError, ValueError):
    """Root of the content-conversion errors."""


class StorageParseError(ContentError):
    """The storage document is not well-formed XHTML, so it cannot be edited structurally.

    Attributes:
        line: 1-based line of the first problem, when the parser reported one.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class SectionError(ContentError, LookupError):
    """A section edit could not resolve its heading to exactly one section.

    Attributes:
        heading: the heading text or anchor that was asked for.
        available: the headings of the document, in document order (for a helpful reply).
    """

    def __init__(self, message: str, *, heading: str, available: Sequence[str]) -> None:
        super().__init__(message)
        self.heading = heading
        self.available = tuple(available)


class SectionNotFoundError(SectionError):
    """No heading matches the requested text or anchor."""


class AmbiguousSectionError(SectionError):
    """Several headings match; pass ``occurrence`` to choose one.

    Attributes:
        matches: how many headings matched.
    """

    def __init__(
        self, message: str, *, heading: str, available: Sequence[str], matches: int
    ) -> None:
        super().__init__(message, heading=heading, available=available)
        self.matches = matches
