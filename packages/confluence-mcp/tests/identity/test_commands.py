"""Binding Confluence tokens to callers: ``keys create --confluence-token-*``, ``users
set-token|remove-token`` and ``keys revoke`` (against the fake Confluence, in process)."""

import io
import json
from pathlib import Path

import anyio
import pytest
from cryptography.fernet import Fernet

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.cli import main
from confluence_mcp.remote.keys import run_keys
from confluence_mcp.remote.settings import RemoteSettings
from confluence_mcp.settings import Settings
from mcp_auth import list_api_keys
from mcp_auth.token_store import open_token_store

ALICE_TOKEN = "alice-api-token"  # the demo seed's tokens (see confluence_client.testing)


@pytest.fixture
def env(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_confluence: FakeConfluenceServer
) -> str:
    for name in [*Settings.model_fields, *RemoteSettings.model_fields]:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    key = Fernet.generate_key().decode()
    for name, value in {
        "CONFLUENCE_URL": fake_confluence.wiki_url,
        "CONFLUENCE_DEPLOYMENT": "cloud",
        "CONFLUENCE_AUTH_MODE": "user-token",
        "TRANSPORT": "http",
        "MCP_API_KEYS_FILE": str(tmp_path / "keys.json"),
        "MCP_TOKEN_STORE": f"file:{tmp_path / 'tokens.json'}",
        "MCP_TOKEN_ENCRYPTION_KEY": key,
    }.items():
        monkeypatch.setenv(name, value)
    return key


def stored(tmp_path: Path, key: str) -> dict[str, object]:
    """Every principal's decrypted credential in the file store."""
    raw = json.loads((tmp_path / "tokens.json").read_text(encoding="utf-8"))
    store = open_token_store(f"file:{tmp_path / 'tokens.json'}", key)
    names = raw["collections"].get("mcp-auth-tokens", {})
    return {name: anyio.run(store.get, name) for name in names}


def keys(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run_keys(args, env_file=None, stdout=out, stderr=err, stdin=io.StringIO(stdin))
    return status, out.getvalue(), err.getvalue()


def test_keys_create_binds_a_verified_token_kept_only_as_ciphertext(
    env: str, tmp_path: Path
) -> None:
    token_file = tmp_path / "alice.token"
    token_file.write_text(ALICE_TOKEN + "\n", encoding="utf-8")
    status, out, err = keys(
        [
            "create",
            "--name",
            "alice-laptop",
            "--scopes",
            "confluence:read",
            "--confluence-token-file",
            str(token_file),
            "--confluence-username",
            "alice@example.com",
        ]
    )
    assert status == 0, err
    assert out.startswith("mcpk_")
    record = list_api_keys(tmp_path / "keys.json")[0]
    assert f"bound key {record.id} (alice-laptop) to Confluence account alice@example.com" in err
    assert ALICE_TOKEN not in out + err
    text = (tmp_path / "tokens.json").read_text(encoding="utf-8")
    for clear in (ALICE_TOKEN, "alice@example.com", "api_token"):
        assert clear not in text
    credential = stored(tmp_path, env)[f"api_key:{record.id}"]
    assert credential == {
        "kind": "api_token",
        "secret": ALICE_TOKEN,
        "username": "alice@example.com",
        "account_id": "557058:00000001-7a1e-4c2b-9d3f-000000000001",
        "email": "alice@example.com",
        "display_name": "Alice Martin",
    }
    # Revoking the key deletes its Confluence token.
    status, out, err = keys(["revoke", "alice-laptop"])
    assert status == 0, err
    assert "deleted the Confluence token bound to key" in err
    assert stored(tmp_path, env) == {}


def test_a_refused_token_creates_no_key(env: str, tmp_path: Path) -> None:
    status, _out, err = keys(
        [
            "create",
            "--name",
            "mallory",
            "--confluence-token-stdin",
            "--confluence-username",
            "alice@example.com",
        ],
        stdin="not-alices-token\n",
    )
    assert status == 1
    assert "Confluence refused the token (HTTP 401): check the token" in err
    # The bound token was refused, not the server's own CONFLUENCE_* credentials.
    assert "CONFLUENCE_" not in err
    assert "not-alices-token" not in err
    assert list_api_keys(tmp_path / "keys.json") == []


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["--confluence-token-stdin"], "", "the token is empty"),
        (["--confluence-token-stdin"], "two words", "spaces or several lines"),
        (["--confluence-token-stdin"], ALICE_TOKEN, "add --confluence-username EMAIL"),
        (["--confluence-token-file", "/nonexistent/t"], "", "cannot read the token file"),
        (["--confluence-username", "a@example.com"], "", "goes with --confluence-token-file"),
    ],
)
def test_token_options_are_checked_before_any_key_exists(
    env: str, tmp_path: Path, args: list[str], stdin: str, message: str
) -> None:
    status, _out, err = keys(["create", "--name", "k", *args], stdin=stdin)
    assert status == 2  # bad usage, as everywhere in the CLI
    assert message in err
    assert not (tmp_path / "keys.json").exists()


