"""The one definition of the API key format: `<prefix>_<id>_<secret>`.

- `prefix`: 2-16 lowercase letters or digits, starting with a letter; names the issuer
  (default "mcpk"), so a leaked key is easy to recognise in a secret scanner.
- `id`: 16 lowercase hex characters (64 random bits); finds the stored record without a scan.
- `secret`: 43 base62 characters (~256 bits); proves possession.

The issuer (`create_api_key`), the verifier (`parse_api_key`), the audit scrubber
(`KEY_IN_TEXT`) and the CLI (`is_valid_prefix`) all read it from here, so a key one of them
produces is a key the others recognise.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass

__all__ = [
    "DEFAULT_KEY_PREFIX",
    "KEY_ID_PATTERN",
    "KEY_IN_TEXT",
    "KEY_PREFIX_PATTERN",
    "PREFIX_RULE",
    "ParsedAPIKey",
    "is_valid_prefix",
    "new_key",
    "parse_api_key",
]

DEFAULT_KEY_PREFIX = "mcpk"
KEY_PREFIX_PATTERN = r"[a-z][a-z0-9]{1,15}"
KEY_ID_PATTERN = r"[0-9a-f]{16}"
PREFIX_RULE = "key prefix must be 2-16 lowercase letters or digits, starting with a letter"

_BASE62 = string.digits + string.ascii_letters
_SECRET_LENGTH = 43
_SECRET_PATTERN = rf"[0-9A-Za-z]{{{_SECRET_LENGTH}}}"
_PREFIX_RE = re.compile(KEY_PREFIX_PATTERN)
_KEY_RE = re.compile(rf"({KEY_PREFIX_PATTERN})_({KEY_ID_PATTERN})_({_SECRET_PATTERN})")

# A key inside free text. The prefix must not continue a word ("xmcpk_..." is not a key
# start), but `_` may precede it (`token_mcpk_...`), since `\b` would miss that one.
KEY_IN_TEXT = re.compile(
    rf"(?<![A-Za-z0-9])(?:{KEY_PREFIX_PATTERN})_{KEY_ID_PATTERN}_{_SECRET_PATTERN}"
)


@dataclass(frozen=True, slots=True)
class ParsedAPIKey:
    """The public parts of a well-formed key (the secret stays with the caller)."""

    prefix: str
    key_id: str


def is_valid_prefix(prefix: str) -> bool:
    """Whether `prefix` may start a key (see `PREFIX_RULE`)."""
    return _PREFIX_RE.fullmatch(prefix) is not None


def parse_api_key(token: str) -> ParsedAPIKey | None:
    """The prefix and id of `token` when it has the API key shape, else None."""
    match = _KEY_RE.fullmatch(token)
    if match is None:
        return None
    return ParsedAPIKey(prefix=match.group(1), key_id=match.group(2))


def new_key(prefix: str) -> tuple[str, str]:
    """A fresh `(id, key)` for `prefix` (already validated by the caller)."""
    key_id = secrets.token_hex(8)
    secret = "".join(secrets.choice(_BASE62) for _ in range(_SECRET_LENGTH))
    return key_id, f"{prefix}_{key_id}_{secret}"
