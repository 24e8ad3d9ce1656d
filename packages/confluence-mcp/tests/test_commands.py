"""``check`` and ``demo`` through the CLI entry point, against the fake Confluence."""

import logging
from pathlib import Path
from typing import Any

import pytest
from fastmcp import Client, FastMCP

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp import serving
from confluence_mcp.cli import main
from confluence_mcp.http.serving import endpoint_urls
from confluence_mcp.remote.settings import RemoteSettings
from confluence_mcp.settings import Settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)


def point_at(monkeypatch: pytest.MonkeyPatch, fake: FakeConfluenceServer, token: str) -> None:
    monkeypatch.setenv("CONFLUENCE_URL", fake.wiki_url)
    monkeypatch.setenv("CONFLUENCE_DEPLOYMENT", "cloud")  # a loopback URL infers Data Center
    monkeypatch.setenv("CONFLUENCE_USERNAME", fake.credentials.username)
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", token)


@pytest.fixture
def configured(
    clean_env: None, monkeypatch: pytest.MonkeyPatch, fake_confluence: FakeConfluenceServer
) -> pytest.MonkeyPatch:
    """The environment, pointed at the fake Confluence with working credentials."""
    point_at(monkeypatch, fake_confluence, fake_confluence.credentials.api_token)
    return monkeypatch


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    """``serve`` replaced: each run's settings are recorded and its URLs announced."""
    seen: list[Settings] = []

    async def fake_serve(mcp: FastMCP[Any], remote: RemoteSettings, **kwargs: Any) -> None:
        seen.append(remote.core)
        for url in endpoint_urls(remote.core):
            kwargs["announce"](url)

    monkeypatch.setattr(serving, "serve", fake_serve)
    return seen


