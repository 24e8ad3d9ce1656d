"""API keys: format, key file, create/list/revoke, reload, and the adversarial battery."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from mcp_auth import (
    APIKeyStore,
    APIKeyVerifier,
    AuditLogger,
    AuthConfigurationError,
    AuthMethod,
    MemorySink,
    RefusalReason,
    create_api_key,
    list_api_keys,
    parse_api_key,
    revoke_api_key,
)

R = RefusalReason


def _edit(path: Path, key_id: str, **changes: Any) -> None:
    """Change one record by hand, as an operator editing the file would."""
    document = json.loads(path.read_text())
    for record in document["keys"]:
        if record["id"] == key_id:
            record.update(changes)
    path.write_text(json.dumps(document))


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "keys.json"


def test_created_key_has_the_documented_shape_and_only_its_hash_is_stored(key_file: Path) -> None:
    created = create_api_key(key_file, "ci-bot", ["docs:read", "docs:read", "b"])
    prefix, key_id, secret = created.key.split("_")
    assert prefix == "mcpk"
    assert key_id == created.record.id
    assert len(key_id) == 16
    assert len(secret) == 43
    assert secret.isalnum()
    stored = key_file.read_text()
    assert secret not in stored
    assert created.record.hash in stored
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert created.record.scopes == ("b", "docs:read")
    assert "redacted" in repr(created)
    assert secret not in repr(created)
    assert "sha256" not in repr(created.record)
    assert parse_api_key(created.key) is not None


def test_two_keys_never_share_id_or_secret(key_file: Path) -> None:
    first = create_api_key(key_file, "one")
    second = create_api_key(key_file, "two", prefix="team")
    assert first.record.id != second.record.id
    assert first.key.split("_")[2] != second.key.split("_")[2]
    assert second.key.startswith("team_")
    assert [r.name for r in list_api_keys(key_file)] == ["one", "two"]


async def test_valid_key_gives_the_principal(key_file: Path, audit: Any) -> None:
    expires = datetime.now(timezone.utc) + timedelta(days=1)
    created = create_api_key(key_file, "ci-bot", ["docs:read"], expires_at=expires)
    verifier = APIKeyVerifier(key_file)
    assert verifier.recognizes(created.key)
    principal = await audit.accepted(verifier, created.key)
    assert principal.subject == "ci-bot"
    assert principal.client_id == created.record.id
    assert principal.auth_method is AuthMethod.API_KEY
    assert principal.scopes == {"docs:read"}
    assert principal.expires_at == expires
    assert dict(principal.claims) == {"key_id": created.record.id, "key_name": "ci-bot"}
    (event,) = audit.events()
    assert event.credential_id == created.record.id


async def test_battery(key_file: Path, audit: Any) -> None:
    good = create_api_key(key_file, "good", ["s"])
    revoked = create_api_key(key_file, "revoked")
    disabled = create_api_key(key_file, "disabled")
    expired = create_api_key(key_file, "expired")
    revoke_api_key(key_file, revoked.record.name)
    _edit(key_file, disabled.record.id, disabled=True)
    _edit(
        key_file,
        expired.record.id,
        expires=(datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat(),
    )
    verifier = APIKeyVerifier(key_file)
    prefix, key_id, secret = good.key.split("_")
    other_secret = revoked.key.split("_")[2]
    unknown_id = "f" * 16 if key_id != "f" * 16 else "e" * 16
    cases = [
        ("missing", "", R.MISSING),
        ("garbage", "definitely not a key", R.MALFORMED),
        # the stored digest covers the prefix: the right id and secret under another prefix
        # is not the key that was issued
        ("other prefix", f"ghp_{key_id}_{secret}", R.BAD_SIGNATURE),
        ("short secret", f"{prefix}_{key_id}_{secret[:-1]}", R.MALFORMED),
        ("upper-case id", f"{prefix}_{key_id.upper()}_{secret}", R.MALFORMED),
        ("unknown id", f"{prefix}_{unknown_id}_{secret}", R.UNKNOWN_KEY),
        ("right id, wrong secret", f"{prefix}_{key_id}_{other_secret}", R.BAD_SIGNATURE),
        (
            "right id, one char changed",
            good.key[:-1] + ("A" if good.key[-1] != "A" else "B"),
            R.BAD_SIGNATURE,
        ),
        ("revoked", revoked.key, R.REVOKED),
        ("disabled by hand", disabled.key, R.REVOKED),
        ("expired", expired.key, R.EXPIRED),
    ]
    for name, token, reason in cases:
        error = await audit.refused(verifier, token, reason)
        assert error.method is AuthMethod.API_KEY, name
    # the key's state is only revealed to whoever holds the secret
    wrong_secret_for_revoked = f"{prefix}_{revoked.record.id}_{secret}"
    await audit.refused(verifier, wrong_secret_for_revoked, R.BAD_SIGNATURE)
    await audit.accepted(verifier, good.key)


async def test_keys_issued_with_any_prefix_are_accepted(key_file: Path, audit: Any) -> None:
    acme = create_api_key(key_file, "acme-bot", ["s"], prefix="acme")
    default = create_api_key(key_file, "bot", ["s"])
    assert acme.key.startswith("acme_")
    verifier = APIKeyVerifier(key_file)
    assert verifier.recognizes(acme.key)
    assert (await audit.accepted(verifier, acme.key)).subject == "acme-bot"
    await audit.accepted(verifier, default.key)
    # a verifier narrowed to one prefix refuses the others as malformed, saying which it takes
    narrowed = APIKeyVerifier(key_file, prefix="mcpk")
    assert not narrowed.recognizes(acme.key)
    error = await audit.refused(narrowed, acme.key, R.MALFORMED)
    assert error.message == "malformed API key: this server issues mcpk_ keys"
    await audit.accepted(narrowed, default.key)


async def test_revocation_and_new_keys_apply_without_restart(key_file: Path, audit: Any) -> None:
    created = create_api_key(key_file, "bot")
    verifier = APIKeyVerifier(APIKeyStore(key_file, reload_interval=0))
    await audit.accepted(verifier, created.key)
    later = create_api_key(key_file, "later")
    await audit.accepted(verifier, later.key)
    revoke_api_key(key_file, created.record.id)
    await audit.refused(verifier, created.key, R.REVOKED)


async def test_reload_is_throttled(key_file: Path) -> None:
    create_api_key(key_file, "bot")
    store = APIKeyStore(key_file, reload_interval=3600)
    assert len(store) == 1
    late = create_api_key(key_file, "late")
    assert not store.check_due()
    await store.arefresh()
    assert store.get(late.record.id) is None  # not re-read within the interval
    store.refresh(force=True)
    assert store.get(late.record.id) is not None
    assert "keys=2" in repr(store)


async def test_broken_file_on_reload_keeps_previous_keys_and_warns(key_file: Path) -> None:
    created = create_api_key(key_file, "bot")
    sink = MemorySink()
    with AuditLogger([sink], background=False) as audit:
        verifier = APIKeyVerifier(APIKeyStore(key_file, reload_interval=0, audit=audit))
        await asyncio.to_thread(key_file.write_text, "{ not json")
        principal = await verifier.verify(created.key)
        assert principal.subject == "bot"
        await asyncio.to_thread(key_file.unlink)
        assert (await verifier.verify(created.key)).subject == "bot"
    assert [e.event for e in sink.events] == ["config.warning", "config.warning"]
    assert all(e.setting == "api_keys.file" for e in sink.events)
    assert "keeping the previous keys" in (sink.events[0].detail or "")


def test_group_writable_key_file_is_warned_about(key_file: Path) -> None:
    create_api_key(key_file, "bot")
    os.chmod(key_file, 0o664)  # group-writable: the misconfiguration under test
    sink = MemorySink()
    with AuditLogger([sink], background=False) as audit:
        APIKeyVerifier(key_file, audit=audit)
    (event,) = sink.events
    assert "writable by other users" in (event.detail or "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ nope", "not valid JSON"),
        ("[]", "not an mcp-auth key file"),
        ('{"format": "other", "keys": []}', "not an mcp-auth key file"),
        ('{"format": "mcp-auth-api-keys", "version": 9, "keys": []}', "unsupported version"),
        ('{"format": "mcp-auth-api-keys", "version": 1, "keys": [{"id": "x"}]}', "entry 0"),
    ],
)
def test_invalid_key_files_are_configuration_errors(
    key_file: Path, content: str, message: str
) -> None:
    key_file.write_text(content)
    with pytest.raises(AuthConfigurationError, match=message):
        APIKeyVerifier(key_file)
    with pytest.raises(AuthConfigurationError, match=message):
        list_api_keys(key_file)


def test_duplicate_ids_and_naive_timestamps_are_refused(key_file: Path) -> None:
    create_api_key(key_file, "bot")
    document = json.loads(key_file.read_text())
    document["keys"].append(document["keys"][0] | {"name": "copy"})
    key_file.write_text(json.dumps(document))
    with pytest.raises(AuthConfigurationError, match="duplicate key id"):
        list_api_keys(key_file)
    document["keys"] = [document["keys"][0] | {"created": "2026-01-01T00:00:00"}]
    key_file.write_text(json.dumps(document))
    with pytest.raises(AuthConfigurationError, match="timezone"):
        list_api_keys(key_file)


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(AuthConfigurationError, match="does not exist"):
        APIKeyVerifier(tmp_path / "absent.json")
    assert list_api_keys(tmp_path / "absent.json") == []
    with pytest.raises(AuthConfigurationError, match="cannot be read"):
        list_api_keys(tmp_path)  # a directory


def test_create_validates_its_input(key_file: Path) -> None:
    create_api_key(key_file, "bot")
    with pytest.raises(AuthConfigurationError, match="already exists"):
        create_api_key(key_file, " bot ")
    with pytest.raises(AuthConfigurationError, match="empty"):
        create_api_key(key_file, "  ")
    for prefix in ("Bad", "a", "has_underscore", "x" * 17, "1abc"):
        with pytest.raises(AuthConfigurationError, match="prefix"):
            create_api_key(key_file, "p", prefix=prefix)
    with pytest.raises(AuthConfigurationError, match="timezone"):
        create_api_key(key_file, "naive", expires_at=datetime(2030, 1, 1))
    with pytest.raises(AuthConfigurationError, match="invalid key settings"):
        create_api_key(key_file, "spaced", ["has space"])
    assert [r.name for r in list_api_keys(key_file)] == ["bot"]


def test_revoke_by_id_or_name_is_idempotent_and_keeps_the_record(key_file: Path) -> None:
    created = create_api_key(key_file, "bot")
    first = revoke_api_key(key_file, "bot")
    assert first.disabled
    assert first.disabled_at is not None
    again = revoke_api_key(key_file, created.record.id)
    assert again.disabled_at == first.disabled_at
    (record,) = list_api_keys(key_file)
    assert record.disabled
    with pytest.raises(AuthConfigurationError, match="no key"):
        revoke_api_key(key_file, "nobody")


def test_id_wins_over_a_name_that_looks_like_an_id(key_file: Path) -> None:
    target = create_api_key(key_file, "target")
    create_api_key(key_file, target.record.id)  # a key *named* like the other key's id
    revoked = revoke_api_key(key_file, target.record.id)
    assert revoked.name == "target"


@pytest.mark.parametrize(
    "name", ["ci\x1b[31m", "ops\nCRITICAL admin login ok", "bot\u202etxt.exe", "a\u200bb"]
)
def test_key_names_with_control_or_bidi_characters_are_refused(key_file: Path, name: str) -> None:
    from mcp_auth import AuthConfigurationError

    with pytest.raises(AuthConfigurationError, match="control or bidirectional"):
        create_api_key(key_file, name, ["read"])
    assert not key_file.exists() or name not in key_file.read_text()


async def test_claims_reach_the_principal_and_cannot_shadow_its_own(key_file: Path) -> None:
    created = create_api_key(key_file, "bot", ["s"], claims={"spaces": ("DEMO",), "tier": "1"})
    plain = create_api_key(key_file, "plain")
    principal = await APIKeyVerifier(key_file).verify(created.key)
    assert dict(principal.claims) == {
        "spaces": ["DEMO"],
        "tier": "1",
        "key_id": created.record.id,
        "key_name": "bot",
    }
    stored = json.loads(await asyncio.to_thread(key_file.read_text))["keys"]
    assert stored[0]["claims"] == {"spaces": ["DEMO"], "tier": "1"}
    assert "claims" not in stored[1]  # files without claims keep their old shape
    assert plain.record.claims == {}
    for bad in (
        {"key_name": "admin"},
        {"mcp_auth": "x"},
        {"bad name": "x"},
        {"spaces\n": "x"},
        {"spaces": ["DEMO\nCRITICAL"]},
        {"team": "a\u202eb"},
    ):
        with pytest.raises(AuthConfigurationError):
            create_api_key(key_file, "other", claims=bad)
