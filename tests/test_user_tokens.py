"""CONFLUENCE_AUTH_MODE=user-token end to end: spawned ``confluence-mcp`` processes, real MCP
clients over HTTP, the fake Confluence with per-user read restrictions.

Two API keys are bound (by the ``keys create --confluence-token-file`` command) to two fake
people: Alice may read "Salary bands" (the demo seed restricts it to her), Bob may not. The
same server process answers Alice with the page and Bob with not-found, never falling back to
a service account (none is configured). The token stores hold only ciphertext; with Redis, a
second server process sharing the store and key serves the same bound people.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from confluence_client.testing import FakeConfluenceServer

from .conftest import confluence_mcp_command, wait_until_listening
from .redis_server import running_redis
from .test_remote_cli import base_env, free_port, run_cli

SECRETS = ("alice-api-token", "bob-api-token")


def mode_env(fake: FakeConfluenceServer, tmp_path: Path, store: str) -> dict[str, str]:
    """user-token mode: no service account at all, keys in tmp_path, the given store."""
    return {
        "CONFLUENCE_URL": fake.wiki_url,
        "CONFLUENCE_DEPLOYMENT": "cloud",
        "CONFLUENCE_AUTH_MODE": "user-token",
        "TRANSPORT": "http",
        "MCP_API_KEYS_FILE": str(tmp_path / "keys.json"),
        "MCP_TOKEN_STORE": store,
        "MCP_TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "MCP_AUDIT_LOG": str(tmp_path / "audit.log"),
        # The chattiest log: the people's tokens must not appear even there.
        "LOG_LEVEL": "DEBUG",
        "LOG_FORMAT": "json",
    }


def create_bound_key(env: dict[str, str], tmp_path: Path, name: str, login: str) -> str:
    """``keys create`` with the person's token in a file; returns the new API key."""
    token_file = tmp_path / f"{name}.token"
    token_file.write_text(f"{login}-api-token\n", encoding="utf-8")
    created = run_cli(
        [
            "keys",
            "create",
            "--name",
            name,
            "--scopes",
            "confluence:read",
            "--confluence-token-file",
            str(token_file),
            "--confluence-username",
            f"{login}@example.com",
        ],
        env,
        tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert f"to Confluence account {login}@example.com" in created.stderr
    return created.stdout.split()[0]


@asynccontextmanager
async def server_process(env: dict[str, str], tmp_path: Path, tag: str) -> AsyncIterator[str]:
    """A spawned server on a free port; yields its MCP URL, stops it afterwards."""
    port = free_port()
    log = tmp_path / f"server-{tag}.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *confluence_mcp_command(),
            env={**base_env(), **env, "PORT": str(port)},
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        await wait_until_listening(port, process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=20)
    output = log.read_text(encoding="utf-8")
    assert "Auth mode: user-token" in output
    for secret in SECRETS:
        assert secret not in output


async def read_page(url: str, key: str, page_id: str) -> Any:
    async with Client(StreamableHttpTransport(url, auth=key)) as client:
        return await client.call_tool("get_page", {"page_id": page_id}, raise_on_error=False)


async def search(url: str, key: str, text: str) -> set[str]:
    async with Client(StreamableHttpTransport(url, auth=key)) as client:
        found = await client.call_tool("search", {"query": text, "limit": 50})
    return {hit["title"] for hit in found.structured_content["results"]}


def salary_page(fake: FakeConfluenceServer) -> str:
    return fake.store.list_pages(title="Salary bands")[0].id


def error_text(result: Any) -> str:
    assert result.is_error
    return " ".join(getattr(block, "text", "") for block in result.content)


async def test_each_key_acts_as_its_own_confluence_user(
    fake_confluence: FakeConfluenceServer, tmp_path: Path
) -> None:
    env = mode_env(fake_confluence, tmp_path, f"file:{tmp_path / 'tokens.json'}")
    alice = create_bound_key(env, tmp_path, "alice-laptop", "alice")
    bob = create_bound_key(env, tmp_path, "bob-laptop", "bob")
    unbound = run_cli(
        ["keys", "create", "--name", "carol-bot", "--scopes", "confluence:read"], env, tmp_path
    ).stdout.split()[0]
    page = salary_page(fake_confluence)

    async with server_process(env, tmp_path, "file") as url:
        mine = await read_page(url, alice, page)
        assert not mine.is_error, error_text(mine)
        assert mine.structured_content["title"] == "Salary bands"
        assert "Restricted to HR." in mine.structured_content["content"]
        # Same process, another key: Confluence says not found to Bob, and so does the tool.
        assert "Not found" in error_text(await read_page(url, bob, page))
        assert "Salary bands" in await search(url, alice, "Salary")
        assert "Salary bands" not in await search(url, bob, "Salary")
        # A key without a bound token never falls back to anyone else's rights.
        refused = error_text(await read_page(url, unbound, page))
        assert "no Confluence credential is bound to your API key (carol-bot)" in refused

    # The file store holds only ciphertext.
    stored = (tmp_path / "tokens.json").read_text(encoding="utf-8")
    for clear in (*SECRETS, "alice@example.com", "bob@example.com", "api_token"):
        assert clear not in stored
    # Every audit event of a call names both identities and the mode.
    events = [json.loads(line) for line in (tmp_path / "audit.log").read_text().splitlines()]
    calls = {
        (e["subject"], e.get("upstream_account"), e["upstream_mode"])
        for e in events
        if e["event"] == "tool.call"
    }
    assert ("alice-laptop", "alice@example.com", "user-token") in calls
    assert ("bob-laptop", "bob@example.com", "user-token") in calls
    assert ("carol-bot", None, "user-token") in calls
    assert all(e.get("upstream_mode") == "user-token" for e in events)


async def test_replicas_share_bound_users_through_redis(
    fake_confluence: FakeConfluenceServer, tmp_path: Path
) -> None:
    import redis

    with running_redis(tmp_path) as redis_url:
        env = mode_env(fake_confluence, tmp_path, redis_url)
        alice = create_bound_key(env, tmp_path, "alice-laptop", "alice")
        bob = create_bound_key(env, tmp_path, "bob-laptop", "bob")
        page = salary_page(fake_confluence)
        async with (
            server_process(env, tmp_path, "one") as first,
            server_process(env, tmp_path, "two") as second,
        ):
            for url in (first, second):
                mine = await read_page(url, alice, page)
                assert not mine.is_error, error_text(mine)
                assert "Not found" in error_text(await read_page(url, bob, page))
            # Revoking Bob's key (a command, not a server) deletes his token for both.
            revoked = run_cli(["keys", "revoke", "bob-laptop"], env, tmp_path)
            assert revoked.returncode == 0, revoked.stderr
            assert "deleted the Confluence token bound to key" in revoked.stderr

        client = redis.Redis.from_url(redis_url)
        try:
            values = [client.get(name) or b"" for name in client.keys("*")]
        finally:
            client.close()
        assert len(values) == 1  # Alice's; Bob's went with his key
        for clear in (*SECRETS, "alice@example.com", "api_token"):
            assert all(clear.encode() not in value for value in values)
        assert os.environ.get("MCP_TOKEN_STORE") is None  # nothing leaked into this process
