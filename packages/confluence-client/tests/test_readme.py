"""The README's example runs as written against the fake Confluence."""

from __future__ import annotations

import re
from pathlib import Path

from confluence_client.testing import FakeConfluenceServer

README = Path(__file__).resolve().parents[1] / "README.md"
SITE_CALL = 'ConfluenceClient("https://acme.atlassian.net/wiki", auth)'


def example_code() -> str:
    """The first python block after the README's ``## Example`` heading."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Example\n", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None, "the README's Example section has no python block"
    return found.group(1)


def test_the_readme_example_runs_against_the_demo_seed(
    fake_confluence: FakeConfluenceServer,
) -> None:
    code = example_code()
    assert SITE_CALL in code
    creds = fake_confluence.credentials
    # Only the site and the credentials change. The fake's loopback URL cannot say "Cloud"
    # by itself, so the deployment the README's Atlassian URL implies is passed explicitly.
    code = (
        code.replace(
            SITE_CALL, f'ConfluenceClient("{fake_confluence.wiki_url}", auth, deployment="cloud")'
        )
        .replace('"me@example.com"', repr(creds.username))
        .replace('"<api token>"', repr(creds.api_token))
    )
    [page] = fake_confluence.store.list_pages(title="Release notes 2.4")
    version, body = page.version, page.body
    exec(compile(code, str(README), "exec"), {"__name__": "readme_example"})  # noqa: S102
    [page] = fake_confluence.store.list_pages(title="Release notes 2.4")
    assert page.version == version + 1
    assert page.body == body + "<p>Shipped.</p>"