def test_check_prints_user_and_spaces(
    configured: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configured.setenv("CONFLUENCE_SPACES_FILTER", "ENG")
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "Signed in as:" in out
    assert "Visible spaces (1): ENG" in out


def test_check_and_serve_warn_of_a_replica_id_stateless_mode_ignores(
    configured: pytest.MonkeyPatch,
    served: list[Settings],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name, value in {
        "TRANSPORT": "http",
        "STATELESS_HTTP": "true",
        "MCP_REPLICA_ID": "r1",
    }.items():
        configured.setenv(name, value)
    warning = "MCP_REPLICA_ID=r1 has no effect with STATELESS_HTTP=true"
    with caplog.at_level(logging.WARNING, logger="confluence_mcp.remote"):
        assert main(["check"]) == 0  # warned, not refused
    assert warning in caplog.text
    assert warning in capsys.readouterr().err  # the config.warning audit event (stderr)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="confluence_mcp.remote"):
        assert main(["serve"]) == 0
    assert len(served) == 1
    assert warning in caplog.text
    configured.setenv("STATELESS_HTTP", "false")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="confluence_mcp.remote"):
        assert main(["check"]) == 0
    assert "MCP_REPLICA_ID" not in caplog.text


def test_check_fails_on_configured_spaces_that_do_not_exist(
    configured: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configured.setenv("CONFLUENCE_SPACES_FILTER", "NOPE")
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert "Visible spaces (0)" in captured.out
    assert "CONFLUENCE_SPACES_FILTER" in captured.err
    assert "NOPE" in captured.err
    configured.setenv("CONFLUENCE_SPACES_FILTER", "eng,NOPE,DEMO")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert err.rstrip().endswith(": NOPE")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ENABLED_TOOLS": "foo"}, "foo"),
        (
            {"TRANSPORT": "http", "HOST": "0.0.0.0"},  # noqa: S104 - the refused bind
            "refusing to serve without authentication",
        ),
        ({"MCP_RATE_LIMIT": "often"}, "MCP_RATE_LIMIT"),
        (
            {"TRANSPORT": "http", "MCP_RATE_LIMIT_STORAGE": "memcached://127.0.0.1:11211"},
            "MCP_RATE_LIMIT_STORAGE: unsupported storage 'memcached'",
        ),
        (
            {"TRANSPORT": "http", "MCP_RATE_LIMIT_STORAGE": "redis://:s3cret@127.0.0.1:x/0"},
            "MCP_RATE_LIMIT_STORAGE: the port is not a number",
        ),
        ({"TRANSPORT": "http", "MCP_REPLICA_ID": "r1.a"}, "MCP_REPLICA_ID: use 1 to 32"),
    ],
)
def test_check_refuses_what_serve_refuses(
    env: dict[str, str],
    message: str,
    configured: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in env.items():
        configured.setenv(name, value)
    assert main(["check"]) == 2
    checked = capsys.readouterr()
    assert main(["serve"]) == 2
    served = capsys.readouterr()
    assert message in checked.err
    assert "s3cret" not in checked.err
    assert checked.err == served.err  # the same refusal, word for word
    assert "Signed in as" not in checked.out


def test_check_names_a_wrong_base_path(
    configured: pytest.MonkeyPatch,
    fake_confluence: FakeConfluenceServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    wrong = fake_confluence.wiki_url.rstrip("/").removesuffix("/wiki") + "/confluence"
    configured.setenv("CONFLUENCE_URL", wrong)
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "this URL does not look like a Confluence site (HTTP 404 at /confluence/" in err
    assert "page" not in err.lower()


def test_env_file_is_accepted_before_or_after_the_command(
    monkeypatch: pytest.MonkeyPatch,
    fake_confluence: FakeConfluenceServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env_file = Path("site.env")
    env_file.write_text(
        f"CONFLUENCE_URL={fake_confluence.wiki_url}\n"
        f"CONFLUENCE_USERNAME={fake_confluence.credentials.username}\n"
        f"CONFLUENCE_API_TOKEN={fake_confluence.credentials.api_token}\n",
        encoding="utf-8",
    )
    assert main(["--env-file", str(env_file), "check"]) == 0
    assert main(["check", "--env-file", str(env_file)]) == 0
    assert main(["check", f"--env-file={env_file}"]) == 0
    assert capsys.readouterr().out.count("Signed in as:") == 3
    assert main(["check"]) == 2  # no .env here: nothing configured


@pytest.mark.parametrize(
    "argv",
    [
        ["--env-file", "missing.env", "check"],
        ["check", "--env-file", "missing.env"],
        ["--env-file", "missing.env"],
        ["serve", "--env-file", "missing.env"],
        ["--env-file", "missing.env", "keys", "list"],
    ],
)
def test_missing_env_file_is_an_error_naming_it(
    argv: list[str],
    configured: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "--env-file missing.env: no such file" in captured.err
    assert "Signed in as" not in captured.out


def test_check_fails_clearly_on_bad_credentials(
    monkeypatch: pytest.MonkeyPatch,
    fake_confluence: FakeConfluenceServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    point_at(monkeypatch, fake_confluence, "wrong-token")
    assert main(["check"]) == 1
    captured = capsys.readouterr()
    assert "HTTP 401" in captured.err
    assert "wrong-token" not in captured.err + captured.out


def test_check_fails_clearly_when_unreachable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONFLUENCE_URL", "http://127.0.0.1:9/wiki")
    monkeypatch.setenv("CONFLUENCE_USERNAME", "u")
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", "t")
    monkeypatch.setenv("CONFLUENCE_TIMEOUT", "2")
    assert main(["check"]) == 1
    assert "Could not reach Confluence" in capsys.readouterr().err


def test_demo_serves_against_the_fake(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, Any] = {}

    async def fake_serve(mcp: FastMCP[Any], remote: RemoteSettings, **kwargs: Any) -> None:
        seen["settings"] = remote.core
        for url in endpoint_urls(remote.core):
            kwargs["announce"](url)
        async with Client(mcp) as client:
            spaces = await client.call_tool("list_spaces", {})
            seen["spaces"] = [space["key"] for space in spaces.structured_content["spaces"]]

    monkeypatch.setattr(serving, "serve", fake_serve)
    monkeypatch.setenv("CONFLUENCE_PERSONAL_TOKEN", "a-real-token-that-must-not-be-used")
    assert main(["demo", "--port", "8123"]) == 0
    settings: Settings = seen["settings"]
    assert settings.transport == "http"
    assert settings.port == 8123
    assert settings.auth_method == "basic"
    assert {"DEMO", "ENG"} <= set(seen["spaces"])
    err = capsys.readouterr().err
    assert "http://127.0.0.1:8123/mcp" in err
    assert "Inspector" in err


def test_serve_runs_the_configured_transport(
    configured: pytest.MonkeyPatch,
    served: list[Settings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--transport", "http", "--port", "8124", "--stateless", "--read-only"]) == 0
    assert served[0].stateless_http is True
    assert served[0].read_only_mode is True
    assert "http://127.0.0.1:8124/mcp" in capsys.readouterr().err
    env_file = Path("other.env")
    env_file.write_text("PORT=8125\n", encoding="utf-8")
    assert main(["--env-file", str(env_file), "serve", "--transport", "sse"]) == 0
    assert (served[1].transport, served[1].port) == ("sse", 8125)
    # The process-wide observability ends with the server: a later one does not inherit it.
    from confluence_mcp.remote import current_observability

    assert current_observability() is None


def test_busy_port_is_one_clear_message(
    configured: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["--transport", "http", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err
    assert "serving" not in err
    assert "Traceback" not in err
