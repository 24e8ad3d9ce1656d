import importlib.metadata

import mcp_auth


def test_version_matches_distribution_metadata() -> None:
    assert mcp_auth.__version__ == importlib.metadata.version("mcp-auth")