def test_a_memory_store_is_refused_for_binding(
    env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MCP_TOKEN_STORE", "memory")
    status, _out, err = keys(
        ["create", "--name", "k", "--confluence-token-stdin", "--confluence-username", "a@b.c"],
        stdin=ALICE_TOKEN,
    )
    assert status == 2  # configuration, not a refusal
    assert "MCP_TOKEN_STORE=memory lives inside one server process" in err


def test_a_refused_token_exits_1_from_keys_and_users_alike(
    env: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refused = "Confluence refused the token (HTTP 401)"
    status, _out, err = keys(
        ["create", "--name", "k", "--confluence-token-stdin", "--confluence-username", "a@b.c"],
        stdin="wrong-token",
    )
    assert (status, refused in err) == (1, True)
    monkeypatch.setattr("sys.stdin", io.StringIO("wrong-token\n"))
    argv = ["users", "set-token", "sub", "--token-stdin", "--username", "a@b.c"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"confluence-mcp users: {refused}")
    assert "wrong-token" not in err
    assert not (tmp_path / "tokens.json").exists()  # nothing stored
    # Bad usage stays 2 in both commands.
    assert main(["users", "set-token", "sub", "--token-stdin", "--key", "k"]) == 2
    assert keys(["create", "--name", "k", "--confluence-token-file"])[0] == 2


def test_users_and_keys_help_give_the_exit_statuses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["users", "set-token", "--help"]) == 0
    assert "1 Confluence refused the token" in capsys.readouterr().out
    status, out, _err = keys(["create", "--help"])
    assert status == 0
    assert "1 Confluence refused the token" in " ".join(out.split())


def test_users_set_token_for_a_subject_and_a_key_then_remove(
    env: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("bob-api-token\n"))
    argv = ["users", "set-token", "bob-sub", "--token-stdin", "--username", "bob@example.com"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "bound subject 'bob-sub' to Confluence account bob@example.com" in out
    assert "note: CONFLUENCE_AUTH_MODE" not in out  # user-token: the server will use it
    assert stored(tmp_path, env)["user:bob-sub"]["email"] == "bob@example.com"  # type: ignore[index]

    assert keys(["create", "--name", "carol-bot"])[0] == 0
    token_file = tmp_path / "carol.token"
    token_file.write_text("carol-api-token", encoding="utf-8")
    argv = ["users", "set-token", "--key", "carol-bot", "--token-file", str(token_file)]
    monkeypatch.setenv("CONFLUENCE_AUTH_MODE", "service")
    assert main([*argv, "--username", "carol"]) == 0
    assert "uses bound tokens with CONFLUENCE_AUTH_MODE=user-token" in capsys.readouterr().out
    record = list_api_keys(tmp_path / "keys.json")[0]
    assert stored(tmp_path, env)[f"api_key:{record.id}"]["display_name"] == "Carol Diaz"  # type: ignore[index]

    assert main(["users", "remove-token", "bob-sub"]) == 0
    assert "removed Confluence token for subject 'bob-sub'" in capsys.readouterr().out
    assert "user:bob-sub" not in stored(tmp_path, env)
    assert main(["users", "remove-token", "bob-sub"]) == 0
    assert "no Confluence token for subject 'bob-sub'" in capsys.readouterr().out
    # One of SUBJECT or --key, and a key that exists.
    assert main(["users", "remove-token"]) == 2
    assert "name either a SUBJECT or --key" in capsys.readouterr().err
    assert main(["users", "remove-token", "--key", "nope"]) == 2
    assert "no API key with id or name 'nope'" in capsys.readouterr().err
