"""Files several processes share: an exclusive writer lock, and JSON replaced atomically.

The API key file and the file token store are both rewritten whole by one process while others
read them (a server reloading keys, a replica looking up a token), so each write goes to a
sibling temp file that is renamed over the old one: readers see the old or the new content,
never half of it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["locked", "write_json_atomically"]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive POSIX advisory lock on ``<path>.lock`` (0600, beside ``path``).

    On Windows only the atomic rename protects readers.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":  # pragma: no cover
        yield
        return
    import fcntl

    lock_fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock_fd)


def write_json_atomically(
    path: Path,
    document: Any,
    *,
    indent: int,
    trailing_newline: bool = False,
    prepare: Callable[[str], None],
) -> None:
    """Write ``document`` as JSON to a synced sibling temp file (created 0600), let
    ``prepare(temp_name)`` set its mode and owner, then rename it over ``path``."""
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=indent)
            if trailing_newline:
                handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        prepare(temp_name)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
