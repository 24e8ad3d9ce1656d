"""Refuse text that cannot travel as UTF-8 before a request is built.

A Python ``str`` may hold lone surrogates (``"\\ud800"``, or ``"\\udcff"`` from bytes decoded
with ``surrogateescape``); JSON decoders hand them over from escapes such as ``"\\ud800"``.
They have no UTF-8 form, so a query string or form built from them fails deep inside the HTTP
stack, and a JSON body would carry them to Confluence as escapes it stores as garbage. Checking
every string of a request up front turns that into :class:`InvalidInputError`, like any other
rejected argument, with nothing sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from confluence_client._errors import InvalidInputError

__all__ = ["check_encodable"]


def check_encodable(value: Any, field: str) -> None:
    """Raise :class:`InvalidInputError` naming ``field`` if any string in ``value`` (nested
    lists, tuples and mappings included, keys too) cannot be encoded as UTF-8."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInputError(
                    f"{field} contains text that is not valid Unicode (a lone surrogate "
                    "code point); send well-formed UTF-8 text",
                    field=field,
                ) from None
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
