"""Settings → verifiers, the scope policy over every tool, the audit log targets."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest

from confluence_mcp.app import create_server
from confluence_mcp.errors import ConfigError
from confluence_mcp.registry import tool_catalog
from confluence_mcp.remote import (
    SCOPE_ADMIN,
    SCOPE_DELETE,
    SCOPE_READ,
    SCOPE_WRITE,
    RemoteSettings,
    build_audit_logger,
    confluence_scope_policy,
)
from confluence_mcp.remote.auth import build_verifiers
from confluence_mcp.settings import Settings
from mcp_auth import (
    APIKeyVerifier,
    AuditLogger,
    IntrospectionVerifier,
    JWTVerifier,
    MemorySink,
    create_api_key,
)

RESOURCE = "https://mcp.example.com/mcp"


def make(**values: Any) -> RemoteSettings:
    return RemoteSettings(_env_file=None, core=Settings(_env_file=None), **values)


# A P-256 public key (public material: nothing secret in a test constant).
PUBLIC_KEY_PEM = """-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEe7213mgvxvgTu/lEJdUKDA/vZ1wy
zFvZ0Wce7Lu2ZqQNWchTW2DwMqGirB3B39YIUadLM7cVxuaALzIpRDLIKw==
-----END PUBLIC KEY-----
"""


def public_key_file(tmp_path: Path) -> Path:
    path = tmp_path / "public.pem"
    path.write_text(PUBLIC_KEY_PEM)
    return path


# Tools that change who may see or edit content also need confluence:admin (issue 13).
ADMIN_TOOLS = frozenset({"set_page_restriction"})


def expected_scopes(tool: str) -> set[str]:
    """The issues' classification, by name: a second opinion on the tools' tags."""
    if tool.startswith(("delete_", "remove_")):
        return {SCOPE_DELETE}
    writes = (
        *("create_", "update_", "edit_", "move_", "add_", "upload_", "reply_"),
        *("resolve_", "copy_", "set_"),
    )
    if tool in ADMIN_TOOLS:
        return {SCOPE_WRITE, SCOPE_ADMIN}
    if tool.startswith(writes):
        return {SCOPE_WRITE}
    return {SCOPE_READ}


def test_every_tool_maps_to_its_scopes(remote_settings_for: Any) -> None:
    policy = confluence_scope_policy()
    catalog = tool_catalog(create_server(remote_settings_for().core))
    assert len(catalog) >= 20
    for tool, tags in catalog.items():
        assert policy.required_scopes(tool, tags) == expected_scopes(tool), tool
    assert catalog.keys() >= ADMIN_TOOLS
    assert set(policy.scopes_supported) == {SCOPE_READ, SCOPE_WRITE, SCOPE_DELETE, SCOPE_ADMIN}
    writer = [SCOPE_READ, SCOPE_WRITE]
    assert not policy.allows(writer, "set_page_restriction", catalog["set_page_restriction"])
    assert policy.allows(
        [*writer, SCOPE_ADMIN], "set_page_restriction", catalog["set_page_restriction"]
    )


async def test_resources_and_prompts_need_read(remote_settings_for: Any) -> None:
    policy = confluence_scope_policy()
    mcp = create_server(remote_settings_for().core)
    components = [
        *(await mcp.list_resource_templates()),
        *(await mcp.list_resources()),
        *(await mcp.list_prompts()),
    ]
    assert len(components) >= 5
    for component in components:
        assert policy.required_scopes(component.name, component.tags) == {SCOPE_READ}, (
            component.name
        )


def test_untagged_operations_need_every_scope() -> None:
    policy = confluence_scope_policy()
    assert policy.required_scopes("future_tool") == {SCOPE_READ, SCOPE_WRITE, SCOPE_DELETE}
    assert not policy.allows([SCOPE_READ], "future_tool")


def test_no_method_configured_means_no_verifiers() -> None:
    assert build_verifiers(make(), resource_url=RESOURCE) == []


def test_all_three_methods(tmp_path: Path) -> None:
    create_api_key(tmp_path / "keys.json", "ci")
    settings = make(
        mcp_api_keys_file=tmp_path / "keys.json",
        mcp_jwt_public_key=public_key_file(tmp_path),
        mcp_jwt_issuer="https://idp.example.com/",
        mcp_jwt_audience=RESOURCE,
        mcp_oauth_introspection_url="https://idp.example.com/introspect",
        mcp_oauth_client_id="mcp",
        mcp_oauth_client_secret="secret-value",
    )
    verifiers = build_verifiers(settings, resource_url=RESOURCE)
    assert [type(v) for v in verifiers] == [APIKeyVerifier, JWTVerifier, IntrospectionVerifier]
    assert isinstance(verifiers[2], IntrospectionVerifier)
    assert verifiers[2].audiences == {RESOURCE}


def test_jwks_verifier_and_introspection_audience_defaults_to_resource() -> None:
    settings = make(
        mcp_jwt_jwks_url="https://idp.example.com/jwks.json",
        mcp_jwt_issuer="https://idp.example.com/",
        mcp_jwt_audience="api://confluence",
        mcp_jwt_algorithms="RS256",
    )
    [jwt] = build_verifiers(settings, resource_url=RESOURCE)
    assert isinstance(jwt, JWTVerifier)
    only_introspection = make(
        mcp_oauth_introspection_url="https://idp.example.com/introspect",
        mcp_oauth_client_id="mcp",
        mcp_oauth_client_secret="secret-value",
    )
    [introspection] = build_verifiers(only_introspection, resource_url=RESOURCE)
    assert isinstance(introspection, IntrospectionVerifier)
    assert introspection.audiences == {RESOURCE}


def test_configuration_errors_name_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="authentication settings"):
        build_verifiers(make(mcp_api_keys_file=tmp_path / "missing.json"), resource_url=RESOURCE)
    with pytest.raises(ConfigError, match="MCP_JWT_PUBLIC_KEY"):
        build_verifiers(
            make(
                mcp_jwt_public_key=tmp_path / "missing.pem",
                mcp_jwt_issuer="i",
                mcp_jwt_audience="a",
            ),
            resource_url=RESOURCE,
        )
    with pytest.raises(ConfigError, match="authentication settings"):
        build_verifiers(
            make(
                mcp_oauth_introspection_url="ftp://idp.example.com/introspect",
                mcp_oauth_client_id="mcp",
                mcp_oauth_client_secret="secret-value",
            ),
            resource_url=RESOURCE,
        )


def test_audit_log_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    off = build_audit_logger("off")
    off.config_warning("nothing")
    off.close()
    for target in ("stderr", "stdout"):
        logger = build_audit_logger(target)
        logger.config_warning("hello", setting="X")
        logger.close()
    captured = capsys.readouterr()
    assert '"event":"config.warning"' in captured.err
    assert '"event":"config.warning"' in captured.out
    path = tmp_path / "audit.jsonl"
    to_file = build_audit_logger(str(path))
    to_file.config_warning("to file")
    to_file.close()
    assert "to file" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ConfigError, match="MCP_AUDIT_LOG"):
        build_audit_logger(str(tmp_path / "no-such-dir" / "audit.jsonl"))


def test_memory_audit_fixture_is_synchronous(audit: AuditLogger, audit_sink: MemorySink) -> None:
    audit.config_warning("x")
    assert len(audit_sink.events) == 1
