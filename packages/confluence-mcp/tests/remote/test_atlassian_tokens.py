"""The oauth mode's token keeper against the fake Atlassian: sign-in, rotating refresh, the
race between replicas, revocation; and the settings the mode needs."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from confluence_client.oauth import AtlassianOAuth
from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.errors import ConfigError, CredentialError
from confluence_mcp.identity.credentials import CredentialStore, UpstreamCredential
from confluence_mcp.remote.atlassian_proxy import mcp_scopes_for
from confluence_mcp.remote.atlassian_tokens import AtlassianTokens
from confluence_mcp.remote.settings import load_remote_settings
from mcp_auth.token_store import open_token_store

CALLBACK = "https://mcp.example.test/auth/callback"
SCOPES = ["read:confluence-content.all", "read:me", "offline_access"]
ALICE = "alice@example.com"


@pytest.fixture
def oauth(fake_confluence: FakeConfluenceServer) -> AtlassianOAuth:
    fake_confluence.oauth.register_app("app", "secret", [CALLBACK])
    return AtlassianOAuth(
        "app", "secret", auth_url=fake_confluence.auth_url, api_url=fake_confluence.url
    )


@pytest.fixture
def store() -> CredentialStore:
    return CredentialStore(open_token_store("memory"))


def keeper(oauth: AtlassianOAuth, store: CredentialStore) -> AtlassianTokens:
    return AtlassianTokens(oauth, store, public_url="https://mcp.example.test")


@pytest.fixture
def tokens(oauth: AtlassianOAuth, store: CredentialStore) -> AtlassianTokens:
    return keeper(oauth, store)


async def signed_in(
    fake: FakeConfluenceServer, tokens: AtlassianTokens
) -> tuple[str, UpstreamCredential]:
    fake.oauth.consent_as(ALICE)
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode()
    url = tokens.oauth.authorization_url(
        CALLBACK, SCOPES, state="s", code_challenge=challenge.rstrip("=")
    )
    async with httpx.AsyncClient() as http:
        location = (await http.get(url)).headers["location"]
    code = parse_qs(urlsplit(location).query)["code"][0]
    key, credential, scopes = await tokens.sign_in(code, CALLBACK, verifier)
    assert set(scopes) == set(SCOPES)
    return key, credential


async def expire(store: CredentialStore, key: str) -> UpstreamCredential:
    """Make the stored credential due for renewal; returns it."""
    stored = await store.get(key)
    assert stored is not None
    due = stored.model_copy(update={"expires_at": datetime.now(UTC) - timedelta(seconds=1)})
    await store.put(key, due)
    return due


class Due(NamedTuple):
    """Alice signed in through ``tokens``; her stored credential is now due for renewal."""

    key: str
    first: UpstreamCredential  # as sign-in stored it
    due: UpstreamCredential  # the same, expired


@pytest.fixture
async def alice_due(
    fake_confluence: FakeConfluenceServer, tokens: AtlassianTokens, store: CredentialStore
) -> Due:
    key, first = await signed_in(fake_confluence, tokens)
    return Due(key, first, await expire(store, key))


async def test_sign_in_stores_the_account_site_and_both_tokens(
    fake_confluence: FakeConfluenceServer, tokens: AtlassianTokens, store: CredentialStore
) -> None:
    key, credential = await signed_in(fake_confluence, tokens)
    alice = fake_confluence.store.find_user(ALICE)
    assert alice is not None
    assert key == f"user:{alice.account_id}"
    assert credential.cloud_id == fake_confluence.cloud_id
    assert credential.email == ALICE
    assert credential.refresh_token is not None
    assert await store.get(key) == credential


async def test_refresh_rotates_and_persists_the_new_refresh_token(
    fake_confluence: FakeConfluenceServer,
    tokens: AtlassianTokens,
    store: CredentialStore,
    alice_due: Due,
) -> None:
    key, first, due = alice_due
    renewed = await tokens.refresh(key, due)
    assert renewed.refresh_token != first.refresh_token
    assert renewed.secret != first.secret
    assert await store.get(key) == renewed
    # Not due any more: a second call returns it without asking Atlassian.
    assert await tokens.refresh(key, due) == renewed
    assert fake_confluence.oauth.refreshes == 1


async def test_concurrent_refreshes_of_one_person_ask_atlassian_once(
    fake_confluence: FakeConfluenceServer, tokens: AtlassianTokens, alice_due: Due
) -> None:
    key, _, due = alice_due
    first, second = await asyncio.gather(tokens.refresh(key, due), tokens.refresh(key, due))
    assert first == second
    assert fake_confluence.oauth.refreshes == 1
    assert fake_confluence.oauth.reused_refresh_tokens == 0


async def test_a_replica_that_lost_the_race_takes_the_winners_tokens(
    fake_confluence: FakeConfluenceServer,
    oauth: AtlassianOAuth,
    store: CredentialStore,
    tokens: AtlassianTokens,
    alice_due: Due,
) -> None:
    key, _, due = alice_due
    renewed = await tokens.refresh(key, due)  # the winner

    class StaleFirstRead(CredentialStore):
        """The loser read the store before the winner wrote to it."""

        stale = True

        async def get(self, key: str) -> UpstreamCredential | None:
            if self.stale:
                self.stale = False
                return due
            return await super().get(key)

    loser = keeper(oauth, StaleFirstRead(store.tokens))
    assert await loser.refresh(key, due) == renewed
    assert fake_confluence.oauth.reused_refresh_tokens == 1  # it did replay the spent token
    assert await store.get(key) == renewed  # ... without signing the user out


async def test_a_revoked_grant_signs_the_user_out(
    fake_confluence: FakeConfluenceServer,
    tokens: AtlassianTokens,
    store: CredentialStore,
    alice_due: Due,
) -> None:
    key, _, due = alice_due
    fake_confluence.oauth.revoke(ALICE)
    with pytest.raises(CredentialError) as caught:
        await tokens.refresh(key, due)
    assert "Sign in again" in caught.value.message
    assert caught.value.sign_in_url == "https://mcp.example.test"
    assert await store.get(key) is None


async def test_atlassian_down_keeps_the_grant(
    fake_confluence: FakeConfluenceServer,
    tokens: AtlassianTokens,
    store: CredentialStore,
    alice_due: Due,
) -> None:
    key, _, due = alice_due
    fake_confluence.faults.server_errors(path_prefix="/oauth/token", status=503, count=1)
    with pytest.raises(CredentialError) as caught:
        await tokens.refresh(key, due)
    assert "try again" in caught.value.message
    assert await store.get(key) == due  # still signed in: the next call retries
    assert (await tokens.refresh(key, due)).secret != due.secret


@pytest.mark.parametrize(
    ("atlassian", "mcp"),
    [
        (["read:confluence-content.all", "offline_access"], ["confluence:read"]),
        (
            ["read:page:confluence", "write:page:confluence", "delete:page:confluence"],
            ["confluence:delete", "confluence:read", "confluence:write"],
        ),
        (
            ["search:confluence", "write:confluence-content"],
            ["confluence:delete", "confluence:read", "confluence:write"],
        ),
        (["write:confluence-space"], ["confluence:admin", "confluence:write"]),
        (["read:me", "offline_access", "read:jira-work"], []),
    ],
)
def test_atlassian_scopes_map_to_mcp_scopes(atlassian: list[str], mcp: list[str]) -> None:
    assert mcp_scopes_for(atlassian) == mcp


def _oauth_settings(**overrides: str) -> dict[str, str]:
    return {
        "confluence_url": "https://acme.atlassian.net/wiki",
        "confluence_auth_mode": "oauth",
        "transport": "http",
        "atlassian_oauth_client_id": "app",
        "atlassian_oauth_client_secret": "secret",
        "mcp_public_url": "https://mcp.example.test",
        **overrides,
    }


def test_oauth_mode_settings_are_complete() -> None:
    remote = load_remote_settings(_oauth_settings(), env_file=None)
    assert remote.auth_configured
    assert "offline_access" in remote.atlassian_scopes


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("atlassian_oauth_client_id", "ATLASSIAN_OAUTH_CLIENT_ID"),
        ("atlassian_oauth_client_secret", "ATLASSIAN_OAUTH_CLIENT_SECRET"),
        ("mcp_public_url", "MCP_PUBLIC_URL"),
    ],
)
def test_oauth_mode_names_what_is_missing(missing: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_remote_settings(_oauth_settings(**{missing: ""}), env_file=None)


def test_oauth_mode_needs_refresh_tokens_and_the_account() -> None:
    with pytest.raises(ConfigError, match="offline_access and read:me"):
        load_remote_settings(
            _oauth_settings(atlassian_oauth_scopes="read:confluence-content.all"), env_file=None
        )
