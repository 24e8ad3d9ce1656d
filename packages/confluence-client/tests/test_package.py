import importlib.metadata

import confluence_client


def test_version_matches_distribution_metadata() -> None:
    assert confluence_client.__version__ == importlib.metadata.version("confluence-client")
