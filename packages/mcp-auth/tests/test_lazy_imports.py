"""JWT and introspection load on first use: a server that never verifies JWTs never pays."""

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
        print(sorted(m for m in ("jwt", "mcp_auth._jwt", "mcp_auth._introspection")
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
