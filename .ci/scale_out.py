"""Scale-out check: two confluence-mcp replicas behind Debian's nginx, sharing redis-server.

Run by ``.ci/scale-out.sh`` (which installs nginx and redis-server) inside the workspace venv:

    uv run --locked python .ci/scale_out.py

Everything listens on free loopback ports with its own files under a temporary directory, and
every process started here is stopped by its PID. Real HTTP end to end: FastMCP clients →
nginx (round robin) → two ``confluence-mcp serve`` processes → the fake Confluence. Phases:

1. stateful (``MCP_REPLICA_ID`` r1/r2, nginx routes on the session id prefix): 2025-11-25
   session clients and 2026-07-28 sessionless clients, 0 errors, calls on both replicas; then
   one key's limit (``MCP_RATE_LIMIT``) holds across both replicas in total (Redis);
2. stateless, both protocol versions: spread with 0 errors; ``kill -9`` of one replica under
   load loses at most the requests in flight; a rolling restart (SIGTERM one, start it again,
   then the other) loses none.

Prints the figures and exits 1 when a check fails. Bounded: about a minute.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from fastmcp.exceptions import ToolError

from confluence_client.testing import FakeConfluenceServer
from mcp_auth import create_api_key

LEGACY = "legacy"  # 2025-11-25: initialize handshake, Mcp-Session-Id
MODERN = "2026-07-28"  # sessionless: one self-contained POST per request
LIMIT = 30  # per minute, for one key, in the limit check
WORKERS = 4  # concurrent clients in the load phases (two per protocol version)


def binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        raise SystemExit(f"{name} is not installed (.ci/scale-out.sh installs it)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, what: str, process: subprocess.Popen[bytes] | None = None) -> None:
    # Generous: on a loaded 2-core machine a replica's start has taken 25 s.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer {url} within 90 s")


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)  # the server's shutdown grace is 20 s
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Replica:
    """One ``confluence-mcp serve`` process on its own port."""

    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "confluence_mcp", "serve"],
                env={**self.env, "PORT": str(self.port)},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self) -> None:
        wait_for(f"http://127.0.0.1:{self.port}/healthz", f"replica {self.name}", self.process)

    def start(self) -> None:
        self.launch()
        self.wait_ready()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None:
            stop(self.process, sig)


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format upstream '$upstream_addr $status $request_method';
    access_log {tmp}/nginx-access.log upstream;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;

    # max_fails=0: a replica that refused a connection is tried again by the next request
    # (a refused connect costs nothing) instead of being benched for fail_timeout; otherwise
    # a rolling restart benches the restarted replica while the next one goes down.
    upstream mcp_pool {{
        server 127.0.0.1:{p1} max_fails=0;
        server 127.0.0.1:{p2} max_fails=0;
    }}
    upstream mcp_r1 {{ server 127.0.0.1:{p1}; }}
    upstream mcp_r2 {{ server 127.0.0.1:{p2}; }}
    # A stateful session lives on the replica that opened it: its id says which.
    map $http_mcp_session_id $mcp_upstream {{
        default mcp_pool;
        ~^r1\\. mcp_r1;
        ~^r2\\. mcp_r2;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://$mcp_upstream;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_read_timeout 60s;
            proxy_connect_timeout 2s;
            # Only what never reached a replica moves on: a failed connect. A tools/call POST
            # that was sent may have written a page, so it is never replayed
            # (no non_idempotent).
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
"""


@dataclass
class Tally:
    calls: int = 0
    errors: list[str] = field(default_factory=list)


async def client_loop(
    url: str, key: str, mode: str, tally: Tally, *, calls: int | None, running: asyncio.Event
) -> None:
    """Call a tool ``calls`` times (or while ``running`` is set), reconnecting after an error."""
    done = 0
    while (calls is None and running.is_set()) or (calls is not None and done < calls):
        try:
            async with Client(StreamableHttpTransport(url, auth=key), mode=mode) as client:
                while (calls is None and running.is_set()) or (calls is not None and done < calls):
                    done += 1
                    tally.calls += 1
                    await client.call_tool("list_spaces", {"limit": 5})
                    # Paced: the load must leave CPU for the replicas starting meanwhile.
                    await asyncio.sleep(0.02)
        except Exception as exc:  # every failure is a figure here, never a crash
            tally.errors.append(f"{mode}: {type(exc).__name__}: {str(exc)[:120]}")
            await asyncio.sleep(0.05)


def log_size(log: Path) -> int:
    return log.stat().st_size


def split(log: Path, replicas: list[Replica], since: int) -> dict[str, int]:
    """Requests per replica in the nginx access log after byte offset ``since``."""
    counts: Counter[str] = Counter()
    by_port = {f"127.0.0.1:{replica.port}": replica.name for replica in replicas}
    with log.open() as lines:
        lines.seek(since)
        for line in lines:
            # A retried request lists every upstream tried; the last one answered.
            last = line.rsplit(" ", 2)[0].split(",")[-1].strip()
            counts[by_port.get(last, last)] += 1
    return dict(counts)


