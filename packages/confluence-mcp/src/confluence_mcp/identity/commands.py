"""``confluence-mcp users set-token|remove-token`` and ``keys create --confluence-token-*``.

In ``CONFLUENCE_AUTH_MODE=user-token`` every caller acts in Confluence with a credential an
administrator bound to it:

- an API key, when it is created (``keys create --name ann --scopes confluence:read
  --confluence-token-file ann.token --confluence-username ann@example.com``) or later
  (``users set-token --key ann --token-file ann.token ...``);
- a JWT or introspected token's subject: ``users set-token SUBJECT --token-file F``.

The token comes from a file or standard input (``--token-stdin``), never the command line.
Cloud API tokens go with the account's email (``--username``); without one the token is a
Data Center personal access token. Revoking a key (``keys revoke``) deletes its credential.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

# No module-level import of the server's errors: the CLI registers this command for --help,
# which must not load FastMCP.
if TYPE_CHECKING:
    from confluence_mcp.remote.settings import RemoteSettings

__all__ = [
    "USERS_COMMAND",
    "TokenOptions",
    "add_users_command",
    "api_key_principal",
    "run_users",
    "split_token_options",
]

USERS_COMMAND = "users"
_EXIT_STATUS = (
    "exit status: 0 done, 1 Confluence refused the token (or the token store failed), "
    "2 bad usage or configuration"
)


@dataclass(frozen=True)
class TokenOptions:
    """Where ``keys create`` reads the Confluence token from, and for which user name."""

    file: str | None
    stdin: bool
    username: str | None

    def read(self, stdin: TextIO | None = None) -> str:
        from confluence_mcp.identity.binding import read_token

        return read_token(None if self.stdin else self.file, stdin=stdin)


def add_users_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``users set-token`` and ``users remove-token`` in the CLI."""
    users = commands.add_parser(
        USERS_COMMAND,
        help="bind Confluence tokens to callers (CONFLUENCE_AUTH_MODE=user-token)",
        epilog=_EXIT_STATUS,
    )
    actions = users.add_subparsers(dest="users_command", required=True, metavar="COMMAND")
    set_token = actions.add_parser(
        "set-token",
        help="bind a Confluence API token (Cloud) or personal access token (Data Center)",
        epilog=_EXIT_STATUS,
    )
    _who(set_token)
    source = set_token.add_mutually_exclusive_group(required=True)
    source.add_argument("--token-file", metavar="FILE", help="file holding the token alone")
    source.add_argument("--token-stdin", action="store_true", help="read the token from stdin")
    set_token.add_argument(
        "--username", metavar="EMAIL", help="Cloud: the account's email (basic auth)"
    )
    remove = actions.add_parser("remove-token", help="forget a caller's Confluence token")
    _who(remove)
    for parser in (set_token, remove):
        parser.add_argument("--env-file", default=argparse.SUPPRESS, metavar="FILE")


def _who(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("subject", nargs="?", help="the JWT / introspection subject (sub)")
    parser.add_argument("--key", metavar="ID_OR_NAME", help="an API key instead of a subject")


def run_users(
    args: argparse.Namespace,
    remote: RemoteSettings,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Run ``users set-token|remove-token``; returns the exit status (errors raise
    :class:`ConfigError`, which the CLI prints and exits with 2, or its
    :class:`ServiceRefusedError` for a refused token, 1)."""
    from confluence_mcp.identity.binding import (
        bind_credential,
        bound_message,
        forget_credential,
        read_token,
        verified_credential,
    )

    out = stdout or sys.stdout
    key, label = _principal(args, remote)
    if args.users_command == "remove-token":
        found = forget_credential(remote, key)
        print(f"{'removed' if found else 'no'} Confluence token for {label}", file=out)
        return 0
    token = read_token(None if args.token_stdin else args.token_file, stdin=stdin)
    credential = verified_credential(remote, token, username=args.username)
    bind_credential(remote, key, credential)
    print(bound_message(remote, label, credential), file=out)
    return 0


def _principal(args: argparse.Namespace, remote: RemoteSettings) -> tuple[str, str]:
    from confluence_mcp.errors import ConfigError
    from confluence_mcp.identity.credentials import subject_principal_id

    if (args.subject is None) == (args.key is None):
        raise ConfigError("name either a SUBJECT or --key ID_OR_NAME (one of them)")
    if args.key is not None:
        if remote.mcp_api_keys_file is None:
            raise ConfigError("MCP_API_KEYS_FILE is not set: there are no API keys to bind")
        return api_key_principal(remote.mcp_api_keys_file, args.key)
    return subject_principal_id(args.subject), f"subject {args.subject!r}"


def api_key_principal(key_file: str | os.PathLike[str], id_or_name: str) -> tuple[str, str]:
    """The principal id and a label of the key ``id_or_name`` in ``key_file``."""
    from confluence_mcp.errors import ConfigError
    from mcp_auth import MCPAuthError, list_api_keys

    try:
        records = list_api_keys(key_file)
    except MCPAuthError as exc:
        raise ConfigError(exc.message) from None
    # An id wins over a name, as in ``keys revoke``.
    matches = [r for r in records if r.id == id_or_name] or [
        r for r in records if r.name == id_or_name
    ]
    if not matches:
        raise ConfigError(f"no API key with id or name {id_or_name!r}")
    record = matches[0]
    return f"api_key:{record.id}", f"key {record.id} ({record.name})"


_TOKEN_FLAGS = ("--confluence-token-file", "--confluence-username")


def split_token_options(argv: Sequence[str]) -> tuple[list[str], TokenOptions | None]:
    """``keys create`` arguments without the ``--confluence-token-*`` options, and those."""
    from confluence_mcp.errors import ConfigError

    rest: list[str] = []
    values: dict[str, str] = {}
    stdin = False
    words = list(argv)
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        name, equals, value = word.partition("=")
        if word == "--confluence-token-stdin":
            stdin = True
        elif name in _TOKEN_FLAGS:
            if not equals:
                if index >= len(words):
                    raise ConfigError(f"{name} needs a value")
                value = words[index]
                index += 1
            values[name] = value
        else:
            rest.append(word)
    file = values.get("--confluence-token-file")
    username = values.get("--confluence-username")
    if file is None and not stdin:
        if username is not None:
            raise ConfigError(
                "--confluence-username goes with --confluence-token-file or "
                "--confluence-token-stdin"
            )
        return rest, None
    if file is not None and stdin:
        raise ConfigError("use --confluence-token-file or --confluence-token-stdin, not both")
    return rest, TokenOptions(file=file, stdin=stdin, username=username)
