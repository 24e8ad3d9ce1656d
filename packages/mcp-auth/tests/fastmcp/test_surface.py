import subprocess
import sys

import mcp_auth.fastmcp


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(mcp_auth.fastmcp) if not name.startswith("_")}
    assert set(mcp_auth.fastmcp.__all__) == public
    assert len(mcp_auth.fastmcp.__all__) == len(set(mcp_auth.fastmcp.__all__))


def test_the_core_never_imports_the_fastmcp_integration() -> None:
    code = (
        "import sys, mcp_auth; "
        "assert 'fastmcp' not in sys.modules, 'core imported fastmcp'; "
        "assert 'mcp_auth.fastmcp' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
