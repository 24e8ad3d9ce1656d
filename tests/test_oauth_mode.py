"""``CONFLUENCE_AUTH_MODE=oauth`` end to end: a spawned ``confluence-mcp`` over HTTP in front of
the fake Atlassian authorization server and Confluence, people signing in without a browser.

Each sign-in is the full flow a person's MCP client and browser go through: dynamic client
registration, ``/authorize`` with PKCE, the server's consent page (approved by posting its
form, with the browser's cookies), Atlassian's consent (scripted on the fake), the callback,
and the code exchanged at ``/token``. The MCP client then uses only the server's token.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.fernet import Fernet
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport

from confluence_client.testing import FakeConfluenceServer

from .conftest import confluence_mcp_command
from .redis_server import running_redis

APP_ID = "atlassian-app-id"
APP_SECRET = "atlassian-app-secret-0123456789"
CLIENT_CALLBACK = "http://127.0.0.1:1/callback"  # the MCP client's own loopback redirect
ALICE = "alice@example.com"
BOB = "bob@example.com"


@dataclass
class Running:
    base: str
    fake: FakeConfluenceServer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _base_env() -> dict[str, str]:
    return {k: os.environ[k] for k in ("PATH", "HOME") if k in os.environ}


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeConfluenceServer]:
    with FakeConfluenceServer(seed="demo") as server:
        yield server


def _oauth_env(fake: FakeConfluenceServer, *, port: int, public_url: str) -> dict[str, str]:
    return {
        "CONFLUENCE_URL": fake.wiki_url,
        "CONFLUENCE_DEPLOYMENT": "cloud",
        "CONFLUENCE_AUTH_MODE": "oauth",
        "CONFLUENCE_OAUTH_GATEWAY_URL": fake.url,
        "ATLASSIAN_OAUTH_AUTH_URL": fake.auth_url,
        "ATLASSIAN_OAUTH_CLIENT_ID": APP_ID,
        "ATLASSIAN_OAUTH_CLIENT_SECRET": APP_SECRET,
        "MCP_PUBLIC_URL": public_url,
        "MCP_TOKEN_STORE": "memory",
        "TRANSPORT": "http",
        "PORT": str(port),
        "MCP_AUDIT_LOG": "off",
    }


@pytest.fixture(scope="module")
def server(fake: FakeConfluenceServer) -> Iterator[Running]:
    """The server for the module, in this process (uvicorn in a thread, real loopback HTTP),
    built as ``serve`` builds it; each test signs in its own people."""
    import uvicorn

    from confluence_mcp.app import create_server
    from confluence_mcp.http.app import create_http_app
    from confluence_mcp.http.layer import build_http_layer
    from confluence_mcp.identity.credentials import open_credential_store
    from confluence_mcp.identity.upstream import UpstreamIdentities
    from confluence_mcp.remote.settings import load_remote_settings
    from confluence_mcp.services import build_client

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    fake.oauth.register_app(APP_ID, APP_SECRET, [f"{base}/auth/callback"])
    env = _oauth_env(fake, port=port, public_url=base)
    remote = load_remote_settings({k.lower(): v for k, v in env.items()}, env_file=None)
    identities = UpstreamIdentities(remote.core, open_credential_store(remote), build_client)
    mcp_server = create_server(remote.core, identities=identities)
    layer = build_http_layer(mcp_server, remote, identities=identities)
    app = create_http_app(mcp_server, remote.core, routes=layer.routes, middleware=layer.middleware)
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not uv.started:
            assert thread.is_alive(), "the server stopped during start-up"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        yield Running(base, fake)
    finally:
        uv.should_exit = True
        thread.join(timeout=30)
        sock.close()


@contextmanager
def serving(
    fake: FakeConfluenceServer, folder: Path, *, port: int, public_url: str, **env: str
) -> Iterator[None]:
    """A spawned ``confluence-mcp`` in oauth mode on ``port``; its log must hold no secret."""
    environment = {
        **_base_env(),
        **_oauth_env(fake, port=port, public_url=public_url),
        # The most talkative logs (FastMCP's OAuth proxy included) must still hold no secret.
        "LOG_LEVEL": "DEBUG",
        "LOG_FORMAT": "json",
        "MCP_AUDIT_LOG": "stderr",
        **env,
    }
    log = folder / f"stderr-{port}.log"  # a file, so a chatty log never fills a pipe
    with log.open("wb") as stderr:
        process = subprocess.Popen(
            confluence_mcp_command(),
            env=environment,
            cwd=folder,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        _wait_until_listening(port, process)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
        text = log.read_text(errors="replace")
        assert "auth.success" in text  # the log did record the sign-ins and calls
        assert APP_SECRET not in text  # secrets never in logs
        assert "fake-rt-" not in text
        assert "fake-at-" not in text
        assert "eyJ" not in text  # nor this server's own tokens (JWTs)


def _wait_until_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            assert process.poll() is None, f"the server exited ({process.returncode})"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        else:
            return


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class Authorization:
    """A pending sign-in: the browser (cookies), the registered client, PKCE and state."""

    browser: httpx.AsyncClient
    client_id: str
    verifier: str
    state: str
    consent_url: str


async def _register(base: str, scope: str) -> str:
    async with httpx.AsyncClient() as http:
        registered = await http.post(
            f"{base}/register",
            json={
                "redirect_uris": [CLIENT_CALLBACK],
                "client_name": "e2e client",
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "none",
                "scope": scope,
            },
        )
    assert registered.status_code == 201, registered.text
    client_id: str = registered.json()["client_id"]
    return client_id


async def _start(
    running: Running, browser: httpx.AsyncClient, scope: str = "confluence:read confluence:write"
) -> Authorization:
    client_id = await _register(running.base, scope)
    verifier, state = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    answer = await browser.get(
        f"{running.base}/authorize",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": CLIENT_CALLBACK,
            "code_challenge": _challenge(verifier),
            "code_challenge_method": "S256",
            "state": state,
            "scope": scope,
            "resource": f"{running.base}/mcp",
        },
    )
    # The person sees this server's consent page first, never Atlassian directly.
    assert answer.status_code == 302, answer.text
    consent_url = answer.headers["location"]
    assert consent_url.startswith(f"{running.base}/consent?")
    return Authorization(browser, client_id, verifier, state, consent_url)


async def _approve(running: Running, auth: Authorization) -> str:
    """Approve the consent page; returns the server's callback URL Atlassian redirects to."""
    page = await auth.browser.get(auth.consent_url)
    assert page.status_code == 200
    fields = dict(re.findall(r'name="(txn_id|csrf_token)" value="([^"]+)"', page.text))
    approved = await auth.browser.post(
        f"{running.base}/consent", data={**fields, "action": "approve", "submit": "true"}
    )
    assert approved.status_code in (302, 303), approved.text
    upstream = approved.headers["location"]
    assert upstream.startswith(f"{running.fake.auth_url}/authorize?")
    params = _query(upstream)
    assert params["audience"] == "api.atlassian.com"
    assert params["redirect_uri"] == f"{running.base}/auth/callback"
    assert "offline_access" in params["scope"].split()
    atlassian = await auth.browser.get(upstream)  # the fake consents as the scripted user
    assert atlassian.status_code == 302
    callback: str = atlassian.headers["location"]
    assert callback.startswith(f"{running.base}/auth/callback?")
    return callback


