"""The text filters on their own: what goes, and what legitimate text keeps."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confluence_client.content import storage_to_markdown
from confluence_client.testing.seed._demo import corpus_documents
from confluence_mcp.safety import secrets
from confluence_mcp.safety.filter import clean_text, prune_hidden_storage
from confluence_mcp.safety.secrets import redact_secrets

LEGITIMATE = [
    "plain ascii",
    "family \U0001f468\u200d\U0001f469\u200d\U0001f467 heart \u2764\ufe0f",
    "Persian \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "Scotland \U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "```python\nx\n```",
    '```{language="bash" md-schema=none}\nls\n```',
    "caf\u00e9 \u65e5\u672c\u8a9e &#233;",
]


@pytest.mark.parametrize("text", LEGITIMATE)
def test_legitimate_text_is_untouched(text: str) -> None:
    assert clean_text(text) == (text, 0)


@pytest.mark.parametrize(
    ("text", "expected", "removed"),
    [
        ("a\u200bb\u2060c\ufeffd", "abcd", 3),
        ("x\u202eevil\u202c", "xevil", 2),
        ("tag\U000e0041\U000e0042", "tag", 2),
        ("stray a\ufe0fb", "stray ab", 1),
        ("lonely\u200d joiner", "lonely joiner", 1),
        ("entity&#8203;gap &#x200B;", "entitygap ", 2),
        ("```python rm -rf / now\nx\n```", "```python\nx\n```", 1),
        ("```python; rm -rf /\nx\n```", "```\nx\n```", 1),
        ("~~~ do this instead\nx\n~~~", "~~~do\nx\n~~~", 1),
    ],
)
def test_hidden_text_goes(text: str, expected: str, removed: int) -> None:
    assert clean_text(text) == (expected, removed)


# Corpus documents that hide something on purpose: template placeholders (editor-only
# text) and a zero-width space sample.
_NOT_CLEAN = {"template-placeholders": (3, 0), "non-ascii-text": (0, 1)}


@pytest.mark.parametrize(("stem", "storage"), corpus_documents())
def test_corpus_pages_are_clean(stem: str, storage: str) -> None:
    # The content corpus is ordinary wiki content: nothing else in it is hidden or secret.
    pruned, removed = prune_hidden_storage(storage)
    markdown = storage_to_markdown(pruned)
    found = (removed, clean_text(markdown)[1])
    assert found == _NOT_CLEAN.get(stem, (0, 0)), stem
    assert redact_secrets(markdown)[1] == 0


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("key AKIAIOSFODNN7EXAMPLE here", "aws-access-key"),
        ("token ghp_" + "a" * 36, "github-token"),
        ("token ghp\\_" + "B" * 36, "github-token"),
        ("xoxb-1234567890-abcdefghij", "slack-token"),
        ("AIza" + "x" * 35, "google-api-key"),
        ("glpat-" + "y" * 20, "gitlab-token"),
        ("eyJhbGciOiJI.eyJzdWIiOiIx.c2lnbmF0dXJl", "jwt"),
        ("ATATT3" + "z" * 40, "atlassian-token"),
        ("github_pat_" + "d" * 22, "github-token"),
        ("sk_live_" + "s" * 24, "stripe-key"),
        ("rk\\_live\\_" + "s" * 24, "stripe-key"),
        ("sk-proj-" + "o" * 32, "openai-key"),
        ("AWS_SECRET_ACCESS_KEY=" + "w" * 40, "aws-secret-key"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----", "private-key"),
    ],
)
def test_secret_shapes(text: str, kind: str) -> None:
    redacted, count = redact_secrets(text)
    assert count == 1
    assert f"[REDACTED:{kind}]" in redacted


def test_connection_string_keeps_everything_but_the_password() -> None:
    assert redact_secrets("mysql://root:hunter2@db:3306/x") == (
        "mysql://root:[REDACTED:password]@db:3306/x",
        1,
    )
    assert redact_secrets("see https://example.com/a:b and user@example.com") == (
        "see https://example.com/a:b and user@example.com",
        0,
    )


def _every_pattern(text: str) -> tuple[str, int]:
    """Redaction with every pattern run on every text, as if no rule had hints."""
    count = 0
    for rule in secrets._RULES:
        text, found = rule.pattern.subn(rule.replace, text)
        count += found
    return text, count


@pytest.mark.parametrize("rule", secrets._RULES, ids=lambda rule: rule.kind)
@settings(max_examples=60, deadline=None)
@given(data=st.data(), before=st.text(max_size=8), after=st.text(max_size=8))
def test_hints_never_skip_a_secret(
    rule: secrets._Rule, data: st.DataObject, before: str, after: str
) -> None:
    # Any match of the rule's pattern, with whatever text around it.
    secret = data.draw(st.from_regex(rule.pattern, fullmatch=True))
    text = f"{before} {secret} {after}"
    assert redact_secrets(text) == _every_pattern(text)


def test_case_insensitive_secrets_are_found_through_the_hint() -> None:
    assert redact_secrets("\u017fecret_access_key = " + "A" * 40) == (
        "\u017fecret_access_key = [REDACTED:aws-secret-key]",
        1,
    )
