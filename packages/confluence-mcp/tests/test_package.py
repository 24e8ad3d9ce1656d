import importlib.metadata

import confluence_mcp


def test_version_matches_distribution_metadata() -> None:
    assert confluence_mcp.__version__ == importlib.metadata.version("confluence-mcp")
