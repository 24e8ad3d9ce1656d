"""Secret redaction: well-known credential shapes never reach the model.

Each match becomes ``[REDACTED:<kind>]``. The patterns are deliberately specific (known
prefixes, fixed lengths, PEM armour, ``scheme://user:password@host``) so ordinary prose and
identifiers are left alone. Markdown escapes underscores (``ghp\\_...``); the patterns accept
that spelling too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["SECRET_KINDS", "redact_secrets"]

_U = r"\\?_"  # an underscore, possibly escaped by the markdown converter
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?"
            r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
            re.DOTALL,
        ),
    ),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    (
        "aws-secret-key",
        re.compile(
            rf"(?i:aws{_U}secret{_U}access{_U}key|secret{_U}access{_U}key)\s*[\"']?\s*[:=]\s*"
            r"[\"']?(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
    ),
    (
        "github-token",
        re.compile(
            rf"\b(?:gh[pousr]{_U}[A-Za-z0-9]{{36,255}}|github{_U}pat{_U}[A-Za-z0-9_\\]{{22,255}})"
        ),
    ),
    ("gitlab-token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("stripe-key", re.compile(rf"\b[sr]k{_U}live{_U}[A-Za-z0-9]{{24,}}")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("atlassian-token", re.compile(r"\bATATT3[A-Za-z0-9_=-]{30,}")),
    ("openai-key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
)
# scheme://user:password@host: only the password goes.
_URL_PASSWORD = re.compile(
    r"\b(?P<keep>[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s:/@]{1,100}:)(?P<secret>[^\s@/]{1,200})@"
)

SECRET_KINDS: tuple[str, ...] = (*(kind for kind, _ in _PATTERNS), "password")


def redact_secrets(text: str) -> tuple[str, int]:
    """``text`` with secrets replaced by ``[REDACTED:<kind>]``; returns (text, count)."""
    count = 0
    for kind, pattern in (*_PATTERNS, ("password", _URL_PASSWORD)):
        text, n = pattern.subn(_replacer(kind), text)
        count += n
    return text, count


def _replacer(kind: str) -> Callable[[re.Match[str]], str]:
    marker = f"[REDACTED:{kind}]"

    def replace(match: re.Match[str]) -> str:
        # Patterns with a ``secret`` group keep their context (``key = ``, ``user:``...@).
        if "secret" not in match.re.groupindex:
            return marker
        whole, start = match.group(0), match.start()
        return (
            whole[: match.start("secret") - start] + marker + whole[match.end("secret") - start :]
        )

    return replace
