"""Python 3.10 stand-ins for the 3.11 features this library uses (it supports 3.10+).

Each name is the standard one on 3.11+, so the code reads the same and 3.11 behaviour is
kept exactly; 3.10 gets a small equivalent.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from enum import Enum

__all__ = ["StrEnum", "parse_datetime"]

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:

    class StrEnum(str, Enum):
        """`enum.StrEnum` (3.11): members are strings and print as their value."""

        def __str__(self) -> str:
            return str.__str__(self)

        def __format__(self, format_spec: str) -> str:
            return str.__format__(self, format_spec)


# 3.10's fromisoformat takes only what isoformat() writes: no "Z", no "+HHMM", and a fraction
# of exactly 3 or 6 digits. All three show up in tokens, headers and user input.
_FRACTION = re.compile(r"(\.\d+)(?=[+-]\d\d:?\d\d$|$)")
_BARE_OFFSET = re.compile(r"([+-]\d\d)(\d\d)$")


if sys.version_info >= (3, 11):

    def parse_datetime(text: str) -> datetime:
        """`datetime.fromisoformat`, which takes a ``Z`` suffix and any fraction from 3.11 on.
        Raises `ValueError` on invalid text."""
        return datetime.fromisoformat(text)

else:

    def parse_datetime(text: str) -> datetime:
        """`datetime.fromisoformat` with 3.11's handling of ``Z``, ``+HHMM`` and fractions
        of any length. Raises `ValueError` on invalid text."""
        value = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
        if "T" in value or " " in value:  # a date alone ("2024-01-02") has no offset to fix
            value = _BARE_OFFSET.sub(r"\1:\2", value)
        value = _FRACTION.sub(lambda m: (m.group(1) + "000000")[:7], value, count=1)
        return datetime.fromisoformat(value)
