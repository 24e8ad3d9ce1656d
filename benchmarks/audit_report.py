"""``audit report`` over a large audit log: throughput and peak memory (it must stream).

Usage: ``uv run python benchmarks/audit_report.py [--size-mb 1024] [--gzip] [--keep DIR]``.
Writes an audit log of about ``--size-mb`` MB of realistic ``tool.call`` / ``authz.denied``
/ ``rate_limit.exceeded`` / ``auth.failure`` lines (40 tools, 200 principals, 30 days), then
runs ``mcp-auth audit report FILE --by tool --format json`` in a child process and prints its
wall time, lines per second and peak resident memory (``ru_maxrss`` of the child). Memory
that stayed near the interpreter's own footprint while reading a file many times larger is
the point.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

TOOLS = [f"tool_{i:02d}" for i in range(40)]
PRINCIPALS = [f"user{i:03d}@example.com" for i in range(200)]


def write_log(path: Path, size_mb: int, compress: bool) -> int:
    rng = random.Random(1)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)  # noqa: UP017 (matches the package)
    target = size_mb * 1024 * 1024
    written = lines = 0
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as out:
        while written < target:
            chunk = []
            for _ in range(10_000):
                moment = start + timedelta(seconds=rng.randrange(30 * 86_400))
                stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
                roll = rng.random()
                base = {
                    "timestamp": stamp,
                    "request_id": f"{rng.getrandbits(64):016x}",
                    "remote_addr": "10.0.0.1",
                    "subject": rng.choice(PRINCIPALS),
                    "auth_method": "api_key",
                }
                if roll < 0.90:
                    event = {
                        "event": "tool.call",
                        **base,
                        "operation": rng.choice(TOOLS),
                        "outcome": "error" if rng.random() < 0.03 else "success",
                        "duration_ms": round(rng.lognormvariate(4, 1), 3),
                        "arguments": {"page_id": 8, "format": 10},
                    }
                elif roll < 0.95:
                    event = {
                        "event": "authz.denied",
                        **base,
                        "reason": "insufficient_scope",
                        "operation": rng.choice(TOOLS),
                        "missing_scopes": ["confluence:write"],
                    }
                elif roll < 0.98:
                    event = {"event": "rate_limit.exceeded", **base, "limit": "120/minute"}
                else:
                    event = {"event": "auth.failure", "timestamp": stamp, "reason": "expired"}
                chunk.append(json.dumps(event, separators=(",", ":")))
            text = "\n".join(chunk) + "\n"
            out.write(text)
            written += len(text)
            lines += len(chunk)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=256, help="uncompressed size to write")
    parser.add_argument("--gzip", action="store_true", help="write the log gzipped")
    parser.add_argument("--keep", type=Path, help="directory to keep the log in")
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="audit-bench-"))
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ("audit.jsonl.gz" if args.gzip else "audit.jsonl")
    started = time.perf_counter()
    lines = write_log(path, args.size_mb, args.gzip)
    print(
        f"wrote {lines:,} lines, {path.stat().st_size / 2**20:,.0f} MB on disk "
        f"({args.size_mb:,} MB of JSON) in {time.perf_counter() - started:.1f} s"
    )
    command = [
        sys.executable,
        "-m",
        "mcp_auth.cli",
        "audit",
        "report",
        str(path),
        "--format",
        "json",
        "--no-rotated",
    ]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    data = json.loads(result.stdout)
    print(
        f"report: {data['lines']:,} lines in {elapsed:.1f} s "
        f"({data['lines'] / elapsed:,.0f} lines/s, {args.size_mb / elapsed:,.1f} MB/s), "
        f"{len(data['rows'])} rows, {data['malformed_lines']} malformed"
    )
    print(f"peak RSS of the report process: {peak_mb:,.1f} MB")
    if args.keep is None:
        path.unlink()
        directory.rmdir()


if __name__ == "__main__":
    main()
