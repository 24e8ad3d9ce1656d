"""The `mcp-auth` command line: `mcp-auth keys create|list|revoke --file PATH ...` and
`mcp-auth audit report AUDIT_FILE ...`.

`keys_main(argv)` and `audit_main(argv)` hold the commands so that a server can offer them
under its own name (`my-server keys ...`, `my-server audit ...`) by passing its argv tail
and `prog`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from typing import TextIO

from mcp_auth._api_keys import APIKeyRecord, create_api_key, list_api_keys, revoke_api_key
from mcp_auth._compat import parse_datetime
from mcp_auth._errors import MCPAuthError
from mcp_auth._key_file_access import check_key_file_mode, parse_owner
from mcp_auth._key_format import DEFAULT_KEY_PREFIX, PREFIX_RULE, is_valid_prefix

__all__ = ["audit_main", "build_keys_parser", "keys_main", "main", "parse_duration", "parse_expiry"]

_DURATION_RE = re.compile(r"(\d+)([mhdw])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta | None:
    """`90d`, `12h`, `30m` or `2w` as a timedelta; None when `text` is not such a duration."""
    duration = _DURATION_RE.fullmatch(text.strip())
    if duration is None:
        return None
    return timedelta(**{_UNITS[duration.group(2)]: int(duration.group(1))})


def parse_expiry(text: str, now: datetime | None = None) -> datetime:
    """A duration such as `90d`, `12h`, `30m`, `2w` from now, or an ISO 8601 date/time
    (naive values are taken as UTC)."""
    now = now or datetime.now(timezone.utc)
    text = text.strip()
    duration = parse_duration(text)
    if duration is not None:
        if duration <= timedelta(0):
            raise ValueError("expiry duration must be positive")
        return (now + duration).replace(microsecond=0)
    try:
        moment = parse_datetime(text)
    except ValueError:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"invalid expiry {text!r}: use a duration like 90d/12h or an ISO 8601 date"
            ) from None
        moment = datetime(day.year, day.month, day.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    if moment <= now:
        raise ValueError("expiry must be in the future")
    return moment


def _expiry_arg(text: str) -> datetime:
    try:
        return parse_expiry(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _prefix_arg(text: str) -> str:
    if not is_valid_prefix(text):
        raise argparse.ArgumentTypeError(PREFIX_RULE)
    return text


def _mode_arg(text: str) -> int:
    try:
        mode = int(text, 8)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid mode {text!r}: use octal, e.g. 0644") from None
    try:
        return check_key_file_mode(mode)
    except MCPAuthError as error:
        raise argparse.ArgumentTypeError(error.message) from None


def _owner_arg(text: str) -> tuple[int, int]:
    try:
        return parse_owner(text)
    except MCPAuthError as error:
        raise argparse.ArgumentTypeError(error.message) from None


def _claim_arg(text: str) -> tuple[str, str | list[str]]:
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"invalid claim {text!r}: use NAME=VALUE")
    if "," in value:
        return name, [part.strip() for part in value.split(",") if part.strip()]
    return name, value.strip()


def _scopes(values: Sequence[str]) -> list[str]:
    # Accept "--scopes a b", "--scopes 'a b'" and "--scopes a,b" alike.
    return [scope for value in values for scope in re.split(r"[\s,]+", value) if scope]


def build_keys_parser(
    prog: str = "mcp-auth keys", *, default_file: str | None = None
) -> argparse.ArgumentParser:
    """The argument parser of the key commands (`create`, `list`, `revoke`)."""
    parser = argparse.ArgumentParser(prog=prog, description="Manage API keys in a key file.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument(
            "--file",
            required=default_file is None,
            default=default_file,
            metavar="PATH",
            help="key file (JSON; created by `create` when missing)",
        )
        return sub

    create = add("create", "Create a key; prints it once (only its hash is stored).")
    create.add_argument("--name", required=True, help="unique name, e.g. the bot using it")
    create.add_argument(
        "--scopes",
        nargs="*",
        metavar="SCOPE",
        help="granted scopes (leave the option out for a key that only authenticates)",
    )
    create.add_argument(
        "--expires", type=_expiry_arg, metavar="WHEN", help="duration (90d, 12h) or ISO date"
    )
    create.add_argument(
        "--claim",
        action="append",
        type=_claim_arg,
        default=[],
        metavar="NAME=VALUE",
        help="an attribute for the server (repeatable; VALUE a,b,c stores a list)",
    )
    create.add_argument("--prefix", type=_prefix_arg, default=DEFAULT_KEY_PREFIX, help="key prefix")
    create.add_argument(
        "--mode",
        type=_mode_arg,
        metavar="OCTAL",
        help="key file mode, e.g. 0644 for a server running as another user (default: 0600 "
        "for a new file, else unchanged)",
    )
    create.add_argument(
        "--owner",
        type=_owner_arg,
        metavar="UID[:GID]",
        help="give the key file to the server's user, e.g. 10001:10001 (needs root)",
    )
    create.add_argument("--json", action="store_true", help="machine-readable output")

    listing = add("list", "List keys (never secrets).")
    listing.add_argument("--json", action="store_true", help="machine-readable output")

    revoke = add("revoke", "Revoke (disable) a key by id or name.")
    revoke.add_argument("key", metavar="ID_OR_NAME")
    return parser


def _status(record: APIKeyRecord, now: datetime) -> str:
    if record.disabled:
        return "revoked"
    return "expired" if record.is_expired(now) else "active"


def _public(record: APIKeyRecord, now: datetime) -> dict[str, object]:
    data = record.model_dump(mode="json", exclude={"hash"})
    data["status"] = _status(record, now)
    return data


def _print_table(records: Sequence[APIKeyRecord], out: TextIO) -> None:
    if not records:
        print("no keys", file=out)
        return
    now = datetime.now(timezone.utc)
    rows = [
        (
            r.id,
            r.name,
            _status(r, now),
            " ".join(r.scopes) or "-",
            r.created.isoformat(),
            r.expires.isoformat() if r.expires else "never",
        )
        for r in records
    ]
    headers = ("ID", "NAME", "STATUS", "SCOPES", "CREATED", "EXPIRES")
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]
    for row in (headers, *rows):
        print(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(), file=out
        )


def keys_main(
    argv: Sequence[str] | None = None,
    *,
    prog: str = "mcp-auth keys",
    default_file: str | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run a key command; returns the exit status (0 ok, 1 refused, 2 usage error)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = build_keys_parser(prog, default_file=default_file)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help
        return 0 if exc.code in (0, None) else 2
    # "--scopes" with nothing after it (often an unset shell variable) would silently make a
    # key that every scoped tool refuses.
    if args.command == "create" and args.scopes is not None and not _scopes(args.scopes):
        print(
            f"{prog} create: error: --scopes names no scope: give them (--scopes a b, or a,b) "
            "or leave --scopes out for a key that only authenticates",
            file=err,
        )
        return 2
    now = datetime.now(timezone.utc)
    try:
        if args.command == "create":
            created = create_api_key(
                args.file,
                args.name,
                _scopes(args.scopes or []),
                expires_at=args.expires,
                prefix=args.prefix,
                claims=dict(args.claim),
                mode=args.mode,
                owner=args.owner,
            )
            if args.json:
                print(json.dumps({"key": created.key, **_public(created.record, now)}), file=out)
            else:
                print(created.key, file=out)
                print(
                    f"created key {created.record.id} ({created.record.name}); the key above is "
                    "shown only once: store it in a secret manager now",
                    file=err,
                )
        elif args.command == "list":
            records = list_api_keys(args.file)
            if args.json:
                print(json.dumps([_public(r, now) for r in records], indent=2), file=out)
            else:
                _print_table(records, out)
        else:
            record = revoke_api_key(args.file, args.key)
            print(f"revoked key {record.id} ({record.name})", file=out)
    except MCPAuthError as error:
        print(f"{prog}: error: {error.message}", file=err)
        return 1
    return 0


def audit_main(
    argv: Sequence[str] | None = None,
    *,
    prog: str = "mcp-auth audit",
    chart_extra: str = "mcp-auth[chart]",
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run an audit command (`report`); returns the exit status (0 ok, 1 failed, 2 usage)."""
    from mcp_auth._usage_cli import run_audit_command

    return run_audit_command(
        argv,
        prog=prog,
        chart_extra=chart_extra,
        stdout=stdout or sys.stdout,
        stderr=stderr or sys.stderr,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `mcp-auth` console script."""
    from mcp_auth import __version__

    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] in (["--version"], ["-V"]):
        print(f"mcp-auth {__version__}")
        return 0
    if args[:1] == ["keys"]:
        return keys_main(args[1:])
    if args[:1] == ["audit"]:
        return audit_main(args[1:])
    print(
        "usage: mcp-auth keys {create,list,revoke} --file PATH ...\n"
        "       mcp-auth audit report AUDIT_FILE [--since 7d] [--by tool|principal|day] ...\n"
        "       mcp-auth --version",
        file=sys.stderr if args[:1] not in (["-h"], ["--help"]) else sys.stdout,
    )
    return 0 if args[:1] in (["-h"], ["--help"]) else 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
