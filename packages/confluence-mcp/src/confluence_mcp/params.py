"""Reusable tool parameter types: constraints that stop bad input before Confluence sees it.

Descriptions are short on purpose: every byte is repeated in ``tools/list``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

__all__ = [
    "BodyFormat",
    "Cursor",
    "Limit",
    "PageId",
    "ReadFormat",
    "SpaceKey",
    "Title",
    "Version",
]

PageId = Annotated[str, Field(pattern=r"^[0-9]{1,20}$")]
# Global keys are letters, digits and "_"; personal space keys start with "~". The SDK checks
# the exact rules again before any request.
SpaceKey = Annotated[str, Field(max_length=255, pattern=r"^~?[A-Za-z0-9_.:@+-]+$")]
Title = Annotated[str, Field(min_length=1, max_length=255)]
Version = Annotated[int, Field(ge=1, description="Version you read (from get_page)")]
Limit = Annotated[int, Field(ge=1, le=100)]
Cursor = Annotated[str, Field(max_length=2000)]
ReadFormat = Literal["markdown", "storage", "view"]
BodyFormat = Literal["markdown", "storage"]
