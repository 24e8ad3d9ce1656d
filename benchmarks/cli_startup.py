"""How fast the CLI answers ``--version`` and ``--help`` (they must not import FastMCP, the MCP
SDK or the Confluence SDK).

Usage: ``uv run python benchmarks/cli_startup.py [--runs 15]``. Each command is spawned
``--runs`` times (alternately); prints the median and the fastest wall time of each, from
spawning the process to its exit. The console script of this environment is used (or
``python -m confluence_mcp`` without it).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = (["--version"], ["--help"])


def _command() -> list[str]:
    script = shutil.which("confluence-mcp", path=f"{sys.prefix}/bin")
    return [script] if script else [sys.executable, "-m", "confluence_mcp"]


def _once(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([*_command(), *argv], check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    _once(["--version"])  # warm the file cache and the bytecode
    times: dict[str, list[float]] = {" ".join(argv): [] for argv in COMMANDS}
    for _ in range(runs):
        for argv in COMMANDS:
            times[" ".join(argv)].append(_once(argv))
    print(f"confluence-mcp CLI start-up, {runs} runs each (wall time per process)")
    for name, samples in times.items():
        median, best = statistics.median(samples), min(samples)
        print(f"  {name:<10} median {median * 1000:7.1f} ms   fastest {best * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
