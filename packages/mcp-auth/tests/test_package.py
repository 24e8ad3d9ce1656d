import importlib.metadata
import subprocess
import sys

import mcp_auth


def test_version_matches_distribution_metadata() -> None:
    assert mcp_auth.__version__ == importlib.metadata.version("mcp-auth")


def test_public_surface_is_exactly_all() -> None:
    public = {name for name in dir(mcp_auth) if not name.startswith("_")}
    # submodules imported as a side effect are not part of the surface
    public -= {"cli", "fastmcp", "token_store"}
    assert public == set(mcp_auth.__all__) - {"__version__"}
    assert len(mcp_auth.__all__) == len(set(mcp_auth.__all__))
    for name in mcp_auth.__all__:
        assert getattr(mcp_auth, name) is not None


def test_core_imports_without_fastmcp() -> None:
    # Block fastmcp (and mcp) entirely: the core must not need them.
    code = (
        "import sys; sys.modules['fastmcp'] = None; sys.modules['mcp'] = None\n"
        "import mcp_auth, mcp_auth.cli\n"
        "assert 'fastmcp' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_library_knows_nothing_about_confluence() -> None:
    """A generic library: its code, docstrings and README use generic examples."""
    from pathlib import Path

    package = Path(mcp_auth.__file__).parent
    readme = Path(__file__).resolve().parents[1] / "README.md"
    sources = [*sorted(package.rglob("*.py")), readme]
    assert len(sources) > 10
    mentions = [
        str(path) for path in sources if "confluence" in path.read_text(encoding="utf-8").lower()
    ]
    assert mentions == []
