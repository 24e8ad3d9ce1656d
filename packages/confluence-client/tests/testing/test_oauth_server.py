"""The fake Atlassian authorization server, driven by the SDK's ``confluence_client.oauth``."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from confluence_client.oauth import AtlassianOAuth, InvalidGrantError, OAuthError
from confluence_client.testing import FakeConfluenceServer

CALLBACK = "http://127.0.0.1:9/auth/callback"
SCOPES = ["read:confluence-content.all", "read:me", "offline_access"]
ALICE = "alice@example.com"


@pytest.fixture(scope="module")
def server() -> Iterator[FakeConfluenceServer]:
    with FakeConfluenceServer() as fake:
        yield fake


@pytest.fixture
def oauth(server: FakeConfluenceServer) -> AtlassianOAuth:
    server.reset()
    server.oauth.register_app("app-1", "secret-1", [CALLBACK])
    return AtlassianOAuth("app-1", "secret-1", auth_url=server.auth_url, api_url=server.url)


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


async def _authorize(url: str) -> dict[str, str]:
    async with httpx.AsyncClient() as http:
        response = await http.get(url, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def _call(method: str, url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.request(method, url, **kwargs)


async def _sign_in(oauth: AtlassianOAuth, verifier: str = "v" * 50) -> str:
    url = oauth.authorization_url(
        CALLBACK, SCOPES, state="st-1", code_challenge=_challenge(verifier)
    )
    answer = await _authorize(url)
    assert answer["state"] == "st-1"
    tokens = await oauth.exchange_code(answer["code"], CALLBACK, code_verifier=verifier)
    assert tokens.refresh_token is not None
    return tokens.refresh_token


async def test_consenting_user_gets_tokens_that_act_as_them(
    server: FakeConfluenceServer, oauth: AtlassianOAuth
) -> None:
    server.oauth.consent_as(ALICE)
    url = oauth.authorization_url(CALLBACK, SCOPES, state="s", code_challenge=_challenge("x" * 43))
    tokens = await oauth.exchange_code(
        (await _authorize(url))["code"], CALLBACK, code_verifier="x" * 43
    )
    assert set(tokens.scopes) == set(SCOPES)

    sites = await oauth.accessible_resources(tokens.access_token)
    assert [s.id for s in sites] == [server.cloud_id]
    account = await oauth.current_account(tokens.access_token)
    assert account.email == ALICE

    bearer = {"Authorization": f"Bearer {tokens.access_token}"}
    me = await _call("GET", f"{server.gateway_url}/rest/api/user/current", headers=bearer)
    assert me.status_code == 200
    assert me.json()["accountId"] == account.account_id
    # As on Atlassian, a 3LO token is refused on the site's own domain.
    site = await _call("GET", f"{server.wiki_url}/rest/api/user/current", headers=bearer)
    assert site.status_code == 401


async def test_refresh_rotates_and_a_replayed_token_is_invalid_grant(
    server: FakeConfluenceServer, oauth: AtlassianOAuth
) -> None:
    first = await _sign_in(oauth)
    second = await oauth.refresh(first)
    assert second.refresh_token not in (None, first)
    with pytest.raises(InvalidGrantError) as caught:
        await oauth.refresh(first)
    assert caught.value.status_code == 403
    assert "Unknown or invalid refresh token." in str(caught.value)
    assert server.oauth.reused_refresh_tokens == 1
    assert second.refresh_token is not None
    third = await oauth.refresh(second.refresh_token)
    assert third.access_token != second.access_token
    assert server.oauth.refreshes == 2


async def test_revocation_kills_refresh_and_access_tokens(
    server: FakeConfluenceServer, oauth: AtlassianOAuth
) -> None:
    server.oauth.consent_as(ALICE)
    refresh = await _sign_in(oauth)
    tokens = await oauth.refresh(refresh)
    control = await _call("POST", f"{server.control_url}/oauth/revoke", json={"user": ALICE})
    assert control.json() == {"revoked": 1}
    assert tokens.refresh_token is not None
    with pytest.raises(InvalidGrantError):
        await oauth.refresh(tokens.refresh_token)
    bearer = {"Authorization": f"Bearer {tokens.access_token}"}
    spaces = await _call("GET", f"{server.gateway_url}/api/v2/spaces", headers=bearer)
    assert spaces.status_code == 401


async def test_expired_access_token_is_refused_until_refreshed(
    server: FakeConfluenceServer, oauth: AtlassianOAuth
) -> None:
    refresh = await _sign_in(oauth)
    tokens = await oauth.refresh(refresh)
    (await _call("POST", f"{server.control_url}/oauth/expire")).raise_for_status()
    with pytest.raises(OAuthError) as caught:
        await oauth.accessible_resources(tokens.access_token)
    assert caught.value.status_code == 401
    assert tokens.refresh_token is not None
    fresh = await oauth.refresh(tokens.refresh_token)
    assert await oauth.accessible_resources(fresh.access_token)


def test_redirect_uri_must_match_exactly(oauth: AtlassianOAuth) -> None:
    for wrong in (CALLBACK + "/", CALLBACK + "?x=1", "http://127.0.0.1:9/auth/callbackx"):
        url = oauth.authorization_url(wrong, SCOPES, state="s")
        response = httpx.get(url, follow_redirects=False)
        assert response.status_code == 400
        assert "redirect_uri" in response.text


async def test_scripted_denial_redirects_with_access_denied(
    server: FakeConfluenceServer, oauth: AtlassianOAuth
) -> None:
    deny = await _call("POST", f"{server.control_url}/oauth/consent", json={"deny": True})
    deny.raise_for_status()
    answer = await _authorize(oauth.authorization_url(CALLBACK, SCOPES, state="s9"))
    assert answer == {"error": "access_denied", "state": "s9"}


async def test_code_needs_the_pkce_verifier_the_same_redirect_and_is_single_use(
    oauth: AtlassianOAuth,
) -> None:
    url = oauth.authorization_url(CALLBACK, SCOPES, state="s", code_challenge=_challenge("a" * 43))
    code = (await _authorize(url))["code"]
    with pytest.raises(InvalidGrantError):
        await oauth.exchange_code(code, CALLBACK, code_verifier="b" * 43)
    # The failed attempt spent the code.
    with pytest.raises(InvalidGrantError):
        await oauth.exchange_code(code, CALLBACK, code_verifier="a" * 43)


async def test_wrong_client_secret_is_refused(server: FakeConfluenceServer) -> None:
    server.oauth.register_app("app-1", "secret-1", [CALLBACK])
    bad = AtlassianOAuth("app-1", "nope", auth_url=server.auth_url, api_url=server.url)
    with pytest.raises(OAuthError) as caught:
        await bad.refresh("fake-rt-whatever")
    assert caught.value.status_code == 401
    assert not isinstance(caught.value, InvalidGrantError)


async def test_authorize_requires_the_gateway_audience(server: FakeConfluenceServer) -> None:
    server.oauth.register_app("app-1", "secret-1", [CALLBACK])
    query = {"client_id": "app-1", "redirect_uri": CALLBACK, "response_type": "code"}
    query |= {"scope": "read:me", "state": "s"}
    answer = await _authorize(f"{server.auth_url}/authorize?" + httpx.QueryParams(query).__str__())
    assert answer["error"] == "invalid_request"
    assert "audience" in answer["error_description"]


def test_control_api_registers_apps_and_sets_the_lifetime(server: FakeConfluenceServer) -> None:
    app = {"client_id": "app-2", "client_secret": "s2", "redirect_uris": [CALLBACK]}
    assert httpx.post(f"{server.control_url}/oauth/apps", json=app).status_code == 201
    ttl = httpx.put(f"{server.control_url}/oauth/settings", json={"access_token_ttl": 5})
    assert ttl.status_code == 204
    assert httpx.get(f"{server.control_url}/oauth").json()["access_token_ttl"] == 5
    bad = httpx.post(f"{server.control_url}/oauth/consent", json={"user": "nobody@example.com"})
    assert bad.status_code == 400
    server.oauth.access_token_ttl = 3600
