"""Per-principal credentials and clients: over HTTP in process (two keys, two people, one
server), and the resolver's rules (client cache, rotation, eviction, OAuth refresh hook)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from mcp_types import ResourceTemplateReference
from pydantic import SecretStr

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.errors import CredentialError
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.layer import build_http_layer
from confluence_mcp.http.serving import running_http_server
from confluence_mcp.identity.credentials import (
    CredentialStore,
    UpstreamCredential,
    open_credential_store,
    principal_id,
)
from confluence_mcp.identity.upstream import UpstreamIdentities
from confluence_mcp.remote.settings import RemoteSettings
from confluence_mcp.services import build_client
from mcp_auth import AuditLogger, AuthMethod, MemorySink, Principal, create_api_key
from mcp_auth.token_store import open_token_store


def alice(token: str = "alice-api-token") -> UpstreamCredential:
    return UpstreamCredential(
        kind="api_token",
        secret=SecretStr(token),
        username="alice@example.com",
        email="alice@example.com",
    )


def bob() -> UpstreamCredential:
    return UpstreamCredential(
        kind="api_token", secret=SecretStr("bob-api-token"), username="bob@example.com"
    )


@asynccontextmanager
async def user_token_server(
    remote: RemoteSettings, store: CredentialStore, audit: AuditLogger
) -> AsyncIterator[str]:
    identities = UpstreamIdentities(remote.core, store, build_client)
    mcp = create_server(remote.core, identities=identities)
    layer = build_http_layer(mcp, remote, audit=audit)
    app = create_http_app(mcp, remote.core, routes=layer.routes, middleware=layer.middleware)
    try:
        async with running_http_server(app) as base:
            yield f"{base}/mcp"
    finally:
        await layer.aclose()


async def get_page(url: str, key: str, page_id: str) -> Any:
    async with Client(StreamableHttpTransport(url, auth=key)) as client:
        return await client.call_tool("get_page", {"page_id": page_id}, raise_on_error=False)


def text_of(result: Any) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


async def test_two_keys_act_as_two_people_in_one_server(
    fake_confluence: FakeConfluenceServer,
    remote_settings_for: Any,
    tmp_path: Path,
) -> None:
    keys = tmp_path / "keys.json"
    alice_key = create_api_key(keys, "alice", ["confluence:read"])
    bob_key = create_api_key(keys, "bob", ["confluence:read"])
    remote = remote_settings_for(
        confluence_username="",
        confluence_api_token="",
        confluence_auth_mode="user-token",
        mcp_api_keys_file=str(keys),
    )
    assert remote.core.auth_method is None  # no service account to fall back on
    store = open_credential_store(remote)  # memory: the server and this test share it
    await store.put(f"api_key:{alice_key.record.id}", alice())
    await store.put(f"api_key:{bob_key.record.id}", bob())
    sink = MemorySink()
    audit = AuditLogger([sink], background=False, upstream_mode="user-token")
    page = fake_confluence.store.list_pages(title="Salary bands")[0].id

    async with user_token_server(remote, store, audit) as url:
        # Ready without a service account: the token store answers.
        async with httpx.AsyncClient() as http:
            ready = await http.get(url.removesuffix("/mcp") + "/readyz")
        assert ready.json() == {"status": "ready"}
        mine = await get_page(url, alice_key.key, page)
        assert not mine.is_error, text_of(mine)
        assert mine.structured_content["title"] == "Salary bands"
        assert "Not found" in text_of(await get_page(url, bob_key.key, page))
        # Alice's token is replaced by a wrong one: the next call uses it (a new client).
        await store.put(f"api_key:{alice_key.record.id}", alice("revoked-token"))
        refused = await get_page(url, alice_key.key, page)
        assert refused.is_error
        assert "revoked-token" not in text_of(refused)
        # Unbound: the key's own credential was removed.
        await store.delete(f"api_key:{bob_key.record.id}")
        assert "no Confluence credential is bound to your API key (bob)" in text_of(
            await get_page(url, bob_key.key, page)
        )
        async with Client(StreamableHttpTransport(url, auth=bob_key.key)) as client:
            space = ResourceTemplateReference(
                type="ref/resource", uri="confluence://space/{space_key}"
            )
            # Completions offer nothing (rather than failing) without a credential...
            completion = await client.complete(space, {"name": "space_key", "value": "D"})
            assert completion.values == []
            # ...and resources say why.
            with pytest.raises(Exception, match="no Confluence credential is bound"):
                await client.read_resource("confluence://space/DEMO")

    calls = [e for e in sink.events if e.event == "tool.call"]
    assert [(e.subject, e.upstream_account) for e in calls[:2]] == [
        ("alice", "alice@example.com"),
        ("bob", "bob@example.com"),
    ]
    assert calls[-1].upstream_account is None  # Bob, unbound
    assert all(e.upstream_mode == "user-token" for e in sink.events)


class Recorder:
    """A client factory that records what it builds and closes."""

    def __init__(self) -> None:
        self.built: list[Any] = []
        self.closed: list[Any] = []

    def __call__(self, settings: Any) -> Any:
        recorder = self

        class FakeClient:
            def __init__(self) -> None:
                self.settings = settings

            async def aclose(self) -> None:
                recorder.closed.append(self)

        client = FakeClient()
        self.built.append(client)
        return client


def principal(subject: str, method: AuthMethod = AuthMethod.JWT) -> Principal:
    return Principal(subject=subject, auth_method=method, client_id="k1")


async def test_clients_are_cached_rebuilt_on_a_new_credential_and_evicted(
    remote_settings_for: Any,
) -> None:
    remote = remote_settings_for(confluence_auth_mode="user-token", mcp_api_keys_file="k.json")
    recorder = Recorder()
    identities = UpstreamIdentities(
        remote.core, open_credential_store(remote), recorder, max_clients=1
    )
    first = await identities._client("user:a", alice())
    assert await identities._client("user:a", alice()) is first
    assert first.settings.confluence_username == "alice@example.com"
    assert first.settings.confluence_api_token.get_secret_value() == "alice-api-token"
    rotated = await identities._client("user:a", alice("new-token"))
    assert rotated is not first
    assert recorder.closed == [first]
    other = await identities._client("user:b", bob())  # evicts user:a (max_clients=1)
    assert recorder.closed == [first, rotated]
    await identities.forget("user:b")
    assert recorder.closed[-1] is other
    await identities.aclose()


async def test_oauth_credentials_are_refreshed_before_they_expire(
    remote_settings_for: Any,
) -> None:
    remote = remote_settings_for(
        confluence_auth_mode="oauth",
        atlassian_oauth_client_id="app",
        atlassian_oauth_client_secret="app-secret",
        mcp_public_url="https://mcp.example.test",
    )
    store = open_credential_store(remote)
    soon = datetime.now(UTC) + timedelta(seconds=30)
    stale = UpstreamCredential(
        kind="oauth",
        secret=SecretStr("old-access"),
        refresh_token=SecretStr("refresh-1"),
        cloud_id="cloud-1",
        expires_at=soon,
        account_id="acc-1",
    )
    await store.put("user:ann", stale)
    identities = UpstreamIdentities(remote.core, store, Recorder())
    with pytest.raises(CredentialError, match="sign-in has expired"):
        await identities.credential_for(principal("ann"))

    seen: list[tuple[str, str]] = []

    async def refresher(key: str, old: UpstreamCredential) -> UpstreamCredential:
        seen.append((key, old.secret.get_secret_value()))
        fresh = old.model_copy(
            update={"secret": SecretStr("new-access"), "expires_at": soon + timedelta(hours=1)}
        )
        await store.put(key, fresh)
        return fresh

    async def slow_refresher(key: str, old: UpstreamCredential) -> UpstreamCredential:
        await asyncio.sleep(0.05)  # both callers are waiting meanwhile
        return await refresher(key, old)

    identities.refresher = slow_refresher
    # Two calls at once: one refresh (refresh tokens rotate), both get the fresh token.
    fresh, again = await asyncio.gather(
        identities.credential_for(principal("ann")), identities.credential_for(principal("ann"))
    )
    assert again.secret.get_secret_value() == "new-access"
    assert seen == [("user:ann", "old-access")]
    assert fresh.secret.get_secret_value() == "new-access"
    assert fresh.account == "acc-1"
    built = fresh.apply_to(remote.core)
    assert built.auth_method == "oauth"
    assert built.confluence_cloud_id == "cloud-1"
    assert built.confluence_username is None  # the service account's never leaks in
    # oauth mode: an unknown user is told to sign in; nobody at all, to authenticate.
    with pytest.raises(CredentialError, match="not signed in to Confluence"):
        await identities.credential_for(principal("nobody"))
    with pytest.raises(CredentialError, match="this request is not authenticated"):
        await identities.credential_for(None)


async def test_principal_ids_pat_credentials_and_unreadable_values(
    remote_settings_for: Any, tmp_path: Path
) -> None:
    assert principal_id(principal("ann")) == "user:ann"
    assert principal_id(principal("ci", AuthMethod.API_KEY)) == "api_key:k1"
    remote = remote_settings_for(
        confluence_deployment="datacenter", confluence_username="", confluence_api_token=""
    )
    pat = UpstreamCredential(kind="pat", secret=SecretStr("dc-pat"))
    settings = pat.apply_to(remote.core)
    assert settings.auth_method == "pat"
    assert pat.account == "unknown (pat)"
    assert "dc-pat" not in repr(pat)
    with pytest.raises(CredentialError, match="unreadable"):
        UpstreamCredential.from_store({"kind": "password", "secret": "x"})
    # A store that cannot be read is the caller's error too, without the secret.
    path = tmp_path / "tokens.json"
    path.write_text("{broken", encoding="utf-8")
    store = CredentialStore(open_token_store(f"file:{path}", _key()))
    with pytest.raises(CredentialError, match="cannot be read right now"):
        await store.get("user:ann")


def _key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


async def test_readiness_reports_an_unreadable_token_store(
    remote_settings_for: Any, tmp_path: Path
) -> None:
    create_api_key(tmp_path / "keys.json", "k", ["confluence:read"])
    path = tmp_path / "tokens.json"
    path.write_text("{broken", encoding="utf-8")
    remote = remote_settings_for(
        confluence_username="",
        confluence_api_token="",
        confluence_auth_mode="user-token",
        mcp_api_keys_file=str(tmp_path / "keys.json"),
        mcp_token_store=f"file:{path}",
        mcp_token_encryption_key=_key(),
    )
    store = open_credential_store(remote)
    async with (
        user_token_server(remote, store, AuditLogger()) as url,
        httpx.AsyncClient() as http,
    ):
        ready = await http.get(url.removesuffix("/mcp") + "/readyz")
    assert ready.status_code == 503
    assert ready.json()["reason"] == "the token store cannot be read"