async def _finish(running: Running, auth: Authorization, callback: str) -> dict[str, Any]:
    back = await auth.browser.get(callback)
    assert back.status_code in (302, 303), back.text
    redirect = back.headers["location"]
    assert redirect.startswith(CLIENT_CALLBACK + "?")
    params = _query(redirect)
    assert params["state"] == auth.state
    async with httpx.AsyncClient() as http:
        token = await http.post(
            f"{running.base}/token",
            data={
                "grant_type": "authorization_code",
                "code": params["code"],
                "redirect_uri": CLIENT_CALLBACK,
                "client_id": auth.client_id,
                "code_verifier": auth.verifier,
            },
        )
    assert token.status_code == 200, token.text
    body: dict[str, Any] = token.json()
    body["_client_id"] = auth.client_id  # which registered client these tokens belong to
    return body


async def sign_in(running: Running, user: str, **kwargs: Any) -> dict[str, Any]:
    """The whole flow for ``user``; returns the server's token response."""
    running.fake.oauth.consent_as(user)
    async with httpx.AsyncClient() as browser:
        auth = await _start(running, browser, **kwargs)
        callback = await _approve(running, auth)
        return await _finish(running, auth, callback)


def _client_id_of(tokens: dict[str, Any]) -> str:
    return str(tokens["_client_id"])


