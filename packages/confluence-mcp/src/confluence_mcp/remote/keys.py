"""``confluence-mcp keys create|list|revoke``: mcp-auth's API key commands under our CLI.

The key file defaults to ``MCP_API_KEYS_FILE`` (read with the server's other settings), so
``confluence-mcp keys create --name ci --scopes confluence:read`` writes where the server
reads. The key itself is printed once; only its hash is stored. ``create --spaces DEMO,ENG``
limits the key to those spaces (within ``CONFLUENCE_SPACES_FILTER``): it becomes mcp-auth's
``--claim spaces=DEMO,ENG`` on the key record.

``create --confluence-token-file F`` (or ``--confluence-token-stdin``, with
``--confluence-username EMAIL`` for a Cloud API token) binds the key to its own Confluence
credential (``CONFLUENCE_AUTH_MODE=user-token``): checked with Confluence before the key is
made, stored encrypted in ``MCP_TOKEN_STORE``. ``revoke`` deletes that credential too.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import TextIO

from confluence_mcp.remote.scopes import KNOWN_SCOPES

__all__ = [
    "KEYS_COMMAND",
    "KNOWN_SCOPES",
    "add_keys_command",
    "add_passthrough_command",
    "run_keys",
]

KEYS_COMMAND = "keys"

# mcp-auth's parser documents its own options; these are ours, taken out before it parses.
_CREATE_HELP = """
confluence-mcp options:
  --spaces KEY[,KEY ...]
                        limit the key to these spaces (within CONFLUENCE_SPACES_FILTER)
  --confluence-token-file FILE
                        bind the key to this Confluence token (CONFLUENCE_AUTH_MODE=user-
                        token): checked with Confluence first, stored encrypted in
                        MCP_TOKEN_STORE (needs MCP_TOKEN_ENCRYPTION_KEY)
  --confluence-token-stdin
                        read that token from standard input instead
  --confluence-username EMAIL
                        the email of the Cloud account the API token belongs to (none for a
                        Data Center personal access token)

exit status: 0 done, 1 Confluence refused the token (or the token store failed; no key is
left), 2 bad usage or configuration"""


def add_passthrough_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, *, help: str
) -> None:
    """Register ``name`` in the CLI's sub-commands with every word after it, unparsed, in
    ``<name>_args`` (for mcp-auth's own parser)."""
    parser = commands.add_parser(
        name,
        help=help,
        add_help=False,
        # No option prefix here: every word, "--help" and "-h" included, is handed to
        # mcp-auth's own parser unchanged.
        prefix_chars="+",
    )
    parser.add_argument(f"{name}_args", nargs=argparse.REMAINDER)


def add_keys_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``keys`` in the CLI's sub-commands (its arguments are parsed by mcp-auth)."""
    add_passthrough_command(
        commands, KEYS_COMMAND, help="create, list or revoke API keys (MCP_API_KEYS_FILE)"
    )


def run_keys(
    argv: Sequence[str],
    *,
    env_file: str | None = ".env",
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run a key command (``argv`` after ``keys``); returns the exit status."""
    from confluence_mcp.errors import ConfigError, ServiceRefusedError
    from confluence_mcp.identity.commands import split_token_options

    err = stderr or sys.stderr
    if argv[:1] == ["create"] and ("-h" in argv or "--help" in argv):
        status = _run_plain(["create", "--help"], env_file=env_file, stdout=stdout, stderr=err)
        print(_CREATE_HELP, file=stdout or sys.stdout)
        return status
    try:
        argv, token_options = split_token_options(argv) if argv[:1] == ["create"] else (argv, None)
    except ConfigError as exc:
        print(f"confluence-mcp keys: {exc}", file=err)
        return 2
    if token_options is None and argv[:1] != ["revoke"]:
        return _run_plain(argv, env_file=env_file, stdout=stdout, stderr=err)
    from confluence_mcp.remote.user_keys import run_with_credentials

    try:
        return run_with_credentials(
            argv,
            token_options,
            run=lambda words: _run_plain(words, env_file=env_file, stdout=stdout, stderr=err),
            env_file=env_file,
            stdin=stdin,
            stderr=err,
        )
    except ConfigError as exc:
        print(f"confluence-mcp keys: {exc}", file=err)
        # As the whole CLI: 1 when Confluence or the token store said no, 2 for bad usage.
        return 1 if isinstance(exc, ServiceRefusedError) else 2


def _run_plain(
    argv: Sequence[str], *, env_file: str | None, stdout: TextIO | None, stderr: TextIO
) -> int:
    from mcp_auth.cli import keys_main

    err = stderr
    unknown = _unknown_scopes(argv)
    if unknown:
        print(
            f"confluence-mcp keys: unknown scope(s) {', '.join(unknown)}; this server knows "
            f"{', '.join(KNOWN_SCOPES)}",
            file=err,
        )
        return 2
    try:
        argv = _spaces_as_claim(argv)
    except ValueError as exc:
        print(f"confluence-mcp keys: {exc}", file=err)
        return 2
    return keys_main(
        list(argv),
        prog="confluence-mcp keys",
        default_file=_default_file(env_file),
        stdout=stdout or sys.stdout,
        stderr=err,
    )


def _spaces_as_claim(argv: Sequence[str]) -> list[str]:
    """``create --spaces A,B C`` (or ``--spaces=A,B``) as ``--claim spaces=A,B,C``."""
    from confluence_mcp.remote.principal_spaces import KEY_SPACES_CLAIM

    words = list(argv)
    if not words or words[0] != "create":
        return words
    out: list[str] = []
    spaces: list[str] | None = None
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if word == "--spaces" or word.startswith("--spaces="):
            values = [word.partition("=")[2]] if "=" in word else []
            while "=" not in word and index < len(words) and not words[index].startswith("-"):
                values.append(words[index])
                index += 1
            spaces = (spaces or []) + [
                part.upper() for value in values for part in re.split(r"[\s,]+", value) if part
            ]
            if not spaces:
                raise ValueError("--spaces needs space keys, e.g. --spaces DEMO,ENG")
            continue
        out.append(word)
    if spaces is not None:
        # The trailing comma makes mcp-auth store a list, even for a single space.
        out += ["--claim", f"{KEY_SPACES_CLAIM}={','.join(sorted(set(spaces)))},"]
    return out


def _unknown_scopes(argv: Sequence[str]) -> list[str]:
    """Scopes given to ``create --scopes`` that no tool of this server requires."""
    if not argv or argv[0] != "create" or "--scopes" not in argv:
        return []
    given: list[str] = []
    for word in argv[argv.index("--scopes") + 1 :]:
        if word.startswith("--"):
            break
        given.extend(part for part in re.split(r"[\s,]+", word) if part)
    return [scope for scope in given if scope not in KNOWN_SCOPES]


def _default_file(env_file: str | None) -> str | None:
    from confluence_mcp.remote.settings import load_remote_settings

    path = load_remote_settings(env_file=env_file).mcp_api_keys_file
    return str(path) if path is not None else None
