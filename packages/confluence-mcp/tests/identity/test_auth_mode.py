"""CONFLUENCE_AUTH_MODE: validated with the settings, refused where it cannot work, reported by
``check`` and at start-up, and named in every audit event."""

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.cli import main
from confluence_mcp.remote.auth import build_audit_logger
from confluence_mcp.remote.observability import current_observability
from confluence_mcp.remote.settings import RemoteSettings
from confluence_mcp.settings import Settings
from mcp_auth import create_api_key

REMOTE_ENV = ("MCP_API_KEYS_FILE", "MCP_TOKEN_STORE", "MCP_TOKEN_ENCRYPTION_KEY", "TRANSPORT")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [*Settings.model_fields, *RemoteSettings.model_fields, *REMOTE_ENV]:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def point_at(monkeypatch: pytest.MonkeyPatch, fake: FakeConfluenceServer) -> None:
    monkeypatch.setenv("CONFLUENCE_URL", fake.wiki_url)
    monkeypatch.setenv("CONFLUENCE_DEPLOYMENT", "cloud")


def per_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """user-token mode over HTTP with API keys and an encrypted file store; returns the key."""
    key = Fernet.generate_key().decode()
    create_api_key(tmp_path / "keys.json", "alice", ["confluence:read"])
    monkeypatch.setenv("CONFLUENCE_AUTH_MODE", "user-token")
    monkeypatch.setenv("TRANSPORT", "http")
    monkeypatch.setenv("MCP_API_KEYS_FILE", str(tmp_path / "keys.json"))
    monkeypatch.setenv("MCP_TOKEN_STORE", f"file:{tmp_path / 'tokens.json'}")
    monkeypatch.setenv("MCP_TOKEN_ENCRYPTION_KEY", key)
    return key


def test_check_reports_the_service_mode_by_default(
    monkeypatch: pytest.MonkeyPatch,
    fake_confluence: FakeConfluenceServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_at(monkeypatch, fake_confluence)
    monkeypatch.setenv("CONFLUENCE_USERNAME", fake_confluence.credentials.username)
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", fake_confluence.credentials.api_token)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "Auth mode: service (every caller acts as the service account, basic)" in out
    assert "Signed in as:" in out


def test_check_in_user_token_mode_reads_the_store_and_needs_no_service_account(
    monkeypatch: pytest.MonkeyPatch,
    fake_confluence: FakeConfluenceServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_at(monkeypatch, fake_confluence)
    per_user(monkeypatch, tmp_path)
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "Auth mode: user-token (each caller acts with the Confluence token bound" in out
    assert "token store: file" in out
    assert "Token store: file, readable" in out
    # A store written under another key is reported, not silently ignored.
    monkeypatch.setenv("MCP_TOKEN_ENCRYPTION_KEY", Fernet.generate_key().decode())
    (tmp_path / "tokens.json").write_text("{broken", encoding="utf-8")
    assert main(["check"]) != 0
    err = capsys.readouterr().err
    # Worded for the operator running check, not for a tool's caller.
    assert "check failed: MCP_TOKEN_STORE (file) cannot be read:" in err
    assert "your Confluence credential" not in err


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CONFLUENCE_AUTH_MODE": "per-user"}, "CONFLUENCE_AUTH_MODE: Input should be"),
        (
            {"CONFLUENCE_AUTH_MODE": "user-token", "TRANSPORT": "http"},
            "CONFLUENCE_AUTH_MODE=user-token binds Confluence tokens to authenticated callers",
        ),
        (
            {"CONFLUENCE_AUTH_MODE": "user_token", "MCP_API_KEYS_FILE": "keys.json"},
            "CONFLUENCE_AUTH_MODE=user-token needs the remote service",
        ),
        (
            {
                "CONFLUENCE_AUTH_MODE": "user-token",
                "MCP_API_KEYS_FILE": "keys.json",
                "MCP_TOKEN_STORE": "redis://127.0.0.1:6379/0",
            },
            # The suggested command needs nothing beyond Python 3 (no checkout, no uv).
            "MCP_TOKEN_ENCRYPTION_KEY is required with MCP_TOKEN_STORE=redis: the stored "
            "Confluence credentials are encrypted with it; make one with: python3 -c "
            '"import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"',
        ),
        ({"MCP_TOKEN_STORE": "sqlite:///x"}, "MCP_TOKEN_STORE: unknown token store"),
        (
            {"MCP_TOKEN_ENCRYPTION_KEY": "hunter2-not-a-key"},
            "MCP_TOKEN_ENCRYPTION_KEY: token encryption key #1 is not a Fernet key",
        ),
    ],
)
def test_bad_mode_settings_are_refused_clearly(
    env: dict[str, str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
    fake_confluence: FakeConfluenceServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_at(monkeypatch, fake_confluence)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main(["check"]) == 2
    assert main(["serve"]) == 2
    # A refused start leaves no process-wide observability behind for a later server.
    assert current_observability() is None
    err = capsys.readouterr().err
    assert message in err
    assert "hunter2" not in err


def test_audit_events_name_the_mode_and_the_service_account() -> None:
    service = Settings(
        _env_file=None,
        confluence_url="https://acme.atlassian.net/wiki",
        confluence_username="svc@example.com",
        confluence_api_token="t",
    )
    audit = build_audit_logger("off", settings=service)
    assert (audit.upstream_mode, audit.upstream_account) == ("service", "svc@example.com")
    users = service.model_copy(update={"confluence_auth_mode": "user-token"})
    audit = build_audit_logger("off", settings=users)
    # Per-user: the account is bound per request, never the service account's.
    assert (audit.upstream_mode, audit.upstream_account) == ("user-token", None)
