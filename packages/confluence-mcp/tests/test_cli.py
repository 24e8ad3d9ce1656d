import pytest

from confluence_mcp import __version__
from confluence_mcp.cli import main


def test_version_flag_prints_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert __version__ in capsys.readouterr().out


def test_unbuilt_server_exits_with_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "not built yet" in capsys.readouterr().err
