"""Who may read the API key file: its mode and owner, chosen at creation, kept on rewrites.

A server in a container often runs as another user than the one creating keys (the image's
uid 10001, keys made by root or by the developer), so `create` can set the file's mode
(`0644`, `0640` ...) and owner. Every later rewrite (another `create`, `revoke`) keeps them:
a revocation must not make the file unreadable to the server that has to see it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mcp_auth._errors import AuthConfigurationError

__all__ = ["DEFAULT_KEY_FILE_MODE", "check_key_file_mode", "give_access", "parse_owner"]

DEFAULT_KEY_FILE_MODE = 0o600
_MODE_RULE = (
    "use an octal mode the owner can read and only the owner could write, e.g. 0600, 0640 or 0644"
)


def _is_safe(mode: int) -> bool:
    return (
        not mode & ~0o777 and not mode & (stat.S_IWGRP | stat.S_IWOTH) and bool(mode & stat.S_IRUSR)
    )


def check_key_file_mode(mode: int) -> int:
    """`mode` when it is a safe key file mode, else an `AuthConfigurationError`."""
    if not _is_safe(mode):
        raise AuthConfigurationError(f"key file mode {mode:04o} refused: {_MODE_RULE}")
    return mode


def parse_owner(text: str) -> tuple[int, int]:
    """`UID` or `UID:GID` (numbers, as a container's user is given) as `(uid, gid)`;
    gid -1 keeps the group (the replaced file's, else ours)."""
    uid, sep, gid = text.strip().partition(":")
    try:
        owner = (int(uid), int(gid) if sep else -1)
    except ValueError:
        raise AuthConfigurationError(
            f"invalid owner {text!r}: use numeric UID or UID:GID, e.g. 10001:10001"
        ) from None
    if owner[0] < 0 or (sep and owner[1] < 0):
        raise AuthConfigurationError(f"invalid owner {text!r}: ids are not negative")
    return owner


def give_access(
    new_file: str, replaced: Path, mode: int | None, owner: tuple[int, int] | None
) -> None:
    """Set `new_file`'s mode and owner before it replaces `replaced`: the given ones, else
    those of the file it replaces (its owner only when we may change owners, as root; an
    unsafe old mode falls back to 0600), else 0600 and ours."""
    try:
        previous: os.stat_result | None = replaced.stat()
    except FileNotFoundError:
        previous = None
    if mode is None:
        old_mode = stat.S_IMODE(previous.st_mode) if previous is not None else 0
        mode = old_mode if _is_safe(old_mode) else DEFAULT_KEY_FILE_MODE
    os.chmod(new_file, check_key_file_mode(mode))
    if not hasattr(os, "chown"):  # pragma: no cover - Windows has no owners to keep
        return
    if owner is None and previous is not None and os.geteuid() == 0:
        owner = (previous.st_uid, previous.st_gid)
    if owner is None:
        return
    if owner[1] == -1 and previous is not None:  # "group unchanged": the replaced file's
        owner = (owner[0], previous.st_gid)
    try:
        os.chown(new_file, *owner)
    except PermissionError:
        raise AuthConfigurationError(
            f"cannot give the key file to uid {owner[0]}: changing a file's owner needs "
            "root; run as root, or choose a mode the server's user can read (e.g. 0644)"
        ) from None
