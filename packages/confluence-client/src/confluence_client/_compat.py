"""3.11's StrEnum and `datetime.fromisoformat` ("Z", "+HHMM", any fraction), backported on 3.10."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime

__all__ = ["StrEnum", "parse_datetime"]

if sys.version_info >= (3, 11):
    from enum import StrEnum

    parse_datetime = datetime.fromisoformat
else:
    from backports.datetime_fromisoformat import datetime_fromisoformat
    from backports.strenum import StrEnum

    parse_datetime: Callable[[str], datetime] = datetime_fromisoformat
