"""The SDK loads atlassian-python-api's REST client alone, and the rest stays importable."""

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


def test_the_sdk_does_not_load_every_atlassian_product() -> None:
    out = _run(
        """
        import sys
        import confluence_client._transport
        print(sorted(m for m in ("atlassian.jira", "atlassian.bamboo", "bs4") if m in sys.modules))
        """
    )
    assert out == "[]"


def test_the_application_still_gets_the_whole_library_afterwards() -> None:
    out = _run(
        """
        import confluence_client._transport
        from atlassian import Confluence, Jira
        import atlassian
        from atlassian.rest_client import AtlassianRestAPI
        assert issubclass(Confluence, AtlassianRestAPI) and issubclass(Jira, AtlassianRestAPI)
        try:
            atlassian.no_such_name
        except AttributeError as exc:
            print(exc)
        """
    )
    assert out == "module 'atlassian' has no attribute 'no_such_name'"


def test_an_application_that_imported_atlassian_first_keeps_it() -> None:
    out = _run(
        """
        import atlassian
        import confluence_client._transport
        from confluence_client._atlassian import AtlassianRestAPI
        print(AtlassianRestAPI is atlassian.rest_client.AtlassianRestAPI, atlassian.Jira.__name__)
        """
    )
    assert out == "True Jira"


def test_the_sdk_defers_charset_detection_until_a_response_needs_it() -> None:
    out = _run(
        """
        import sys
        import confluence_client._transport
        import requests
        print("charset_normalizer.api" in sys.modules)
        response = requests.models.Response()
        response._content = "déjà vu, naïve café".encode()
        print(response.apparent_encoding, response.text, "charset_normalizer.api" in sys.modules)
        """
    )
    assert out.splitlines() == ["False", "utf-8 déjà vu, naïve café True"]


def test_an_application_that_imported_charset_normalizer_first_keeps_it() -> None:
    out = _run(
        """
        import charset_normalizer
        import confluence_client._transport
        import requests.compat
        print(requests.compat.chardet is charset_normalizer, "detect" in vars(charset_normalizer))
        """
    )
    assert out == "True True"