def mcp(running: Running, token: str) -> Client[Any]:
    return Client(StreamableHttpTransport(f"{running.base}/mcp", auth=token))


def _account(fake: FakeConfluenceServer, email: str) -> str:
    user = fake.store.find_user(email)
    assert user is not None
    return user.account_id


# --- two people, one server ------------------------------------------------------------------


async def test_two_people_sign_in_and_each_acts_as_themselves(server: Running) -> None:
    fake = server.fake
    # A page only Alice may read (set through the fake's control API, as an admin would).
    parents = {p.parent_id for p in fake.store.pages.values()}
    page = next(
        p
        for p in fake.store.pages.values()
        if p.kind == "page" and p.parent_id is not None and p.id not in parents
    )
    async with httpx.AsyncClient() as http:
        restricted = await http.put(
            f"{fake.control_url}/restrictions/{page.id}", json={"read": [ALICE]}
        )
    assert restricted.status_code == 200, restricted.text
    try:
        alice = await sign_in(server, ALICE)
        bob = await sign_in(server, BOB)
        # No token passthrough: the client holds the server's own token, not Atlassian's.
        for tokens in (alice, bob):
            assert not tokens["access_token"].startswith("fake-")
            assert "fake-" not in str(tokens)
        async with mcp(server, alice["access_token"]) as client:
            read = await client.call_tool("get_page", {"page_id": page.id})
            assert read.structured_content["title"] == page.title  # type: ignore[index]
            mine = await client.call_tool(
                "create_page", {"space_key": "DEMO", "title": "Notes of Alice", "body": "hi"}
            )
        async with mcp(server, bob["access_token"]) as client:
            hidden = await client.call_tool("get_page", {"page_id": page.id}, raise_on_error=False)
            assert hidden.is_error
            assert "Not found" in hidden.content[0].text  # type: ignore[union-attr]
            his = await client.call_tool(
                "create_page", {"space_key": "DEMO", "title": "Notes of Bob", "body": "hi"}
            )
    finally:
        async with httpx.AsyncClient() as http:
            await http.put(f"{fake.control_url}/restrictions/{page.id}", json={"read": []})
    # Confluence recorded each of them, not a service account, as the author.
    created = {str(r.structured_content["id"]): who for r, who in ((mine, ALICE), (his, BOB))}  # type: ignore[index]
    for page_id, who in created.items():
        assert fake.store.get_page(page_id).author_id == _account(fake, who)


async def test_the_server_token_is_refused_by_atlassian_and_carries_its_audience(
    server: Running,
) -> None:
    tokens = await sign_in(server, ALICE)
    async with httpx.AsyncClient() as http:
        direct = await http.get(
            f"{server.fake.gateway_url}/api/v2/spaces",
            headers={"authorization": f"Bearer {tokens['access_token']}"},
        )
    assert direct.status_code == 401

    # The same signing key, another audience (another MCP server sharing the Atlassian app).
    from fastmcp.server.auth.jwt_issuer import JWTIssuer, derive_jwt_key

    key = derive_jwt_key(high_entropy_material=APP_SECRET, salt="fastmcp-jwt-signing-key")
    other = JWTIssuer(
        issuer=server.base + "/", audience="https://other.example/mcp", signing_key=key
    )
    forged = other.issue_access_token(client_id="x", scopes=["confluence:read"], jti="j" * 20)
    async with httpx.AsyncClient() as http:
        refused = await http.post(
            f"{server.base}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={
                "authorization": f"Bearer {forged}",
                "accept": "application/json, text/event-stream",
            },
        )
    assert refused.status_code == 401


