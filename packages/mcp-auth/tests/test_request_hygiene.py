"""`query_carries_credential` and `is_loopback_host`: the rules servers apply to requests."""

from __future__ import annotations

from pathlib import Path

import pytest

from mcp_auth import create_api_key, is_loopback_host, query_carries_credential

JWT_LIKE = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl"


@pytest.mark.parametrize(
    "query",
    [
        b"access_token=abc",
        b"Token=abc",
        b"id_token=",  # named like a credential: refused even when empty
        b"x=1&API_KEY=abc",
        b"apikey=abc",
        b"bearer=abc",
        b"Authorization=Basic%20dXNlcjpwYXNz",
        f"session={JWT_LIKE}".encode(),
        f"q=%20{JWT_LIKE}%20".encode(),  # padded with (encoded) spaces
        f"session={JWT_LIKE}",  # already decoded text
    ],
)
def test_queries_carrying_credentials(query: bytes | str) -> None:
    assert query_carries_credential(query)


@pytest.mark.parametrize(
    "query",
    [b"", "", b"session_id=0f1e2d3c", b"q=roadmap&limit=10", b"cursor=abc.def", b"tokens=3"],
)
def test_queries_without_credentials(query: bytes | str) -> None:
    assert not query_carries_credential(query)


def test_api_keys_are_caught_under_any_parameter_name(tmp_path: Path) -> None:
    for n, prefix in enumerate(["mcpk", "acme"]):
        key = create_api_key(tmp_path / "keys.json", f"k{n}", prefix=prefix).key
        assert query_carries_credential(f"q={key}".encode())
        assert query_carries_credential(f"a=1&cursor={key}")
        assert not query_carries_credential(f"q={key[:-1]}")  # not a key: a shorter secret


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost", True),
        ("LOCALHOST", True),
        ("localhost.", True),
        (" localhost ", True),
        ("127.0.0.1", True),
        ("127.0.0.5", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("[::ffff:127.0.0.1]", True),
        # names under .localhost resolve where the resolver says: not trusted as loopback
        ("api.localhost", False),
        ("localhost.example.com", False),
        ("0.0.0.0", False),  # noqa: S104 - the wildcard is not loopback
        ("::", False),
        ("::ffff:10.0.0.1", False),
        ("10.0.0.1", False),
        ("example.com", False),
        ("", False),
    ],
)
def test_is_loopback_host(host: str, expected: bool) -> None:
    assert is_loopback_host(host) is expected
