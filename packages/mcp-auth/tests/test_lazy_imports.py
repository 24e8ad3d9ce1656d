"""JWT, introspection, key files and usage reports load on first use: a server that never
verifies JWTs (or keys) never pays."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip()


def test_importing_the_package_loads_neither_jwt_nor_introspection() -> None:
    out = _run(
        """
        import sys
        import mcp_auth
        print(sorted(m for m in ("jwt", "mcp_auth._jwt", "mcp_auth._introspection",
                                 "mcp_auth._api_keys", "mcp_auth._api_key_verifier",
                                 "mcp_auth._chain", "mcp_auth._usage", "gzip")
                     if m in sys.modules))
        """
    )
    assert out == "[]"


def test_the_lazy_names_resolve_on_first_use() -> None:
    out = _run(
        """
        import mcp_auth
        from mcp_auth import JWTVerifier, looks_like_jwt
        from mcp_auth._introspection import IntrospectionVerifier
        assert mcp_auth.IntrospectionVerifier is IntrospectionVerifier
        assert {"JWTVerifier", "IntrospectionVerifier"} <= set(dir(mcp_auth))
        print(JWTVerifier.__name__, looks_like_jwt("a.b.c"), looks_like_jwt("nope"))
        try:
            mcp_auth.NoSuchName
        except AttributeError as exc:
            print(exc)
        """
    )
    assert out.splitlines() == [
        "JWTVerifier True False",
        "module 'mcp_auth' has no attribute 'NoSuchName'",
    ]


def test_every_public_name_resolves() -> None:
    out = _run(
        """
        import mcp_auth
        from mcp_auth import ChainVerifier, create_api_key, build_usage_report
        from mcp_auth._chain import ChainVerifier as Original
        assert ChainVerifier is Original
        print(all(getattr(mcp_auth, name) is not None for name in mcp_auth.__all__))
        """
    )
    assert out == "True"