class Checks:
    def __init__(self) -> None:
        self.failed: list[str] = []

    def expect(self, ok: bool, what: str) -> None:
        print(f"  [{'ok' if ok else 'FAIL'}] {what}")
        if not ok:
            self.failed.append(what)


async def load(
    url: str, keys: list[str], running: asyncio.Event, tally: Tally
) -> list[asyncio.Task[None]]:
    modes = [LEGACY, MODERN] * (WORKERS // 2)
    return [
        asyncio.create_task(
            client_loop(url, keys[i % len(keys)], modes[i], tally, calls=None, running=running)
        )
        for i in range(WORKERS)
    ]


async def stateful_phase(
    url: str, keys: dict[str, str], replicas: list[Replica], access: Path, checks: Checks
) -> None:
    print("\n== stateful (MCP_REPLICA_ID r1/r2, nginx map on Mcp-Session-Id), shared Redis")
    since = log_size(access)
    tally = Tally()
    running = asyncio.Event()
    await asyncio.gather(
        *(
            client_loop(url, keys[f"w{i}"], mode, tally, calls=20, running=running)
            for i, mode in enumerate([LEGACY, LEGACY, MODERN, MODERN])
        )
    )
    shares = split(access, replicas, since)
    print(f"  calls {tally.calls}, errors {len(tally.errors)}, requests per replica {shares}")
    for error in tally.errors[:5]:
        print(f"    {error}")
    checks.expect(not tally.errors, "stateful: 0 errors for session and sessionless clients")
    checks.expect(len(shares) == 2 and min(shares.values()) > 0, "stateful: both replicas used")

    since = log_size(access)
    passed = refused = 0
    retry_texts: set[str] = set()
    async with Client(StreamableHttpTransport(url, auth=keys["limited"]), mode=MODERN) as client:
        for _ in range(2 * LIMIT):
            try:
                await client.call_tool("list_spaces", {"limit": 5})
                passed += 1
            except ToolError as refusal:
                refused += 1
                retry_texts.add(str(refusal).split(":")[0])
    shares = split(access, replicas, since)
    # Every request of the key counts (the client's own tools/list too): admitted requests
    # are what nginx carried minus what the limit refused.
    admitted = sum(shares.values()) - refused
    print(
        f"  limit {LIMIT}/minute for one key, {2 * LIMIT} tool calls over both replicas: "
        f"{passed} passed, {refused} refused as tool errors {sorted(retry_texts)}; "
        f"requests per replica {shares}, admitted {admitted}"
    )
    checks.expect(admitted == LIMIT, f"limit held across replicas: {admitted} == {LIMIT} in all")
    checks.expect(len(shares) == 2 and min(shares.values()) > 0, "limit: both replicas answered")


async def stateless_phase(
    url: str, keys: dict[str, str], replicas: list[Replica], access: Path, checks: Checks
) -> None:
    print("\n== stateless, shared Redis, both protocol versions")
    workers = [keys[f"w{i}"] for i in range(WORKERS)]
    since = log_size(access)
    tally = Tally()
    running = asyncio.Event()
    await asyncio.gather(
        *(
            client_loop(url, workers[i], mode, tally, calls=20, running=running)
            for i, mode in enumerate([LEGACY, LEGACY, MODERN, MODERN])
        )
    )
    shares = split(access, replicas, since)
    print(f"  spread: calls {tally.calls}, errors {len(tally.errors)}, per replica {shares}")
    checks.expect(not tally.errors, "stateless: 0 errors")
    checks.expect(len(shares) == 2 and min(shares.values()) > 0, "stateless: both replicas used")

    # kill -9 under load: only what was in flight on the killed replica may fail.
    tally = Tally()
    running.set()
    tasks = await load(url, workers, running, tally)
    await asyncio.sleep(1.5)
    before = tally.calls
    replicas[1].stop(signal.SIGKILL)
    await asyncio.sleep(2)
    running.clear()
    await asyncio.gather(*tasks)
    print(
        f"  kill -9 {replicas[1].name} under load ({WORKERS} clients): calls {tally.calls} "
        f"({tally.calls - before} after the kill), errors {len(tally.errors)}"
    )
    for error in tally.errors[:5]:
        print(f"    {error}")
    checks.expect(
        len(tally.errors) <= WORKERS,
        f"kill -9: errors {len(tally.errors)} <= requests in flight (at most {WORKERS})",
    )
    began = time.monotonic()
    replicas[1].start()
    print(f"  ({replicas[1].name} back in {time.monotonic() - began:.1f} s)")

    # Rolling restart under load: SIGTERM one, start it again, then the other.
    tally = Tally()
    running.set()
    since = log_size(access)
    tasks = await load(url, workers, running, tally)
    await asyncio.sleep(1)
    began = time.monotonic()
    steps = []
    for replica in replicas:
        step = time.monotonic()
        await asyncio.to_thread(replica.stop, signal.SIGTERM)
        stopped = time.monotonic()
        await asyncio.to_thread(replica.start)
        steps.append(
            f"{replica.name} stop {stopped - step:.1f} s, start {time.monotonic() - stopped:.1f} s"
        )
    restart = time.monotonic() - began
    await asyncio.sleep(0.5)
    running.clear()
    await asyncio.gather(*tasks)
    shares = split(access, replicas, since)
    print(
        f"  rolling restart under load ({restart:.1f} s): calls {tally.calls}, "
        f"errors {len(tally.errors)}, per replica {shares} ({'; '.join(steps)})"
    )
    for error in tally.errors[:5]:
        print(f"    {error}")
    checks.expect(not tally.errors, "rolling restart: 0 errors")


def show_logs(tmp: Path) -> None:
    """What explains a failure: nginx's errors other than refused connects (the expected
    trace of a replica being down), and the end of each replica's log."""
    for log in sorted(tmp.glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()
        if log.name == "nginx-error.log":
            lines = [line for line in lines if "Connection refused" not in line]
        elif log.name == "nginx-access.log":
            continue
        print(f"\n--- {log.name} (end)\n" + "\n".join(lines[-20:]))


def main() -> int:
    started = time.monotonic()
    checks = Checks()
    with tempfile.TemporaryDirectory(prefix="scale-out-") as tmp_name:
        tmp = Path(tmp_name)
        tmp.chmod(0o755)  # nginx workers (another user when run as root) write temp files here
        processes: list[subprocess.Popen[bytes]] = []
        replicas: list[Replica] = []
        try:
            redis_port = free_port()
            redis = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
                [
                    binary("redis-server"),
                    "--port",
                    str(redis_port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(tmp),
                ],
                stdout=subprocess.DEVNULL,
            )
            processes.append(redis)
            keys_file = tmp / "keys.json"
            names = [f"w{i}" for i in range(WORKERS)] + ["limited"]
            keys = {
                name: create_api_key(keys_file, name, ["confluence:read"]).key for name in names
            }
            with FakeConfluenceServer() as fake:
                nginx_port, p1, p2 = free_port(), free_port(), free_port()
                for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
                    (tmp / f"nginx-{sub}").mkdir(mode=0o777)
                    (tmp / f"nginx-{sub}").chmod(0o777)
                conf = tmp / "nginx.conf"
                conf.write_text(NGINX_CONF.format(tmp=tmp, port=nginx_port, p1=p1, p2=p2))
                nginx = subprocess.Popen(  # noqa: S603 - fixed binary and arguments
                    [binary("nginx"), "-c", str(conf), "-p", str(tmp)]
                )
                processes.append(nginx)
                url = f"http://127.0.0.1:{nginx_port}/mcp"
                access = tmp / "nginx-access.log"
                base_env = {
                    **{
                        k: v
                        for k, v in os.environ.items()
                        if not k.startswith(("MCP_", "CONFLUENCE_"))
                    },
                    "CONFLUENCE_URL": fake.wiki_url,
                    "CONFLUENCE_DEPLOYMENT": "cloud",
                    "CONFLUENCE_USERNAME": fake.credentials.username,
                    "CONFLUENCE_API_TOKEN": fake.credentials.api_token,
                    "TRANSPORT": "http",
                    "HOST": "127.0.0.1",
                    "MCP_API_KEYS_FILE": str(keys_file),
                    "MCP_PUBLIC_URL": f"http://127.0.0.1:{nginx_port}",
                    "MCP_RATE_LIMIT_STORAGE": f"redis://127.0.0.1:{redis_port}/0",
                    "MCP_IP_RATE_LIMIT": "100000/minute",  # every caller is nginx's address
                    "MCP_AUDIT_LOG": "off",
                }
                for phase, extra in (
                    ("stateful", {"STATELESS_HTTP": "false", "MCP_RATE_LIMIT": f"{LIMIT}/minute"}),
                    ("stateless", {"STATELESS_HTTP": "true", "MCP_RATE_LIMIT": "100000/minute"}),
                ):
                    replicas = [
                        Replica(
                            name,
                            port,
                            {**base_env, **extra, "MCP_REPLICA_ID": name},
                            tmp / f"{name}.log",
                        )
                        for name, port in (("r1", p1), ("r2", p2))
                    ]
                    began = time.monotonic()
                    for replica in replicas:
                        replica.launch()
                    for replica in replicas:
                        replica.wait_ready()
                    print(f"\n({phase} replicas ready in {time.monotonic() - began:.1f} s)")
                    wait_for(f"http://127.0.0.1:{nginx_port}/healthz", "nginx", nginx)
                    run = stateful_phase if phase == "stateful" else stateless_phase
                    asyncio.run(run(url, keys, replicas, access, checks))
                    for replica in replicas:
                        replica.stop()
                    # Counters of the stateful phase must not leak into the next one.
                    subprocess.run(  # noqa: S603 - fixed binary and arguments
                        [binary("redis-cli"), "-p", str(redis_port), "flushall"],
                        check=True,
                        stdout=subprocess.DEVNULL,
                    )
        finally:
            for replica in replicas:
                replica.stop(signal.SIGKILL)
            for process in reversed(processes):
                stop(process)
            if checks.failed:
                show_logs(tmp)
    print(f"\nscale-out: {time.monotonic() - started:.0f} s")
    if checks.failed:
        print("scale-out FAILED: " + "; ".join(checks.failed), file=sys.stderr)
        return 1
    print("scale-out: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