async def test_clients_discover_this_server_as_their_authorization_server(
    server: Running,
) -> None:
    async with httpx.AsyncClient() as http:
        resource = (
            await http.get(f"{server.base}/.well-known/oauth-protected-resource/mcp")
        ).json()
        metadata = (await http.get(f"{server.base}/.well-known/oauth-authorization-server")).json()
    assert resource["resource"] == f"{server.base}/mcp"
    assert [url.rstrip("/") for url in resource["authorization_servers"]] == [server.base]
    assert metadata["issuer"].rstrip("/") == server.base
    assert metadata["registration_endpoint"] == f"{server.base}/register"
    assert metadata["code_challenge_methods_supported"] == ["S256"]
    assert metadata.get("client_id_metadata_document_supported") is True
    assert set(metadata["scopes_supported"]) == {
        "confluence:read",
        "confluence:write",
        "confluence:delete",
        "confluence:admin",
    }


# --- the confused-deputy defences -------------------------------------------------------------


async def test_authorize_refuses_a_redirect_uri_the_client_did_not_register(
    server: Running,
) -> None:
    client_id = await _register(server.base, "confluence:read")
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            f"{server.base}/authorize",
            params={
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": "http://127.0.0.1:1/callback/other",
                "code_challenge": _challenge("v" * 50),
                "code_challenge_method": "S256",
                "state": "s",
            },
        )
    assert answer.status_code == 400
    assert "location" not in answer.headers


async def test_callback_from_another_browser_is_refused(server: Running) -> None:
    server.fake.oauth.consent_as(ALICE)
    async with httpx.AsyncClient() as victim, httpx.AsyncClient() as attacker:
        auth = await _start(server, victim)
        callback = await _approve(server, auth)
        stolen = await attacker.get(callback)  # no consent cookie of the approving browser
    assert stolen.status_code == 403
    assert "location" not in stolen.headers


async def test_code_exchange_needs_the_pkce_verifier(server: Running) -> None:
    server.fake.oauth.consent_as(ALICE)
    async with httpx.AsyncClient() as browser:
        auth = await _start(server, browser)
        back = await browser.get(await _approve(server, auth))
    code = _query(back.headers["location"])["code"]
    async with httpx.AsyncClient() as http:
        wrong = await http.post(
            f"{server.base}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CLIENT_CALLBACK,
                "client_id": auth.client_id,
                "code_verifier": "w" * 50,
            },
        )
    # FastMCP answers 401 here (RFC 6749 says 400); the error code is the standard one.
    assert wrong.status_code in (400, 401), wrong.text
    assert wrong.json()["error"] == "invalid_grant"
    assert "code_verifier" in wrong.json()["error_description"]


