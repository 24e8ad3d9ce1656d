"""Per-principal space allow-lists over real HTTP: API keys, JWT claims, the mapping file."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastmcp import Client
from fastmcp.client.transports import StreamableHttpTransport
from mcp.shared.exceptions import MCPError
from mcp_types import ResourceTemplateReference
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.errors import ConfigError
from confluence_mcp.http.serving import running_http_server
from confluence_mcp.remote.auth import confluence_scope_policy
from confluence_mcp.remote.keys import run_keys
from confluence_mcp.remote.principal_spaces import PrincipalSpaces
from mcp_auth import AuthMethod, Principal, create_api_key, list_api_keys

ISSUER = "https://idp.example.test/"
AUDIENCE = "https://mcp.example.test/mcp"
READ = ["confluence:read"]


def any_page(fake: FakeConfluenceServer, key: str) -> str:
    space = fake.store.get_space_by_key(key)
    return next(p.id for p in fake.store.pages.values() if p.space_id == space.id)


async def reach(base: str, token: str, fake: FakeConfluenceServer) -> dict[str, Any]:
    """What a caller can see: listed spaces, search hits' spaces, readable pages, completions."""
    space_ref = ResourceTemplateReference(uri="confluence://space/{space_key}")
    async with Client(StreamableHttpTransport(f"{base}/mcp", auth=token)) as client:
        listed = (await client.call_tool("list_spaces", {})).structured_content
        hits = (await client.call_tool("search", {"query": "the"})).structured_content
        readable: set[str] = set()
        resources: set[str] = set()
        refusals: list[str] = []
        for key in ("DEMO", "ENG"):
            page = any_page(fake, key)
            got = await client.call_tool("get_page", {"page_id": page}, raise_on_error=False)
            if not got.is_error:
                readable.add(key)
            else:
                refusals.append(str(got.content[0]))
            try:
                await client.read_resource(f"confluence://page/{page}")
                resources.add(key)
            except MCPError as error:
                refusals.append(str(error))
        completed = await client.complete(space_ref, {"name": "space_key", "value": ""})
    # Out of reach reads exactly like missing.
    assert all("Not found" in refusal for refusal in refusals), refusals
    return {
        "spaces": {s["key"] for s in listed["spaces"]},
        "hits": {hit["space_key"] for hit in hits["results"]},
        "pages": readable,
        "resources": resources,
        "completions": {value.upper() for value in completed.values} & {"DEMO", "ENG"},
    }


async def assert_lists_read_tools_only(base: str, token: str, settings: Any) -> None:
    """Scope filtering holds for this auth method too: a read token lists read tools only."""
    policy = confluence_scope_policy()
    every = await create_server(settings.core).list_tools()
    expected = {t.name for t in every if policy.allows(READ, t.name, t.tags)}
    async with Client(StreamableHttpTransport(f"{base}/mcp", auth=token)) as client:
        listed = {tool.name for tool in await client.list_tools()}
    assert listed == expected
    assert len(expected) < len(every)


def only(*keys: str) -> dict[str, set[str]]:
    expected = set(keys)
    return {
        "spaces": expected,
        "hits": expected,
        "pages": expected,
        "resources": expected,
        "completions": expected,
    }


async def test_two_keys_reach_only_their_own_spaces(
    remote_settings_for: Any,
    serve_remote: Any,
    fake_confluence: FakeConfluenceServer,
    tmp_path: Path,
) -> None:
    path = tmp_path / "keys.json"
    demo = create_api_key(path, "demo-bot", READ, claims={"spaces": ["demo"]}).key
    # The CLI's --spaces becomes the same claim.
    out = io.StringIO()
    argv = ["create", "--file", str(path), "--name", "eng-bot", "--scopes", *READ]
    assert run_keys([*argv, "--spaces", "eng"], env_file=None, stdout=out) == 0
    eng = out.getvalue().strip()
    every = create_api_key(path, "any-bot", READ).key
    assert {r.name: r.claims for r in list_api_keys(path)} == {
        "demo-bot": {"spaces": ("demo",)},
        "eng-bot": {"spaces": ("ENG",)},
        "any-bot": {},
    }
    settings = remote_settings_for(mcp_api_keys_file=path, mcp_ip_rate_limit="off")
    async with serve_remote(settings) as (base, _):
        assert await reach(base, demo, fake_confluence) == only("DEMO")
        assert await reach(base, eng, fake_confluence) == only("ENG")
        unrestricted = await reach(base, every, fake_confluence)
    assert unrestricted["pages"] == {"DEMO", "ENG"}
    assert {"DEMO", "ENG"} <= unrestricted["spaces"]


async def test_the_global_filter_is_the_ceiling(
    remote_settings_for: Any,
    serve_remote: Any,
    fake_confluence: FakeConfluenceServer,
    tmp_path: Path,
) -> None:
    path = tmp_path / "keys.json"
    both = create_api_key(path, "both", READ, claims={"spaces": ["DEMO", "ENG"]}).key
    eng = create_api_key(path, "eng", READ, claims={"spaces": ["ENG"]}).key
    settings = remote_settings_for(
        mcp_api_keys_file=path, mcp_ip_rate_limit="off", confluence_spaces_filter="DEMO"
    )
    async with serve_remote(settings) as (base, _):
        assert await reach(base, both, fake_confluence) == only("DEMO")
        assert await reach(base, eng, fake_confluence) == only()


def test_keys_create_refuses_empty_spaces(tmp_path: Path) -> None:
    err = io.StringIO()
    argv = ["create", "--file", str(tmp_path / "k.json"), "--name", "x", "--spaces"]
    assert run_keys(argv, env_file=None, stderr=err) == 2
    assert "--spaces needs space keys" in err.getvalue()


