import json
import subprocess
import sys
from pathlib import Path

import pytest

from confluence_mcp import __version__
from confluence_mcp.cli import main


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "CONFLUENCE_URL",
        "CONFLUENCE_USERNAME",
        "CONFLUENCE_API_TOKEN",
        "CONFLUENCE_PERSONAL_TOKEN",
        "CONFLUENCE_OAUTH_TOKEN",
        "TRANSPORT",
        "PORT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_version_flag_prints_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


@pytest.mark.parametrize(("command", "default"), [("serve", "stdio"), ("demo", "http")])
def test_help_names_the_transport_each_command_really_defaults_to(
    command: str, default: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert f"or sse only (default {default})" in text
    assert "stdio (default)" not in text


def test_missing_url_is_a_config_error_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "configuration error" in err
    assert "CONFLUENCE_URL is not set" in err
    assert "Traceback" not in err


def test_invalid_port_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "http")
    assert main(["serve"]) == 2
    assert "PORT:" in capsys.readouterr().err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--transport", "carrier-pigeon"]) == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["usage", "--help"], ["usage"], ["--env-file", "x", "sevre"]])
def test_an_unknown_command_is_refused_by_name(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "invalid choice" in captured.err
    assert repr(argv[-1] if argv[-1] != "--help" else argv[0]) in captured.err
    assert "--transport" not in captured.out + captured.err  # not serve's help


def test_secret_is_never_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CONFLUENCE_URL", "not a url")
    monkeypatch.setenv("CONFLUENCE_USERNAME", "me@example.com")
    monkeypatch.setenv("CONFLUENCE_API_TOKEN", "super-secret-token")
    assert main(["check"]) == 2
    captured = capsys.readouterr()
    assert "CONFLUENCE_URL:" in captured.err
    assert "super-secret-token" not in captured.err + captured.out


# Heavy packages that answering --help or --version must not import.
HEAVY = ("fastmcp", "mcp", "mcp_types", "confluence_client", "atlassian", "requests")
_PROBE = """\
import contextlib, io, json, sys
from confluence_mcp.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(json.loads(sys.argv[1]))
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize(
    "argv",
    [["--version"], ["--help"], ["serve", "--help"], ["demo", "--help"], ["check", "--help"]],
)
def test_help_and_version_import_nothing_heavy(argv: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(argv)],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["code"] == 0
    assert "confluence-mcp" in result["out"]
    loaded = {name.split(".")[0] for name in result["modules"]}
    assert "confluence_mcp" in loaded  # the probe did run the CLI
    assert not loaded & {*HEAVY, "pydantic_settings"}
