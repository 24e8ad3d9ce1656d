"""API keys: the key file, and the functions that create, list and revoke keys.

A key reads `<prefix>_<id>_<secret>`; the format is defined once, in `_key_format`.

The key file is JSON, written atomically with mode 0600 (or the mode and owner `create`
was given; rewrites keep them, see `_key_file_access`):

    {"format": "mcp-auth-api-keys", "version": 1, "keys": [
      {"id": "…", "name": "ci-bot", "prefix": "mcpk", "hash": "sha256:<hex>",
       "scopes": ["docs:read"], "created": "2026-11-25T16:00:00Z",
       "expires": null, "disabled": false, "disabled_at": null,
       "claims": {"tenant": "acme"}}]}

`claims` (optional) are attributes a server may use for its own decisions; the verifier
passes them on in `Principal.claims`. mcp-auth gives them no meaning.

Only a SHA-256 digest of the whole key is stored. A slow password hash buys nothing here: the
secret is 256 random bits, not a password, so it cannot be guessed from its digest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mcp_auth._atomic_file import locked, write_json_atomically
from mcp_auth._errors import AuthConfigurationError
from mcp_auth._key_file_access import check_key_file_mode, give_access
from mcp_auth._key_format import (
    DEFAULT_KEY_PREFIX,
    KEY_ID_PATTERN,
    KEY_PREFIX_PATTERN,
    PREFIX_RULE,
    is_valid_prefix,
    new_key,
)

# C0/C1 controls, DEL, zero-width and bidi format characters, line/paragraph separators.
_UNPRINTABLE_NAME = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]"
)

__all__ = [
    "RESERVED_KEY_CLAIMS",
    "APIKeyRecord",
    "CreatedAPIKey",
    "hash_api_key",
    "load_key_file",
    "create_api_key",
    "list_api_keys",
    "revoke_api_key",
]

RESERVED_KEY_CLAIMS = frozenset({"key_id", "key_name", "sub", "iss", "mcp_auth"})
"""Claim names the verifier or the FastMCP adapter set themselves: a key may not carry them."""

_CLAIM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]{0,63}")

_FORMAT = "mcp-auth-api-keys"
_VERSION = 1


def hash_api_key(key: str) -> str:
    """The stored digest of a whole key: `sha256:<hex>`."""
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


class APIKeyRecord(BaseModel):
    """One key as stored in the key file (the digest is kept out of `repr`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=rf"^{KEY_ID_PATTERN}$")
    name: str = Field(min_length=1, max_length=200)
    prefix: str = Field(pattern=rf"^{KEY_PREFIX_PATTERN}$")

    @field_validator("name")
    @classmethod
    def _printable_name(cls, value: str) -> str:
        # Names are printed by `keys list/create/revoke` and written to audit logs: control,
        # line-separator and bidi-override characters would forge or disguise that output.
        if _UNPRINTABLE_NAME.search(value):
            raise ValueError("key name must not contain control or bidirectional-format characters")
        return value

    hash: str = Field(pattern=r"^sha256:[0-9a-f]{64}$", repr=False)
    scopes: tuple[str, ...] = ()
    created: datetime
    expires: datetime | None = None
    disabled: bool = False
    disabled_at: datetime | None = None
    claims: dict[str, str | tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("claims")
    @classmethod
    def _valid_claims(
        cls, value: dict[str, str | tuple[str, ...]]
    ) -> dict[str, str | tuple[str, ...]]:
        for name in value:
            if not _CLAIM_NAME.fullmatch(name):
                raise ValueError(f"invalid claim name {name!r}")
            if name in RESERVED_KEY_CLAIMS:
                raise ValueError(f"claim name {name!r} is reserved")
        for item in value.values():
            # Printed by `keys list` like names: the same characters would forge that output.
            if any(
                _UNPRINTABLE_NAME.search(text)
                for text in ([item] if isinstance(item, str) else item)
            ):
                raise ValueError(
                    "claim values must not contain control or bidirectional-format characters"
                )
        return value

    @field_validator("created", "expires", "disabled_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("timestamps must carry a timezone")
        return value

    @field_validator("scopes")
    @classmethod
    def _valid_scopes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for scope in value:
            if not scope or any(ch.isspace() for ch in scope):
                raise ValueError(f"invalid scope {scope!r}")
        return tuple(sorted(set(value)))

    def is_expired(self, now: datetime | None = None) -> bool:
        """True when the key has an expiry and it has passed."""
        return self.expires is not None and (now or datetime.now(timezone.utc)) >= self.expires


@dataclass(frozen=True, slots=True)
class CreatedAPIKey:
    """A new key: `key` is the only copy of the secret, show it once; `record` is stored."""

    key: str
    record: APIKeyRecord

    def __repr__(self) -> str:
        return f"CreatedAPIKey(key='[redacted]', record={self.record!r})"


def _parse_document(raw: str, path: Path) -> list[APIKeyRecord]:
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AuthConfigurationError(f"key file {path} is not valid JSON: {exc.msg}") from None
    if (
        not isinstance(document, dict)
        or document.get("format") != _FORMAT
        or not isinstance(document.get("keys"), list)
    ):
        raise AuthConfigurationError(f"key file {path} is not an mcp-auth key file")
    if document.get("version") != _VERSION:
        raise AuthConfigurationError(
            f"key file {path} has unsupported version {document.get('version')!r}"
        )
    records: list[APIKeyRecord] = []
    seen_ids: set[str] = set()
    for index, item in enumerate(document["keys"]):
        try:
            record = APIKeyRecord.model_validate(item)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
            )
            raise AuthConfigurationError(
                f"key file {path}: entry {index} is invalid ({problems})"
            ) from None
        if record.id in seen_ids:
            raise AuthConfigurationError(f"key file {path}: duplicate key id {record.id}")
        seen_ids.add(record.id)
        records.append(record)
    return records


def load_key_file(path: str | os.PathLike[str], *, missing_ok: bool = False) -> list[APIKeyRecord]:
    """Read and validate a key file; a missing file is an empty list when `missing_ok`."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return []
        raise AuthConfigurationError(f"key file {path} does not exist") from None
    except OSError as exc:
        raise AuthConfigurationError(f"key file {path} cannot be read: {exc.strerror}") from None
    return _parse_document(raw, path)


def _dumped(record: APIKeyRecord) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    if not data["claims"]:
        del data["claims"]  # files without claims stay readable by older versions
    return data


def _write_key_file(
    path: Path,
    records: Iterable[APIKeyRecord],
    *,
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
) -> None:
    document = {
        "format": _FORMAT,
        "version": _VERSION,
        "keys": [_dumped(record) for record in records],
    }
    write_json_atomically(
        path,
        document,
        indent=2,
        trailing_newline=True,
        prepare=lambda name: give_access(name, path, mode, owner),
    )


def create_api_key(
    path: str | os.PathLike[str],
    name: str,
    scopes: Iterable[str] = (),
    *,
    expires_at: datetime | None = None,
    prefix: str = DEFAULT_KEY_PREFIX,
    claims: Mapping[str, str | Iterable[str]] | None = None,
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
) -> CreatedAPIKey:
    """Create a key named `name` (unique in the file) and store its digest in `path`
    (created if missing). The returned `key` is the only copy of the secret. `claims`
    (a string or a list of strings each) are stored on the record and handed to the server
    in `Principal.claims`. `mode` and `owner` (`(uid, gid)`, gid -1 unchanged; changing it
    needs root) give the file to the server's user; by default a new file is 0600 and ours,
    an existing one keeps its own."""
    if mode is not None:
        check_key_file_mode(mode)
    if not is_valid_prefix(prefix):
        raise AuthConfigurationError(PREFIX_RULE)
    name = name.strip()
    if not name:
        raise AuthConfigurationError("key name must not be empty")
    if _UNPRINTABLE_NAME.search(name):
        raise AuthConfigurationError(
            "key name must not contain control or bidirectional-format characters"
        )
    if expires_at is not None and expires_at.tzinfo is None:
        raise AuthConfigurationError("expires_at must carry a timezone")
    path = Path(path)
    with locked(path):
        records = load_key_file(path, missing_ok=True)
        if any(record.name == name for record in records):
            raise AuthConfigurationError(f"a key named {name!r} already exists")
        key_id, key = new_key(prefix)
        while any(record.id == key_id for record in records):  # 64-bit ids: practically never
            key_id, key = new_key(prefix)
        try:
            record = APIKeyRecord(
                id=key_id,
                name=name,
                prefix=prefix,
                hash=hash_api_key(key),
                scopes=tuple(scopes),
                created=datetime.now(timezone.utc).replace(microsecond=0),
                expires=expires_at,
                claims={
                    claim: value if isinstance(value, str) else tuple(value)
                    for claim, value in (claims or {}).items()
                },
            )
        except ValidationError as exc:
            raise AuthConfigurationError(
                f"invalid key settings: {exc.errors()[0]['msg']}"
            ) from None
        _write_key_file(path, [*records, record], mode=mode, owner=owner)
    return CreatedAPIKey(key=key, record=record)


def list_api_keys(path: str | os.PathLike[str]) -> list[APIKeyRecord]:
    """Every key in `path` (none when the file does not exist yet), oldest first."""
    return sorted(load_key_file(path, missing_ok=True), key=lambda r: (r.created, r.name))


def revoke_api_key(path: str | os.PathLike[str], id_or_name: str) -> APIKeyRecord:
    """Disable the key with this id or name; the record stays so that a revoked key is
    refused as `revoked` and its history remains. Revoking twice is harmless."""
    path = Path(path)
    with locked(path):
        records = load_key_file(path)
        # An id wins over a name, so a key named like another key's id cannot shadow it.
        matches = [r for r in records if r.id == id_or_name] or [
            r for r in records if r.name == id_or_name
        ]
        if not matches:
            raise AuthConfigurationError(f"no key with id or name {id_or_name!r}")
        target = matches[0]
        if target.disabled:
            return target
        changes: dict[str, Any] = {
            "disabled": True,
            "disabled_at": datetime.now(timezone.utc).replace(microsecond=0),
        }
        revoked = target.model_copy(update=changes)
        _write_key_file(path, [revoked if r.id == target.id else r for r in records])
    return revoked
