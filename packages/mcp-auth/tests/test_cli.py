"""The `mcp-auth keys` commands, through the reusable `keys_main(argv)` and `main`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from mcp_auth import APIKeyVerifier, list_api_keys
from mcp_auth.cli import keys_main, main, parse_expiry


def run(*argv: str, **options: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = keys_main(list(argv), stdout=out, stderr=err, **options)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


async def test_create_prints_the_key_once_and_it_verifies(tmp_path: Path) -> None:
    path = str(tmp_path / "keys.json")
    code, out, err = run(
        "create", "--file", path, "--name", "ci", "--scopes", "a b", "c,d", "--expires", "30d"
    )
    assert code == 0
    key = out.strip()
    assert "shown only once" in err
    assert key not in err
    principal = await APIKeyVerifier(path).verify(key)
    assert principal.scopes == {"a", "b", "c", "d"}
    assert principal.expires_at is not None
    assert principal.expires_at > datetime.now(timezone.utc) + timedelta(days=29)


def test_list_and_revoke(tmp_path: Path) -> None:
    path = str(tmp_path / "keys.json")
    assert run("list", "--file", path)[1] == "no keys\n"
    run("create", "--file", path, "--name", "ci", "--scopes", "read")
    code, out, _ = run("create", "--file", path, "--name", "old", "--json")
    created = json.loads(out)
    assert created["key"].startswith("mcpk_")
    assert created["status"] == "active"
    assert "hash" not in created
    code, out, _ = run("list", "--file", path)
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split() == ["ID", "NAME", "STATUS", "SCOPES", "CREATED", "EXPIRES"]
    assert [row.split()[1:4] for row in rows] == [["ci", "active", "read"], ["old", "active", "-"]]
    assert created["key"] not in out
    code, out, _ = run("revoke", "--file", path, "old")
    assert code == 0
    assert out.startswith(f"revoked key {created['id']}")
    listed = json.loads(run("list", "--file", path, "--json")[1])
    assert [(k["name"], k["status"]) for k in listed] == [("ci", "active"), ("old", "revoked")]
    assert all("hash" not in k for k in listed)


def test_expired_status_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    run("create", "--file", str(path), "--name", "soon", "--expires", "1m")
    document = json.loads(path.read_text())
    document["keys"][0]["expires"] = "2020-01-01T00:00:00Z"
    path.write_text(json.dumps(document))
    assert "expired" in run("list", "--file", str(path))[1]


def test_errors_exit_non_zero_with_a_message(tmp_path: Path) -> None:
    path = str(tmp_path / "keys.json")
    run("create", "--file", path, "--name", "ci")
    code, _, err = run("create", "--file", path, "--name", "ci")
    assert code == 1
    assert "already exists" in err
    code, _, err = run("revoke", "--file", path, "nobody")
    assert code == 1
    assert err.startswith("mcp-auth keys: error:")
    assert run("create", "--file", path)[0] == 2  # --name missing
    assert run("create", "--file", path, "--name", "x", "--expires", "yesterday")[0] == 2
    assert run("frobnicate")[0] == 2
    assert run("--help")[0] == 0


@pytest.mark.parametrize("given", [[], [""], [" , "]])
def test_scopes_naming_no_scope_are_refused(tmp_path: Path, given: list[str]) -> None:
    path = tmp_path / "keys.json"
    code, out, err = run("create", "--file", str(path), "--name", "ci", "--scopes", *given)
    assert code == 2
    assert "--scopes names no scope" in err
    assert out == ""
    assert not path.exists()  # no key made
    # Without --scopes at all, a key that only authenticates is still made on purpose.
    assert run("create", "--file", str(path), "--name", "ci")[0] == 0
    assert list_api_keys(path)[0].scopes == ()


def test_server_can_reuse_the_commands_with_its_own_name_and_default_file(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "server-keys.json")
    code, _, err = run("revoke", "x", prog="my-server keys", default_file=path)
    assert code == 1
    assert err.startswith("my-server keys: error:")
    assert run("create", "--name", "bot", prog="my-server keys", default_file=path)[0] == 0
    assert [r.name for r in list_api_keys(path)] == ["bot"]


def test_parse_expiry() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert parse_expiry("90d", now) == now + timedelta(days=90)
    assert parse_expiry("12h", now) == now + timedelta(hours=12)
    assert parse_expiry("30m", now) == now + timedelta(minutes=30)
    assert parse_expiry("2w", now) == now + timedelta(weeks=2)
    assert parse_expiry("2027-03-04", now) == datetime(2027, 3, 4, tzinfo=timezone.utc)
    assert parse_expiry("2027-03-04T05:06:07+02:00", now).utcoffset() == timedelta(hours=2)
    for bad in ("0d", "soon", "2025-01-01", "-5d"):
        with pytest.raises(ValueError, match="expiry"):
            parse_expiry(bad, now)


def test_main_dispatches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("mcp-auth ")
    assert main(["keys", "list", "--file", str(tmp_path / "k.json")]) == 0
    assert capsys.readouterr().out == "no keys\n"
    assert main([]) == 2
    assert "usage: mcp-auth keys" in capsys.readouterr().err
    assert main(["--help"]) == 0
    assert "usage" in capsys.readouterr().out


def test_console_script_module_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from mcp_auth.cli import main; raise SystemExit(main())",
            "keys",
            "create",
            "--file",
            str(tmp_path / "k.json"),
            "--name",
            "proc",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("mcpk_")


async def test_create_stores_claims_the_principal_carries(tmp_path: Path) -> None:
    path = str(tmp_path / "keys.json")
    code, out, _ = run(
        "create", "--file", path, "--name", "ci", "--claim", "spaces=DEMO,ENG", "--claim", "team=x"
    )
    assert code == 0
    principal = await APIKeyVerifier(path).verify(out.strip())
    assert principal.claims["spaces"] == ["DEMO", "ENG"]
    assert principal.claims["team"] == "x"
    code, listed, _ = run("list", "--file", path, "--json")
    assert json.loads(listed)[0]["claims"] == {"spaces": ["DEMO", "ENG"], "team": "x"}


def test_bad_claims_are_usage_or_configuration_errors(tmp_path: Path) -> None:
    path = str(tmp_path / "keys.json")
    assert run("create", "--file", path, "--name", "a", "--claim", "novalue")[0] == 2
    code, _, err = run("create", "--file", path, "--name", "b", "--claim", "key_id=x")
    assert code == 1
    assert "reserved" in err
    assert list_api_keys(path) == []
