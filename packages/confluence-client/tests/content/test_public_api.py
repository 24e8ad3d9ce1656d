"""The public surface of ``confluence_client.content``."""

from __future__ import annotations

import confluence_client.content as content


def test_all_is_exactly_the_public_surface() -> None:
    public = {name for name in dir(content) if not name.startswith("_")}
    assert set(content.__all__) == public
    assert set(content.__all__) == {
        "storage_to_markdown",
        "markdown_to_storage",
        "view_to_markdown",
        "Section",
        "list_sections",
        "get_section",
        "replace_section",
        "canonicalize_storage",
        "storage_equivalent",
        "StorageElement",
        "replace_text",
        "TextNotFoundError",
        "AmbiguousTextError",
        "prune_storage",
        "ContentError",
        "StorageParseError",
        "SectionError",
        "SectionNotFoundError",
        "AmbiguousSectionError",
    }


def test_errors_form_one_tree_under_the_sdk_root() -> None:
    from confluence_client import ConfluenceError

    assert issubclass(content.ContentError, ConfluenceError)
    assert issubclass(content.ContentError, ValueError)
    for error in (content.StorageParseError, content.SectionError):
        assert issubclass(error, content.ContentError)
    for section_error in (content.SectionNotFoundError, content.AmbiguousSectionError):
        assert issubclass(section_error, content.SectionError)


def test_converting_a_page_loads_neither_sections_nor_view_parsers() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from confluence_client.content import storage_to_markdown\n"
        "storage_to_markdown('<h1>a</h1><p>b <strong>c</strong></p>')\n"
        "print(sorted(m for m in ('lxml.html', 'xml.parsers.expat', "
        "'confluence_client.content._sections', 'confluence_client.content._view', "
        "'confluence_client.content._replace_text') if m in sys.modules))\n"
        "from confluence_client.content import get_section, view_to_markdown\n"
        "print(get_section.__module__, view_to_markdown.__module__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.splitlines() == [
        "[]",
        "confluence_client.content._sections confluence_client.content._view",
    ]
