"""The key file's mode and owner: set by `create` (API and CLI), kept by every rewrite."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from mcp_auth import AuthConfigurationError, create_api_key, list_api_keys, revoke_api_key
from mcp_auth._key_file_access import parse_owner
from mcp_auth.cli import keys_main

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
OTHER_UID, OTHER_GID = 10001, 10002  # e.g. the image's user: not the test runner


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = keys_main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_a_given_mode_is_set_and_kept_by_later_creates_and_revokes(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    create_api_key(path, "first", mode=0o644)
    assert mode_of(path) == 0o644
    create_api_key(path, "second")
    assert mode_of(path) == 0o644
    revoke_api_key(path, "first")
    assert mode_of(path) == 0o644
    create_api_key(path, "third", mode=0o640)
    assert mode_of(path) == 0o640
    assert [r.name for r in list_api_keys(path)] == ["first", "second", "third"]


def test_a_new_file_without_a_mode_is_0600(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    create_api_key(path, "bot")
    assert mode_of(path) == 0o600


@pytest.mark.parametrize("mode", [0o664, 0o646, 0o777, 0o1644, 0o4600, 0o044, 0o200])
def test_unsafe_modes_are_refused_before_anything_is_written(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "keys.json"
    with pytest.raises(AuthConfigurationError, match=f"mode {mode:04o} refused"):
        create_api_key(path, "bot", mode=mode)
    assert not path.exists()


def test_a_rewrite_tightens_a_file_others_could_write(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    create_api_key(path, "bot", mode=0o644)
    os.chmod(path, 0o666)  # noqa: S103 - an operator's mistake, under test
    revoke_api_key(path, "bot")
    assert mode_of(path) == 0o600


@pytest.mark.skipif(not IS_ROOT, reason="giving a file to another user needs root")
def test_as_root_an_owner_is_set_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    create_api_key(path, "first", owner=(OTHER_UID, OTHER_GID))
    assert (path.stat().st_uid, path.stat().st_gid) == (OTHER_UID, OTHER_GID)
    assert mode_of(path) == 0o600
    create_api_key(path, "second")
    revoke_api_key(path, "first")
    assert (path.stat().st_uid, path.stat().st_gid) == (OTHER_UID, OTHER_GID)
    create_api_key(path, "third", owner=(0, -1))  # gid -1: the group stays
    assert (path.stat().st_uid, path.stat().st_gid) == (0, OTHER_GID)


@pytest.mark.skipif(IS_ROOT or not hasattr(os, "geteuid"), reason="root may change owners")
def test_without_root_an_owner_is_a_clear_error_and_the_file_is_unchanged(
    tmp_path: Path,
) -> None:
    path = tmp_path / "keys.json"
    create_api_key(path, "first")
    before = path.read_bytes()
    with pytest.raises(AuthConfigurationError, match="needs root"):
        create_api_key(path, "second", owner=(OTHER_UID, OTHER_GID))
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys.json", "keys.json.lock"]


def test_parse_owner() -> None:
    assert parse_owner("10001") == (10001, -1)
    assert parse_owner(" 10001:10002 ") == (10001, 10002)
    for bad in ("mcp", "10001:", "-1", "1:-5", "1:2:3", ""):
        with pytest.raises(AuthConfigurationError, match="owner"):
            parse_owner(bad)


def test_cli_create_takes_mode_and_owner(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    owner = f"{os.getuid()}:{os.getgid()}" if hasattr(os, "getuid") else None
    extra = ["--owner", owner] if owner else []
    code, out, err = run("create", "--file", str(path), "--name", "ci", "--mode", "0644", *extra)
    assert code == 0, err
    assert out.startswith("mcpk_")
    assert mode_of(path) == 0o644


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--mode", "0664", "mode 0664 refused"),
        ("--mode", "rw-r--r--", "invalid mode"),
        ("--owner", "mcp", "numeric UID or UID:GID"),
    ],
)
def test_cli_refuses_bad_mode_or_owner_as_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    path = tmp_path / "keys.json"
    code, out, _ = run("create", "--file", str(path), "--name", "ci", option, value)
    assert code == 2
    assert message in capsys.readouterr().err  # argparse's usage error
    assert out == ""
    assert not path.exists()
