"""Small helpers shared by the v1 and v2 JSON parsers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from confluence_client._errors import MalformedResponseError
from confluence_client._models import Label

__all__ = ["parsed", "text", "obj", "ident", "absolute_link", "parse_label"]

M = TypeVar("M")


def parsed(build: Callable[[], M], what: str) -> M:
    """Run a model constructor, turning missing or mistyped fields into a clear error."""
    try:
        return build()
    except (ValidationError, KeyError, TypeError, ValueError) as exc:
        raise MalformedResponseError(f"Confluence returned an unexpected {what} shape") from exc


def obj(data: Any, key: str) -> dict[str, Any]:
    """``data[key]`` if it is an object, else an empty dict."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def text(data: Any, key: str) -> str | None:
    """``data[key]`` as a string (numbers converted), or ``None``."""
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | str):
        return str(value)
    return None


def ident(data: Any, key: str = "id") -> str:
    """A required id field as a string."""
    value = text(data, key)
    if value is None:
        raise KeyError(key)
    return value


def absolute_link(site_url: str, links: dict[str, Any], key: str) -> str | None:
    """``_links[key]`` made absolute against the site (Confluence sends them relative)."""
    value = links.get(key)
    if not isinstance(value, str) or not value:
        return None
    if value.startswith(("http://", "https://")):
        return value
    return site_url.rstrip("/") + "/" + value.lstrip("/")


def parse_label(data: dict[str, Any]) -> Label:
    """A label: v1 and v2 share its shape."""
    return parsed(
        lambda: Label(
            name=data["name"], prefix=text(data, "prefix") or "global", id=text(data, "id")
        ),
        "label",
    )
