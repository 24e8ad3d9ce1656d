"""RemoteSettings: env names, parsing, validation messages, secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from confluence_mcp.errors import ConfigError
from confluence_mcp.remote import RemoteSettings, remote_settings


def make(**values: Any) -> RemoteSettings:
    return RemoteSettings(_env_file=None, **values)


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


def test_blank_values_mean_unset() -> None:
    settings = make(mcp_api_keys_file="", mcp_oauth_client_secret=" ", mcp_public_url="")
    assert settings.mcp_api_keys_file is None
    assert settings.mcp_oauth_client_secret is None
    assert settings.mcp_public_url is None


def test_remote_settings_uses_the_object_or_reads_the_env(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = make(mcp_rate_limit="5/second")
    assert remote_settings(own) is own
    monkeypatch.setenv("MCP_RATE_LIMIT", "7/minute")
    assert remote_settings(object()).mcp_rate_limit == "7/minute"
    monkeypatch.setenv("MCP_RATE_LIMIT", "often")
    with pytest.raises(ConfigError, match="MCP_RATE_LIMIT"):
        remote_settings(object())


def test_cors_wildcard_is_refused_without_authentication(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"MCP_CORS_ORIGINS=\* is refused"):
        make(mcp_cors_origins="*")
    settings = make(mcp_cors_origins="*", mcp_api_keys_file=tmp_path / "keys.json")
    assert settings.mcp_cors_origins == ("*",)
