"""The encrypted token store: memory and file backends (Redis: the root integration tests)."""

from __future__ import annotations

import json
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from mcp_auth import AuthConfigurationError
from mcp_auth.token_store import (
    ENCRYPTION_KEY_COMMAND,
    TokenStoreError,
    generate_encryption_key,
    open_token_store,
    parse_encryption_keys,
)

SECRET = {"kind": "api_token", "secret": "ATATT-very-secret-value", "email": "a@example.com"}


async def test_memory_store_round_trip_and_delete() -> None:
    store = open_token_store("memory")
    assert store.kind == "memory"
    assert await store.get("api_key:k1") is None
    await store.put("api_key:k1", SECRET)
    assert await store.get("api_key:k1") == SECRET
    assert await store.get("api_key:k2") is None
    assert await store.delete("api_key:k1") is True
    assert await store.delete("api_key:k1") is False
    assert await store.get("api_key:k1") is None


async def test_file_store_holds_only_ciphertext_0600(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    key = generate_encryption_key()
    store = open_token_store(f"file:{path}", key)
    await store.put("user:alice", SECRET)
    raw = path.read_text(encoding="utf-8")
    for clear in ("very-secret", "a@example.com", "api_token"):
        assert clear not in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(raw)["format"] == "mcp-auth-token-store"
    # Another process (here: another store on the same file) sees the binding at once.
    other = open_token_store(f"file://{path}", key)
    assert await other.get("user:alice") == SECRET
    assert await other.delete("user:alice") is True
    assert await store.get("user:alice") is None


async def test_rotation_reads_old_key_and_re_encrypts_under_the_new(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    old, new = generate_encryption_key(), generate_encryption_key()
    await open_token_store(f"file:{path}", old).put("user:bob", SECRET)
    rotated = open_token_store(f"file:{path}", f"{new},{old}")
    assert await rotated.get("user:bob") == SECRET
    # Re-encrypted under the first key: the new key alone now reads it.
    assert await open_token_store(f"file:{path}", new).get("user:bob") == SECRET


async def test_a_replaced_key_or_plaintext_is_refused_without_echoing(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    await open_token_store(f"file:{path}", generate_encryption_key()).put("user:c", SECRET)
    with pytest.raises(TokenStoreError, match="cannot be decrypted") as caught:
        await open_token_store(f"file:{path}", generate_encryption_key()).get("user:c")
    assert "secret" not in caught.value.message
    # A value planted around the store (no encryption) is not trusted.
    document = json.loads(path.read_text(encoding="utf-8"))
    document["collections"]["mcp-auth-tokens"]["user:c"] = json.dumps(
        {"value": SECRET, "version": 1}
    )
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(TokenStoreError, match="not encrypted"):
        await open_token_store(f"file:{path}", generate_encryption_key()).get("user:c")


async def test_a_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(TokenStoreError, match="not valid JSON"):
        await open_token_store(f"file:{path}", generate_encryption_key()).get("user:x")
    path.write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(TokenStoreError, match="not an mcp-auth token store"):
        await open_token_store(f"file:{path}", generate_encryption_key()).get("user:x")


def test_configuration_errors_are_clear_and_never_echo_keys() -> None:
    with pytest.raises(AuthConfigurationError, match="unknown token store"):
        open_token_store("postgres://db")
    with pytest.raises(AuthConfigurationError, match="needs an encryption key"):
        open_token_store("file:/tmp/x.json")
    with pytest.raises(AuthConfigurationError, match="needs an encryption key"):
        open_token_store("redis://127.0.0.1:1/0", " , ")
    with pytest.raises(AuthConfigurationError, match="needs a path"):
        open_token_store("file:", generate_encryption_key())
    good = generate_encryption_key()
    with pytest.raises(AuthConfigurationError, match="key #2 is not a Fernet key") as caught:
        parse_encryption_keys(f"{good},not-a-key-at-all")
    assert "not-a-key-at-all" not in caught.value.message
    with pytest.raises(AuthConfigurationError, match="no token encryption key"):
        parse_encryption_keys("")


def test_the_suggested_key_command_needs_no_third_party_package() -> None:
    # The command the errors suggest, run with no site-packages (-S) and isolated (-I):
    # it must work in a fresh shell, not only where cryptography is installed.
    program, flag, code = shlex.split(ENCRYPTION_KEY_COMMAND)
    assert (program, flag) == ("python3", "-c")
    made = subprocess.run(
        [sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, check=True
    )
    key = made.stdout.strip()
    assert len(parse_encryption_keys(key)) == 1  # a valid Fernet key
    with pytest.raises(AuthConfigurationError) as caught:
        parse_encryption_keys("not-a-key-at-all")
    assert ENCRYPTION_KEY_COMMAND in caught.value.message
    assert "cryptography" not in caught.value.message


async def test_an_unreachable_redis_is_a_store_error_naming_no_value() -> None:
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    store = open_token_store("redis://127.0.0.1:1/0", generate_encryption_key())
    assert store.kind == "redis"
    with pytest.raises(TokenStoreError, match=r"token store \(redis\) write failed"):
        await store.put("user:d", SECRET)
    await store.aclose()


async def test_key_value_view_encrypts_other_state() -> None:
    store = open_token_store("memory")
    view = store.key_value()
    await view.put("client-1", {"redirect_uris": ["http://127.0.0.1/cb"]}, collection="clients")
    assert await view.get("client-1", collection="clients") == {
        "redirect_uris": ["http://127.0.0.1/cb"]
    }
