"""Credentials in a URL's query string: MCP forbids them, and URLs end up in logs.

A query carries a credential when a parameter is named like one (`access_token` per RFC 6750
§2.3, and the usual aliases) or when any value is shaped like a bearer token this library
accepts (a JWT or an mcp-auth API key), whatever the parameter is called: a client that puts
a key in `?q=` has leaked it just the same.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from mcp_auth._jwt_shape import looks_like_jwt
from mcp_auth._key_format import parse_api_key

__all__ = ["QUERY_CREDENTIAL_NAMES", "query_carries_credential"]

QUERY_CREDENTIAL_NAMES = frozenset(
    {"access_token", "token", "id_token", "api_key", "apikey", "bearer", "authorization"}
)
"""Parameter names refused whatever their value (compared case-insensitively)."""


def query_carries_credential(query_string: bytes | str) -> bool:
    """True when a parameter of `query_string` is named like a credential or its value looks
    like a JWT or an API key. Takes the raw ASGI `query_string` or its decoded text."""
    if not query_string:
        return False
    text = query_string.decode("latin-1") if isinstance(query_string, bytes) else query_string
    for name, value in parse_qsl(text, keep_blank_values=True):
        if name.strip().lower() in QUERY_CREDENTIAL_NAMES:
            return True
        value = value.strip()
        if value and (looks_like_jwt(value) or parse_api_key(value) is not None):
            return True
    return False
