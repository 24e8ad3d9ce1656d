"""A real Debian ``redis-server`` on a free loopback port, for the token store's tests.

Started without persistence in a temporary directory and stopped by its PID. Missing binary:
the test is skipped with a loud reason, except under ``CI=true`` where it fails (``.ci/run``
installs the ``redis-server`` package).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

__all__ = ["running_redis"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_redis(directory: Path) -> Iterator[str]:
    """Yield ``redis://127.0.0.1:<port>/0`` while a private redis-server runs."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = (
            "!!! redis-server is not installed: the Redis token store was NOT tested "
            "(apt-get install redis-server) !!!"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
            "--protected-mode",
            "yes",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"redis-server exited ({process.returncode})"
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "redis-server did not start in 30 s"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)