async def test_multipart_bodies_are_refused_before_a_file_is_spooled(
    server: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDK's /token and /authorize handlers parse any form and never close it: each file
    part of a multipart body was left in an open SpooledTemporaryFile for the garbage
    collector. No endpoint takes files, so the encoding is refused (415) before any parse."""
    import tempfile

    import starlette.formparsers

    spooled: list[object] = []

    class Counted(tempfile.SpooledTemporaryFile[bytes]):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            spooled.append(self)

    monkeypatch.setattr(starlette.formparsers, "SpooledTemporaryFile", Counted)
    fields = {"grant_type": "authorization_code", "client_id": "c", "response_type": "code"}
    async with httpx.AsyncClient() as http:
        for path in ("/token", "/authorize", "/revoke", "/register", "/mcp"):
            answer = await http.post(
                f"{server.base}{path}",
                data=fields,
                files={"file": ("a.txt", b"hello", "text/plain")},
            )
            assert answer.status_code == 415, (path, answer.status_code, answer.text)
            assert "multipart" in answer.json()["error_description"], path
        plain = await http.post(f"{server.base}/token", data=fields)  # the usual encoding
    assert plain.status_code in (400, 401), plain.text
    assert plain.json()["error"] == "invalid_client"
    assert not spooled


async def test_denied_consent_never_reaches_atlassian(server: Running) -> None:
    before = server.fake.requests.count("GET", path_prefix="/authorize")
    async with httpx.AsyncClient() as browser:
        auth = await _start(server, browser)
        page = await browser.get(auth.consent_url)
        fields = dict(re.findall(r'name="(txn_id|csrf_token)" value="([^"]+)"', page.text))
        denied = await browser.post(
            f"{server.base}/consent", data={**fields, "action": "deny", "submit": "true"}
        )
    assert denied.status_code in (302, 303)
    assert _query(denied.headers["location"])["error"] == "access_denied"
    assert server.fake.requests.count("GET", path_prefix="/authorize") == before


# --- token lifecycle ----------------------------------------------------------------------------


async def test_access_tokens_are_refreshed_and_refresh_tokens_rotate_mid_session(
    server: Running,
) -> None:
    oauth = server.fake.oauth
    # Tokens that expire within the server's refresh margin: every call renews them.
    oauth.access_token_ttl = 30
    try:
        tokens = await sign_in(server, "carol@example.com")
        async with mcp(server, tokens["access_token"]) as client:
            refreshes = oauth.refreshes
            for _ in range(3):
                listed = await client.call_tool("list_spaces", {})
                assert not listed.is_error
            # Every request renewed the token (a tool call may be more than one request).
            assert oauth.refreshes >= refreshes + 3
            # Each refresh sent the newest refresh token: a replayed one would be refused.
            assert oauth.reused_refresh_tokens == 0
            # Long-lived tokens from now on: renewed once more, then none is due.
            oauth.access_token_ttl = 3600
            await client.call_tool("list_spaces", {})
            settled = oauth.refreshes
            for _ in range(2):
                assert not (await client.call_tool("list_spaces", {})).is_error
            assert oauth.refreshes == settled
    finally:
        oauth.access_token_ttl = 3600


async def _refresh(running: Running, tokens: dict[str, Any], client_id: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{running.base}/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": tokens["refresh_token"],
                "client_id": client_id,
            },
        )


async def test_the_client_refreshes_its_own_token_and_atlassians_rotates_behind_it(
    server: Running,
) -> None:
    oauth = server.fake.oauth
    oauth.access_token_ttl = 30  # Atlassian's token is due whenever the client refreshes
    try:
        tokens = await sign_in(server, "carol@example.com")
        client_id = _client_id_of(tokens)
        refreshes = oauth.refreshes
        renewed = await _refresh(server, tokens, client_id)
        assert renewed.status_code == 200, renewed.text
        fresh = renewed.json()
        assert fresh["access_token"] != tokens["access_token"]
        assert "fake-" not in renewed.text  # still this server's tokens only
        assert oauth.refreshes == refreshes + 1
        async with mcp(server, fresh["access_token"]) as client:
            assert not (await client.call_tool("list_spaces", {})).is_error
        oauth.revoke("carol@example.com")
        refused = await _refresh(server, fresh, client_id)
    finally:
        oauth.access_token_ttl = 3600
    assert refused.status_code in (400, 401)
    assert refused.json()["error"] == "invalid_grant"


async def test_a_revoked_grant_asks_the_user_to_sign_in_again(server: Running) -> None:
    oauth = server.fake.oauth
    oauth.access_token_ttl = 30  # every call renews the token: the revocation is met there
    try:
        tokens = await sign_in(server, "dan@example.com")
        async with mcp(server, tokens["access_token"]) as client:
            assert not (await client.call_tool("list_spaces", {})).is_error
            oauth.revoke("dan@example.com")
            failed = await client.call_tool("list_spaces", {}, raise_on_error=False)
    finally:
        oauth.access_token_ttl = 3600
    assert failed.is_error
    text = failed.content[0].text  # type: ignore[union-attr]
    assert "Sign in again" in text
    assert server.base in text
    # The grant is gone: the next request is a 401, which makes the client sign in anew.
    async with httpx.AsyncClient() as http:
        again = await http.post(
            f"{server.base}/mcp",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={
                "authorization": f"Bearer {tokens['access_token']}",
                "accept": "application/json, text/event-stream",
            },
        )
    assert again.status_code == 401
    assert "resource_metadata=" in again.headers["www-authenticate"]
    # ... and signing in again works.
    renewed = await sign_in(server, "dan@example.com")
    async with mcp(server, renewed["access_token"]) as client:
        assert not (await client.call_tool("list_spaces", {})).is_error


async def test_the_reconnect_link_restores_the_same_session(server: Running) -> None:
    oauth = server.fake.oauth
    oauth.access_token_ttl = 30  # every call renews the token: the revocation is met there
    try:
        tokens = await sign_in(server, "carol@example.com")
        async with mcp(server, tokens["access_token"]) as client:
            oauth.revoke("carol@example.com")
            failed = await client.call_tool("list_spaces", {}, raise_on_error=False)
        text = failed.content[0].text  # type: ignore[union-attr]
        found = re.search(r"open (\S+/auth/reconnect\?ticket=\S+) in your browser", text)
        assert found, text
        link = found.group(1)

        # Someone else opening Carol's link cannot make her session act as them.
        oauth.consent_as(BOB)
        async with httpx.AsyncClient() as other:
            at_atlassian = await other.get(link)
            back = await other.get(at_atlassian.headers["location"])
            refused = await other.get(back.headers["location"])
        assert refused.status_code == 403, refused.text
        assert "another account" in refused.text

        # A callback replayed in another browser than the one that opened the link.
        oauth.consent_as("carol@example.com")
        async with httpx.AsyncClient() as carol, httpx.AsyncClient() as attacker:
            at_atlassian = await carol.get(link)
            assert at_atlassian.status_code == 302
            assert "code_challenge=" in at_atlassian.headers["location"]
            back = await carol.get(at_atlassian.headers["location"])
            stolen = await attacker.get(back.headers["location"])
            assert stolen.status_code == 403
            done = await carol.get(back.headers["location"])
        assert done.status_code == 200
        assert "Reconnected" in done.text
        # The MCP client signs in to nothing new: its token works again.
        async with mcp(server, tokens["access_token"]) as client:
            assert not (await client.call_tool("list_spaces", {})).is_error
        async with httpx.AsyncClient() as http:
            forged = await http.get(link.replace("ticket=", "ticket=x"))
        assert forged.status_code == 400
    finally:
        oauth.access_token_ttl = 3600


async def test_an_access_token_revoked_before_expiry_asks_to_sign_in_again(
    server: Running,
) -> None:
    tokens = await sign_in(server, "eve@example.com")  # an hour to live: no refresh is due
    async with mcp(server, tokens["access_token"]) as client:
        assert not (await client.call_tool("list_spaces", {})).is_error
        server.fake.oauth.revoke("eve@example.com")
        failed = await client.call_tool("list_spaces", {}, raise_on_error=False)
    assert failed.is_error
    text = failed.content[0].text  # type: ignore[union-attr]
    assert "Sign in again" in text
    assert "CONFLUENCE_" not in text  # not the service account's message


# --- several replicas -----------------------------------------------------------------------


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with running_redis(tmp_path) as url:
        yield url


@pytest.fixture
def own_fake() -> Iterator[FakeConfluenceServer]:
    with FakeConfluenceServer(seed="demo") as server:
        yield server


async def test_a_second_replica_sharing_redis_serves_the_same_people(
    own_fake: FakeConfluenceServer, redis_url: str, tmp_path: Path
) -> None:
    fake = own_fake
    first, second = _free_port(), _free_port()
    public = f"http://127.0.0.1:{first}"  # the load balancer's URL: both replicas are behind it
    fake.oauth.register_app(APP_ID, APP_SECRET, [f"{public}/auth/callback"])
    shared = {
        "MCP_TOKEN_STORE": redis_url,
        "MCP_TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    with (
        serving(fake, tmp_path, port=first, public_url=public, **shared),
        serving(fake, tmp_path, port=second, public_url=public, **shared),
    ):
        fake.oauth.access_token_ttl = 30  # every call renews (and rotates) the tokens
        try:
            # Signed in through the first replica ...
            tokens = await sign_in(Running(public, fake), ALICE)
            refreshes = fake.oauth.refreshes
            # ... served by the second, then the first again: the rotated refresh token is
            # shared, so neither replica ever replays a spent one.
            for port in (second, first, second):
                replica = Running(f"http://127.0.0.1:{port}", fake)
                async with mcp(replica, tokens["access_token"]) as client:
                    assert not (await client.call_tool("list_spaces", {})).is_error
        finally:
            fake.oauth.access_token_ttl = 3600
    assert fake.oauth.refreshes >= refreshes + 3
    assert fake.oauth.reused_refresh_tokens == 0
