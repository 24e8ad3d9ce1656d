"""RemoteSettings: env names, parsing, validation messages, secrets, the core it holds."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from confluence_mcp.errors import ConfigError
from confluence_mcp.remote import RemoteSettings, load_remote_settings
from confluence_mcp.settings import Settings


def make(**values: Any) -> RemoteSettings:
    return RemoteSettings(_env_file=None, core=Settings(_env_file=None), **values)


def test_defaults_are_safe() -> None:
    settings = make()
    assert not settings.auth_configured
    assert settings.mcp_allow_unauthenticated is False
    assert settings.mcp_rate_limit == "120/minute"
    assert settings.mcp_audit_log == "stderr"
    assert settings.mcp_metrics == "none"
    assert settings.log_format == "text"


def test_reads_documented_env_names(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = {
        "MCP_API_KEYS_FILE": str(tmp_path / "keys.json"),
        "MCP_JWT_JWKS_URL": "https://idp.example.com/jwks.json",
        "MCP_JWT_ISSUER": "https://idp.example.com/",
        "MCP_JWT_AUDIENCE": "https://mcp.example.com/mcp, other",
        "MCP_JWT_ALGORITHMS": "RS256,ES256",
        "MCP_OAUTH_INTROSPECTION_URL": "https://idp.example.com/introspect",
        "MCP_OAUTH_CLIENT_ID": "mcp",
        "MCP_OAUTH_CLIENT_SECRET": "s3cret-value",
        "MCP_AUTH_SERVERS": "https://idp.example.com/",
        "MCP_PUBLIC_URL": "https://mcp.example.com/",
        "MCP_ALLOW_UNAUTHENTICATED": "true",
        "MCP_RATE_LIMIT": "10/second",
        "MCP_CORS_ORIGINS": "https://app.example.com",
        "MCP_ALLOWED_ORIGINS": "https://a.example.com,https://b.example.com",
        "MCP_MAX_BODY_BYTES": "2048",
        "MCP_AUDIT_LOG": "off",
        "MCP_METRICS": "Prometheus",
        "LOG_FORMAT": "JSON",
        "LOG_LEVEL": "debug",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = make()
    assert settings.mcp_api_keys_file == tmp_path / "keys.json"
    assert settings.mcp_jwt_audience == ("https://mcp.example.com/mcp", "other")
    assert settings.mcp_jwt_algorithms == ("RS256", "ES256")
    assert settings.mcp_public_url == "https://mcp.example.com"
    assert settings.mcp_allowed_origins == ("https://a.example.com", "https://b.example.com")
    assert settings.mcp_rate_limit == "10/second"
    assert settings.mcp_max_body_bytes == 2048
    assert settings.mcp_metrics == "prometheus"
    assert (settings.log_format, settings.log_level) == ("json", "DEBUG")
    assert settings.auth_configured
    assert settings.jwt_configured
    assert "s3cret-value" in settings.secret_values
    assert "s3cret-value" not in repr(settings)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"mcp_jwt_jwks_url": "https://x/jwks"}, "MCP_JWT_ISSUER and MCP_JWT_AUDIENCE"),
        (
            {
                "mcp_jwt_jwks_url": "https://x/jwks",
                "mcp_jwt_public_key": "key.pem",
                "mcp_jwt_issuer": "i",
                "mcp_jwt_audience": "a",
            },
            "not both",
        ),
        ({"mcp_oauth_introspection_url": "https://x/introspect"}, "MCP_OAUTH_CLIENT_ID"),
        ({"mcp_rate_limit": "lots"}, "120/minute"),
        ({"mcp_public_url": "mcp.example.com"}, "http(s) URL"),
        ({"mcp_max_body_bytes": 10}, "greater than or equal"),
        ({"log_format": "xml"}, "json"),
    ],
)
def test_invalid_values_are_explained(values: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make(**values)


def test_rate_limits_can_be_switched_off() -> None:
    settings = make(mcp_rate_limit="off", mcp_ip_rate_limit=" ")
    assert (settings.mcp_rate_limit, settings.mcp_ip_rate_limit) == ("off", "off")


def test_default_rates_parse_as_limits_reads_them() -> None:
    # The settings accept the defaults without asking limits (start-up need not load it).
    from limits import parse_many

    from confluence_mcp.remote.settings import DEFAULT_IP_RATE_LIMIT, DEFAULT_RATE_LIMIT

    for rate in (DEFAULT_RATE_LIMIT, DEFAULT_IP_RATE_LIMIT):
        assert parse_many(rate)
    settings = make(mcp_rate_limit=" 120/MINUTE ")
    assert (settings.mcp_rate_limit, settings.mcp_ip_rate_limit) == ("120/minute", "600/minute")


def test_blank_values_mean_unset() -> None:
    settings = make(mcp_api_keys_file="", mcp_oauth_client_secret=" ", mcp_public_url="")
    assert settings.mcp_api_keys_file is None
    assert settings.mcp_oauth_client_secret is None
    assert settings.mcp_public_url is None


def test_one_loader_reads_both_layers_from_env_file_and_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env_file = tmp_path / "server.env"
    env_file.write_text(
        "MCP_RATE_LIMIT=7/minute\nTRANSPORT=http\nCONFLUENCE_USERNAME=from-file\n"
        "CONFLUENCE_API_TOKEN=tok-from-file\n"
    )
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("CONFLUENCE_USERNAME", "from-env")
    monkeypatch.setenv("CORE", "not json")  # never parsed: ``core`` is given, not read
    loaded = load_remote_settings({"port": 9000, "host": None}, env_file=str(env_file))
    assert (loaded.mcp_rate_limit, loaded.log_level) == ("7/minute", "DEBUG")
    assert (loaded.core.transport, loaded.core.port, loaded.core.host) == (
        "http",
        9000,
        "127.0.0.1",
    )
    assert loaded.core.confluence_username == "from-env"  # the environment beats the file
    assert "tok-from-file" in loaded.secret_values  # core secrets are redacted too
    assert "tok-from-file" not in repr(loaded)
    monkeypatch.delenv("CONFLUENCE_USERNAME")
    monkeypatch.setenv("MCP_RATE_LIMIT", "often")
    with pytest.raises(ConfigError, match="MCP_RATE_LIMIT"):
        load_remote_settings(env_file=None)
    monkeypatch.setenv("PORT", "0")
    with pytest.raises(ConfigError, match="PORT"):
        load_remote_settings(env_file=None)


def test_core_settings_do_not_depend_on_the_remote_layer() -> None:
    assert not issubclass(Settings, RemoteSettings)
    assert not set(Settings.model_fields) & set(RemoteSettings.model_fields)
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, confluence_mcp.settings; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "'confluence_mcp.settings'" in loaded
    assert "confluence_mcp.remote" not in loaded


def test_cors_wildcard_is_refused_without_authentication(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"MCP_CORS_ORIGINS=\* is refused"):
        make(mcp_cors_origins="*")
    settings = make(mcp_cors_origins="*", mcp_api_keys_file=tmp_path / "keys.json")
    assert settings.mcp_cors_origins == ("*",)
