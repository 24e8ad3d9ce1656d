from pathlib import Path
from typing import Any

import pytest

from confluence_mcp.errors import ConfigError
from confluence_mcp.services import build_client
from confluence_mcp.settings import Settings, load_settings

BASIC = {
    "confluence_url": "https://acme.atlassian.net/wiki",
    "confluence_username": "me@example.com",
    "confluence_api_token": "tok-123",
}


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [*Settings.model_fields]:
        monkeypatch.delenv(name.upper(), raising=False)


def load(**values: Any) -> Settings:
    return load_settings(values, env_file=None)


def test_defaults() -> None:
    settings = load()
    assert settings.transport == "stdio"
    assert settings.host == "127.0.0.1"
    assert settings.port == 8000
    assert settings.streamable_http_path == "/mcp"
    assert settings.legacy_sse is True
    assert settings.allowed_spaces is None
    assert settings.auth_method is None


def test_environment_names_match_mcp_atlassian(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLUENCE_URL", "https://acme.atlassian.net/wiki")
    monkeypatch.setenv("CONFLUENCE_USERNAME", "me@example.com")
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", "tok")
    monkeypatch.setenv("CONFLUENCE_SPACES_FILTER", "dev, Ops ,")
    monkeypatch.setenv("READ_ONLY_MODE", "true")
    monkeypatch.setenv("ENABLED_TOOLS", "search,get_page")
    monkeypatch.setenv("TRANSPORT", "streamable-http")
    monkeypatch.setenv("PORT", "9001")
    monkeypatch.setenv("STATELESS_HTTP", "1")
    settings = load_settings(env_file=None)
    assert settings.auth_method == "basic"
    assert settings.allowed_spaces == frozenset({"DEV", "OPS"})
    assert settings.read_only_mode is True
    assert settings.enabled_tools == frozenset({"search", "get_page"})
    assert settings.transport == "http"
    assert settings.port == 9001
    assert settings.stateless_http is True
    assert settings.deployment == "cloud"


def test_dotenv_file_is_read_and_overrides_win(tmp_path: Path) -> None:
    env = tmp_path / "custom.env"
    env.write_text("CONFLUENCE_URL=https://wiki.example.com\nPORT=7000\n", encoding="utf-8")
    settings = load_settings({"port": 7100}, env_file=str(env))
    assert str(settings.confluence_url) == "https://wiki.example.com/"
    assert settings.port == 7100
    assert settings.deployment == "datacenter"


def test_secrets_never_in_repr() -> None:
    settings = load(**BASIC)
    assert "tok-123" not in repr(settings)
    assert "tok-123" not in str(settings.model_dump())


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"port": 0}, "PORT:"),
        ({"port": "eighty"}, "PORT:"),
        ({"transport": "pigeon"}, "TRANSPORT:"),
        ({"confluence_url": "not a url"}, "CONFLUENCE_URL:"),
        ({"streamable_http_path": "mcp"}, "STREAMABLE_HTTP_PATH:"),
        ({"toolsets": "read,everything"}, "TOOLSETS:"),
        ({"confluence_timeout": 0}, "CONFLUENCE_TIMEOUT:"),
        ({"confluence_username": "me"}, "CONFLUENCE_API_TOKEN is missing"),
        ({"confluence_api_token": "x"}, "CONFLUENCE_USERNAME is missing"),
        ({"confluence_oauth_token": "x"}, "CONFLUENCE_CLOUD_ID is required"),
        ({"confluence_url": "https://bob:hunter2@acme.atlassian.net"}, "user name or password"),
        ({"confluence_url": "https://acme.atlassian.net/wiki?x=1"}, "query string"),
    ],
)
def test_invalid_values_name_the_variable(values: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(**values)
    assert expected in str(info.value)
    assert "Traceback" not in str(info.value)
    assert "hunter2" not in str(info.value)


def test_pat_is_refused_for_cloud() -> None:
    with pytest.raises(ConfigError, match="Data Center credential"):
        load(confluence_url="https://acme.atlassian.net", confluence_personal_token="p")


def test_oauth_is_refused_for_datacenter() -> None:
    with pytest.raises(ConfigError, match="Cloud only"):
        load(
            confluence_url="https://wiki.example.com",
            confluence_deployment="datacenter",
            confluence_oauth_token="t",
            confluence_cloud_id="abc",
        )


def test_auth_precedence_and_deployment() -> None:
    pat = load(confluence_url="https://wiki.example.com", confluence_personal_token="p")
    assert (pat.auth_method, pat.deployment) == ("pat", "datacenter")
    oauth = load(
        confluence_url="https://wiki.example.com",
        confluence_oauth_token="t",
        confluence_cloud_id="abc",
        confluence_username="ignored",
    )
    assert (oauth.auth_method, oauth.deployment) == ("oauth", "cloud")
    # The SDK's rule, not a second one: /wiki on a host that is not Atlassian's is Data
    # Center (the SDK calls the same URL Data Center too).
    custom = load(
        confluence_url="http://127.0.0.1:8090/wiki",
        **{k: v for k, v in BASIC.items() if k != "confluence_url"},
    )
    assert custom.deployment == "datacenter"
    assert build_client(custom).deployment.value == "datacenter"
    gateway = load(
        confluence_url="https://api.atlassian.com/ex/confluence/abc/wiki",
        **{k: v for k, v in BASIC.items() if k != "confluence_url"},
    )
    assert gateway.deployment == "cloud"


@pytest.mark.parametrize("key", ["x", "hunter2-short-cursor-key", " " * 3 + "k" * 31])
def test_a_short_cursor_key_is_refused(key: str) -> None:
    # A short key can be found offline from any cursor's MAC, and then cursors forged.
    with pytest.raises(ConfigError) as info:
        load(mcp_cursor_key=key)
    assert "MCP_CURSOR_KEY: must be at least 32 characters" in str(info.value)
    assert key.strip() not in str(info.value)


def test_a_long_or_blank_cursor_key_is_accepted() -> None:
    key = "k" * 32
    settings = load(mcp_cursor_key=key)
    assert settings.mcp_cursor_key is not None
    assert settings.mcp_cursor_key.get_secret_value() == key
    assert load(mcp_cursor_key=" ").mcp_cursor_key is None


def test_blank_values_mean_unset() -> None:
    settings = load(**BASIC, confluence_personal_token="", confluence_oauth_token="  ")
    assert settings.auth_method == "basic"


def test_require_connection() -> None:
    with pytest.raises(ConfigError, match="CONFLUENCE_URL is not set"):
        load().require_connection()
    with pytest.raises(ConfigError, match="no Confluence credentials"):
        load(confluence_url="https://wiki.example.com").require_connection()
    load(**BASIC).require_connection()
