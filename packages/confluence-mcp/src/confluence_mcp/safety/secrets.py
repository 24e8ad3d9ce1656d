"""Secret redaction: well-known credential shapes never reach the model.

Each match becomes ``[REDACTED:<kind>]``. The patterns are deliberately specific (known
prefixes, fixed lengths, PEM armour, ``scheme://user:password@host``) so ordinary prose and
identifiers are left alone. Markdown escapes underscores (``ghp\\_...``); the patterns accept
that spelling too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["SECRET_KINDS", "redact_secrets"]

_U = r"\\?_"  # an underscore, possibly escaped by the markdown converter


@dataclass(frozen=True)
class _Rule:
    """A secret shape, and literals one of which every match contains (its hints).

    A text holding none of a rule's hints is not searched with the rule's pattern: most text
    holds no secret, and a substring test costs far less than a regex scan that checks a word
    boundary at every position. With ``fold``, the hints are looked for in ``casefold()`` of
    the text: casefolding maps every character that ``re.IGNORECASE`` equates with an ASCII
    letter (the long s U+017F, the Kelvin sign) to that letter, so no match is missed.
    """

    kind: str
    pattern: re.Pattern[str]
    hints: tuple[str, ...]
    fold: bool = False

    def replace(self, match: re.Match[str]) -> str:
        marker = f"[REDACTED:{self.kind}]"
        # Patterns with a ``secret`` group keep their context (``key = ``, ``user:``...@).
        if "secret" not in match.re.groupindex:
            return marker
        whole, start = match.group(0), match.start()
        return (
            whole[: match.start("secret") - start] + marker + whole[match.end("secret") - start :]
        )


_RULES: tuple[_Rule, ...] = (
    _Rule(
        "private-key",
        re.compile(
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?"
            r"-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
            re.DOTALL,
        ),
        ("-----BEGIN ",),
    ),
    _Rule(
        "aws-access-key",
        re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b"),
        ("AKIA", "ASIA", "ABIA", "ACCA"),
    ),
    _Rule(
        "aws-secret-key",
        re.compile(
            rf"(?i:aws{_U}secret{_U}access{_U}key|secret{_U}access{_U}key)\s*[\"']?\s*[:=]\s*"
            r"[\"']?(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
        ),
        ("secret",),
        fold=True,
    ),
    _Rule(
        "github-token",
        re.compile(
            rf"\b(?:gh[pousr]{_U}[A-Za-z0-9]{{36,255}}|github{_U}pat{_U}[A-Za-z0-9_\\]{{22,255}})"
        ),
        ("ghp", "gho", "ghu", "ghs", "ghr", "github"),
    ),
    _Rule("gitlab-token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}"), ("glpat-",)),
    _Rule("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), ("xox",)),
    _Rule(
        "stripe-key", re.compile(rf"\b[sr]k{_U}live{_U}[A-Za-z0-9]{{24,}}"), ("k_live", "k\\_live")
    ),
    _Rule("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}"), ("AIza",)),
    _Rule("atlassian-token", re.compile(r"\bATATT3[A-Za-z0-9_=-]{30,}"), ("ATATT3",)),
    _Rule("openai-key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}"), ("sk-",)),
    _Rule(
        "jwt",
        re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
        ("eyJ",),
    ),
    # scheme://user:password@host: only the password goes.
    _Rule(
        "password",
        re.compile(
            r"\b(?P<keep>[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s:/@]{1,100}:)(?P<secret>[^\s@/]{1,200})@"
        ),
        ("://",),
    ),
)

SECRET_KINDS: tuple[str, ...] = tuple(rule.kind for rule in _RULES)


def redact_secrets(text: str) -> tuple[str, int]:
    """``text`` with secrets replaced by ``[REDACTED:<kind>]``; returns (text, count)."""
    count = 0
    folded: str | None = None
    for rule in _RULES:
        if rule.fold:
            if folded is None:
                folded = text.casefold()
            haystack = folded
        else:
            haystack = text
        for hint in rule.hints:
            if hint in haystack:
                break
        else:
            continue
        text, found = rule.pattern.subn(rule.replace, text)
        if found:
            count += found
            folded = None
    return text, count
