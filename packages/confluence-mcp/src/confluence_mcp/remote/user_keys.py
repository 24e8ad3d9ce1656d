"""``keys create --confluence-token-*`` and ``keys revoke``: API keys with their own
Confluence credential (``CONFLUENCE_AUTH_MODE=user-token``).

``create`` reads the token and checks it with Confluence *before* the key exists, so a wrong
token leaves no key behind; if storing the credential then fails, the new key is revoked
again. ``revoke`` deletes the key's credential from ``MCP_TOKEN_STORE`` after disabling it.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Sequence
from typing import TextIO

from confluence_mcp.errors import ConfigError
from confluence_mcp.identity.commands import TokenOptions

__all__ = ["run_with_credentials"]


def run_with_credentials(
    argv: Sequence[str],
    token_options: TokenOptions | None,
    *,
    run: Callable[[Sequence[str]], int],
    env_file: str | None,
    stdin: TextIO | None,
    stderr: TextIO,
) -> int:
    """Run ``create`` (with ``token_options``) or ``revoke`` through ``run`` (mcp-auth's key
    command), binding or deleting the key's Confluence credential around it."""
    from confluence_mcp.identity.binding import (
        bind_credential,
        bound_message,
        forget_credential,
        require_shared_store,
        verified_credential,
    )
    from confluence_mcp.identity.commands import api_key_principal
    from confluence_mcp.remote.settings import load_remote_settings
    from mcp_auth import revoke_api_key
    from mcp_auth.cli import build_keys_parser

    remote = load_remote_settings(env_file=env_file)
    default = remote.mcp_api_keys_file
    parser = build_keys_parser(default_file=str(default) if default is not None else None)
    try:
        # Silent: help or a usage error is printed once, by ``run`` under our own name.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            args, _unknown = parser.parse_known_args(list(argv))
    except SystemExit:
        return run(argv)  # --help, or a usage error: mcp-auth's own parser explains it
    if args.command == "revoke":
        status = run(argv)
        if status == 0:
            key, label = api_key_principal(args.file, args.key)
            try:
                if forget_credential(remote, key):
                    print(f"deleted the Confluence token bound to {label}", file=stderr)
            except ConfigError as exc:
                print(f"warning: the key is revoked, its Confluence token not: {exc}", file=stderr)
                return 1
        return status
    if token_options is None:
        return run(argv)
    require_shared_store(remote)
    token = token_options.read(stdin)
    credential = verified_credential(remote, token, username=token_options.username)
    status = run(argv)
    if status != 0:
        return status
    key, label = api_key_principal(args.file, args.name)
    try:
        bind_credential(remote, key, credential)
    except ConfigError as exc:
        revoke_api_key(args.file, key.removeprefix("api_key:"))
        raise type(exc)(f"{exc}; the new key was revoked again") from None
    print(bound_message(remote, label, credential), file=stderr)
    return 0