@pytest.fixture
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def issue(key: rsa.RSAPrivateKey, subject: str, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "scope": "confluence:read",
        "iat": now,
        "exp": now + 600,
        **claims,
    }
    return jwt.encode(payload, key, algorithm="RS256")


async def test_jwt_principals_from_a_claim_or_the_mapping_file(
    remote_settings_for: Any,
    serve_remote: Any,
    fake_confluence: FakeConfluenceServer,
    signing_key: rsa.RSAPrivateKey,
    tmp_path: Path,
) -> None:
    public = tmp_path / "key.pem"
    public.write_bytes(
        signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    mapping = tmp_path / "spaces.json"
    mapping.write_text(json.dumps({"bob": ["DEMO"], "carol": "ENG,DEMO"}))
    settings = remote_settings_for(
        mcp_jwt_public_key=public,
        mcp_jwt_issuer=ISSUER,
        mcp_jwt_audience=AUDIENCE,
        mcp_spaces_claim="confluence_spaces",
        mcp_principal_spaces_file=mapping,
        mcp_ip_rate_limit="off",
    )
    async with serve_remote(settings) as (base, _):
        # The claim wins over the file; a string claim works too.
        alice = issue(signing_key, "alice", confluence_spaces=["ENG"])
        assert await reach(base, alice, fake_confluence) == only("ENG")
        bob_claim = issue(signing_key, "bob", confluence_spaces="eng")
        assert await reach(base, bob_claim, fake_confluence) == only("ENG")
        # No claim: the subject's entry in the file.
        assert await reach(base, issue(signing_key, "bob"), fake_confluence) == only("DEMO")
        carol = await reach(base, issue(signing_key, "carol"), fake_confluence)
        # Search ranks across both spaces: its first hits may all come from one of them.
        hits = carol.pop("hits")
        assert hits
        assert hits <= {"DEMO", "ENG"}
        assert carol == {kind: {"DEMO", "ENG"} for kind in carol}
        # Neither: nothing (fail closed), not everything.
        assert await reach(base, issue(signing_key, "dave"), fake_confluence) == only()
        await assert_lists_read_tools_only(base, alice, settings)


async def test_introspected_principals_from_a_claim(
    remote_settings_for: Any, serve_remote: Any, fake_confluence: FakeConfluenceServer
) -> None:
    answers: dict[str, dict[str, Any]] = {
        "opaque-eng": {"sub": "erin", "confluence_spaces": ["ENG"]},
        "opaque-none": {"sub": "frank"},
    }

    async def introspect(request: Request) -> JSONResponse:
        known = answers.get(str((await request.form()).get("token")))
        if known is None:
            return JSONResponse({"active": False})
        return JSONResponse(
            {
                "active": True,
                "scope": "confluence:read",
                "aud": AUDIENCE,
                "exp": int(time.time()) + 600,
                **known,
            }
        )

    app = Starlette(routes=[Route("/introspect", introspect, methods=["POST"])])
    async with running_http_server(app) as endpoint:
        settings = remote_settings_for(
            mcp_oauth_introspection_url=f"{endpoint}/introspect",
            mcp_oauth_client_id="mcp-server",
            mcp_oauth_client_secret="introspection-secret",
            mcp_jwt_audience=AUDIENCE,
            mcp_spaces_claim="confluence_spaces",
            mcp_ip_rate_limit="off",
        )
        async with serve_remote(settings) as (base, _):
            assert await reach(base, "opaque-eng", fake_confluence) == only("ENG")
            assert await reach(base, "opaque-none", fake_confluence) == only()
            await assert_lists_read_tools_only(base, "opaque-eng", settings)


def jwt_principal(subject: str, **claims: Any) -> Principal:
    return Principal(subject=subject, auth_method=AuthMethod.JWT, claims=claims)


def test_mapping_file_yaml_default_entry_and_reload(tmp_path: Path) -> None:
    mapping = tmp_path / "spaces.yaml"
    mapping.write_text("alice: [demo, eng]\n'*': DEMO\n")
    spaces = PrincipalSpaces(mapping_file=mapping)
    assert spaces.spaces_for(jwt_principal("alice")) == frozenset({"DEMO", "ENG"})
    assert spaces.spaces_for(jwt_principal("zed")) == frozenset({"DEMO"})
    assert spaces.spaces_for(None) is None
    mapping.write_text("alice: ENG\n")  # a different size: seen without a restart
    assert spaces.spaces_for(jwt_principal("alice")) == frozenset({"ENG"})
    assert spaces.spaces_for(jwt_principal("zed")) == frozenset()
    mapping.write_text("alice: [ENG, {bad: 1}]\n")  # a broken edit keeps the last good one
    assert spaces.spaces_for(jwt_principal("alice")) == frozenset({"ENG"})
    # Nothing configured: only the global filter applies.
    assert PrincipalSpaces().spaces_for(jwt_principal("alice")) is None
    assert PrincipalSpaces(claim="sp").spaces_for(jwt_principal("a", sp=7)) == frozenset()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("s.json", "{not json", "not valid JSON"),
        ("s.yaml", "- DEMO\n", "expected a mapping"),
        ("s.yaml", "bob: {a: 1}\n", "must be a list of space keys"),
    ],
)
def test_bad_mapping_files_fail_at_start(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        PrincipalSpaces(mapping_file=path)
    with pytest.raises(ConfigError, match="cannot read"):
        PrincipalSpaces(mapping_file=tmp_path / "missing.json")
