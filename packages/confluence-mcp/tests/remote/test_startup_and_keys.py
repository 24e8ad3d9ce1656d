"""The safe-by-default start-up check and the keys command."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from confluence_mcp.errors import ConfigError
from confluence_mcp.remote import RemoteSettings, check_startup_safety, run_keys
from confluence_mcp.remote.keys import KEYS_COMMAND, add_keys_command
from confluence_mcp.remote.startup import ignored_replica_id
from confluence_mcp.settings import Settings
from mcp_auth import AuditLogger, MemorySink, list_api_keys

ANY_HOST = "0.0.0.0"  # noqa: S104 - the wildcard bind these tests are about


def make(
    *, ssl_verify: bool = True, core_values: dict[str, object] | None = None, **values: object
) -> RemoteSettings:
    core = Settings(
        _env_file=None,  # type: ignore[call-arg]
        confluence_ssl_verify=ssl_verify,
        **(core_values or {}),  # type: ignore[arg-type]
    )
    return RemoteSettings(_env_file=None, core=core, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize("host", [ANY_HOST, "::", "10.1.2.3", "mcp.example.com"])
def test_refuses_unauthenticated_non_loopback(host: str) -> None:
    with pytest.raises(ConfigError, match="refusing to serve without authentication") as raised:
        check_startup_safety(make(), host=host, transport="http")
    assert "MCP_ALLOW_UNAUTHENTICATED" in str(raised.value)


@pytest.mark.parametrize(
    ("host", "transport"), [("127.0.0.1", "http"), ("localhost", "sse"), (ANY_HOST, "stdio")]
)
def test_loopback_and_stdio_need_no_auth(host: str, transport: str) -> None:
    check_startup_safety(make(), host=host, transport=transport)


def test_configured_auth_allows_any_host(tmp_path: Path) -> None:
    check_startup_safety(
        make(mcp_api_keys_file=tmp_path / "k.json"), host=ANY_HOST, transport="http"
    )


def test_explicit_opt_out_warns_loudly(caplog: pytest.LogCaptureFixture) -> None:
    sink = MemorySink()
    audit = AuditLogger([sink], background=False)
    with caplog.at_level(logging.WARNING, logger="confluence_mcp.remote"):
        check_startup_safety(
            make(mcp_allow_unauthenticated=True), host=ANY_HOST, transport="http", audit=audit
        )
    assert "WITHOUT authentication" in caplog.text
    [event] = sink.events
    assert event.event == "config.warning"
    assert event.setting == "MCP_ALLOW_UNAUTHENTICATED"


@pytest.mark.parametrize(
    ("core_values", "reason"),
    [
        ({"transport": "http", "stateless_http": True}, "STATELESS_HTTP=true"),
        ({"transport": "sse"}, "TRANSPORT=sse"),
        ({"transport": "http"}, None),  # stateful: the replica id routes sessions
        ({"transport": "stdio"}, None),  # no HTTP at all: nothing to say
    ],
)
def test_a_replica_id_without_sessions_is_named(
    core_values: dict[str, object], reason: str | None
) -> None:
    note = ignored_replica_id(make(core_values=core_values, mcp_replica_id="r1"))
    if reason is None:
        assert note is None
    else:
        assert note is not None
        assert note.startswith("MCP_REPLICA_ID=r1 has no effect")
        assert reason in note
    assert ignored_replica_id(make(core_values=core_values)) is None


@pytest.mark.parametrize("origin", ["*", "https://*.example.com"])
def test_prod_refuses_a_wildcard_cors_origin(tmp_path: Path, origin: str) -> None:
    settings = make(
        mcp_environment="prod", mcp_api_keys_file=tmp_path / "k.json", mcp_cors_origins=origin
    )
    with pytest.raises(ConfigError, match="MCP_CORS_ORIGINS") as raised:
        check_startup_safety(settings, host=ANY_HOST, transport="http")
    assert "MCP_ENVIRONMENT=prod" in str(raised.value)


def test_prod_refuses_disabled_tls_verification() -> None:
    with pytest.raises(ConfigError, match="CONFLUENCE_SSL_VERIFY=false") as raised:
        check_startup_safety(
            make(mcp_environment="prod", ssl_verify=False), host="127.0.0.1", transport="http"
        )
    assert "MCP_ENVIRONMENT=prod" in str(raised.value)


@pytest.mark.parametrize("environment", [None, "dev", "staging"])
def test_other_environments_tolerate_what_prod_refuses(
    tmp_path: Path, environment: str | None
) -> None:
    settings = make(
        ssl_verify=False,
        mcp_environment=environment,
        mcp_api_keys_file=tmp_path / "k.json",
        mcp_cors_origins="*",
    )
    check_startup_safety(settings, host=ANY_HOST, transport="http")


def test_prod_with_explicit_origins_and_tls_starts(tmp_path: Path) -> None:
    settings = make(
        mcp_environment="prod",
        mcp_api_keys_file=tmp_path / "k.json",
        mcp_cors_origins="https://app.example.com",
    )
    check_startup_safety(settings, host=ANY_HOST, transport="http")


def test_environment_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCP_ENVIRONMENT", " PROD ")
    assert make().mcp_environment == "prod"
    monkeypatch.setenv("MCP_ENVIRONMENT", "")
    assert make().mcp_environment is None
    monkeypatch.setenv("MCP_ENVIRONMENT", "production")
    with pytest.raises(ValueError, match="mcp_environment"):
        make()


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    out, err = io.StringIO(), io.StringIO()
    code = run_keys(
        ["create", "--file", str(path), "--name", "ci", "--scopes", "confluence:read", "--json"],
        stdout=out,
        stderr=err,
        env_file=None,
    )
    assert code == 0, err.getvalue()
    created = json.loads(out.getvalue())
    assert created["key"].startswith("mcpk_")
    [record] = list_api_keys(path)
    assert record.name == "ci"
    assert "confluence:read" in record.scopes
    assert created["key"] not in path.read_text()
    listed = io.StringIO()
    assert run_keys(["list", "--file", str(path)], stdout=listed, env_file=None) == 0
    assert "ci" in listed.getvalue()
    assert run_keys(["revoke", "--file", str(path), "ci"], stdout=io.StringIO(), env_file=None) == 0


def test_keys_create_refuses_scopes_naming_no_scope(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    err = io.StringIO()
    argv = ["create", "--file", str(path), "--name", "ci", "--scopes", "--spaces", "DEMO"]
    assert run_keys(argv, stdout=io.StringIO(), stderr=err, env_file=None) == 2
    assert err.getvalue().startswith("confluence-mcp keys create: error: --scopes names no scope")
    assert not path.exists()


def test_keys_create_mode_makes_the_file_readable_by_the_image_user(tmp_path: Path) -> None:
    # The image runs as uid 10001: a key file made on the host must be readable by it.
    path = tmp_path / "keys.json"
    argv = ["create", "--file", str(path), "--name", "ci", "--scopes", "confluence:read"]
    assert run_keys([*argv, "--mode", "0644"], stdout=io.StringIO(), env_file=None) == 0
    assert path.stat().st_mode & 0o777 == 0o644
    assert run_keys(["revoke", "--file", str(path), "ci"], stdout=io.StringIO(), env_file=None) == 0
    assert path.stat().st_mode & 0o777 == 0o644


def test_keys_file_defaults_to_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "from-env.json"
    monkeypatch.setenv("MCP_API_KEYS_FILE", str(path))
    assert run_keys(["create", "--name", "a"], stdout=io.StringIO(), env_file=None) == 0
    assert path.exists()
    monkeypatch.delenv("MCP_API_KEYS_FILE")
    dotenv = tmp_path / ".env"
    other = tmp_path / "from-dotenv.json"
    dotenv.write_text(f"MCP_API_KEYS_FILE={other}\n")
    assert run_keys(["create", "--name", "b"], stdout=io.StringIO(), env_file=str(dotenv)) == 0
    assert other.exists()
    empty = tmp_path / "empty.env"
    empty.write_text("OTHER=1\n")
    err = io.StringIO()
    assert run_keys(["list"], stdout=io.StringIO(), stderr=err, env_file=str(empty)) == 2


def test_keys_subparser() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    add_keys_command(commands)
    args = parser.parse_args([KEYS_COMMAND, "create", "--name", "x", "--scopes", "a b"])
    assert args.command == "keys"
    assert args.keys_args == ["create", "--name", "x", "--scopes", "a b"]


def test_keys_help_and_options_reach_mcp_auth() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command")
    add_keys_command(commands)
    assert parser.parse_args(["keys", "--help"]).keys_args == ["--help"]
    assert parser.parse_args(["keys", "-h"]).keys_args == ["-h"]
    out = io.StringIO()
    assert run_keys(["list", "--help"], stdout=out, env_file=None) == 0


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_keys_create_help_lists_this_servers_options_too(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # The options the README documents for `keys create` are parsed here, not by mcp-auth,
    # so its help alone would not show them.
    argv = ["create", "--name", "x", "--confluence-token-file", "t", flag]
    assert run_keys(argv, env_file=None) == 0
    out = capsys.readouterr().out
    assert "--scopes" in out  # mcp-auth's own options
    assert "--mode OCTAL" in out
    for option in (
        "--spaces",
        "--confluence-token-file",
        "--confluence-token-stdin",
        "--confluence-username",
    ):
        assert option in out.partition("confluence-mcp options:")[2], option


def test_keys_refuse_unknown_scopes(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    err = io.StringIO()
    code = run_keys(
        [
            "create",
            "--file",
            str(path),
            "--name",
            "x",
            "--scopes",
            "confluence:read,confluence:superuser",
        ],
        stdout=io.StringIO(),
        stderr=err,
        env_file=None,
    )
    assert code == 2
    assert "confluence:superuser" in err.getvalue()
    assert not path.exists()
    ok = run_keys(
        ["create", "--file", str(path), "--scopes", "confluence:write", "--name", "y"],
        stdout=io.StringIO(),
        env_file=None,
    )
    assert ok == 0


def test_keys_create_refuses_a_name_with_control_characters(tmp_path: Path) -> None:
    import io

    from confluence_mcp.remote.keys import run_keys

    out, err = io.StringIO(), io.StringIO()
    status = run_keys(
        [
            "create",
            "--file",
            str(tmp_path / "k.json"),
            "--name",
            "ci\x1b[2J\nforged",
            "--scopes",
            "confluence:read",
        ],
        env_file=None,
        stdout=out,
        stderr=err,
    )
    assert status != 0
    assert "\x1b" not in out.getvalue() + err.getvalue()
    assert "control or bidirectional" in err.getvalue()


@pytest.mark.parametrize(
    ("argv", "status"), [(["revoke", "--help"], 0), (["revoke", "-h"], 0), (["revoke"], 2)]
)
def test_keys_revoke_help_and_usage_errors_are_printed_once(
    argv: list[str], status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # revoke is parsed once more (to delete the key's Confluence token): that parse must not
    # print its own copy of the help or the error, under mcp-auth's program name.
    assert run_keys(argv, env_file=None) == status
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert printed.count("usage:") == 1, printed
    assert "mcp-auth" not in printed
    assert "confluence-mcp keys revoke" in printed
