"""Bad input always gives a typed refusal, never a crash: seeded mutations of valid tokens and
hand-made headers/payloads of every odd JSON type."""

from __future__ import annotations

import contextlib
import json
import random
from pathlib import Path
from typing import Any

from jwt.api_jws import PyJWS

from mcp_auth import (
    APIKeyVerifier,
    AuthenticationError,
    ChainVerifier,
    JWTVerifier,
    create_api_key,
)

jws = PyJWS()
ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1e308,
    float("inf"),
    float("nan"),
    2**70,
    "",
    "x",
    [],
    ["a", 1],
    {},
    {"a": None},
]


async def _refused_or_accepted(verifier: Any, token: str) -> None:
    # AuthenticationError is the only exception a verifier may raise for a bad token.
    with contextlib.suppress(AuthenticationError):
        await verifier.verify(token)


def _mutations(token: str, rng: random.Random, count: int) -> list[str]:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \x00é"
    out = []
    for _ in range(count):
        chars = list(token)
        for _ in range(rng.randint(1, 4)):
            op = rng.randrange(3)
            pos = rng.randrange(len(chars))
            if op == 0:
                chars[pos] = rng.choice(alphabet)
            elif op == 1:
                del chars[pos]
            else:
                chars.insert(pos, rng.choice(alphabet))
        out.append("".join(chars))
    return out


async def test_mutated_jwts_never_crash(tokens: Any) -> None:
    verifier = JWTVerifier(
        issuer=tokens.issuer,
        audience=tokens.audience,
        public_key=tokens.keys.public_pem(tokens.keys.rsa_a),
    )
    good = tokens.mint(tokens.keys.rsa_a)
    rng = random.Random(20261125)
    for token in _mutations(good, rng, 400):
        await _refused_or_accepted(verifier, token)


async def test_odd_header_and_claim_types_never_crash(tokens: Any) -> None:
    verifier = JWTVerifier(
        issuer=tokens.issuer,
        audience=tokens.audience,
        public_key=tokens.keys.public_pem(tokens.keys.rsa_a),
    )
    sig = tokens.mint(tokens.keys.rsa_a).split(".")[2]
    for value in ODD_VALUES:
        for name in ("alg", "kid", "typ", "crit", "b64"):
            header = {"alg": "RS256", "kid": "key-a"} | {name: value}
            await _refused_or_accepted(verifier, tokens.unsigned(header, tokens.claims(), b"s"))
        for name in ("iss", "aud", "sub", "exp", "nbf", "iat", "scope", "scp", "jti", "azp"):
            # signed for real, so the claim checks (not the signature) meet the odd value
            payload = json.dumps(tokens.claims(**{name: value}) | {name: value}).encode()
            token = jws.encode(payload, tokens.keys.rsa_a, "RS256", {"kid": "key-a"})
            await _refused_or_accepted(verifier, token)
        # a payload that is not an object at all
        head = tokens.b64url(json.dumps({"alg": "RS256"}).encode())
        body = tokens.b64url(json.dumps(value).encode())
        await _refused_or_accepted(verifier, f"{head}.{body}.{sig}")


async def test_mutated_api_keys_never_crash(tmp_path: Path) -> None:
    created = create_api_key(tmp_path / "k.json", "bot")
    verifier = ChainVerifier([APIKeyVerifier(tmp_path / "k.json")])
    rng = random.Random(7)
    for token in _mutations(created.key, rng, 400):
        try:
            await verifier.verify(token)
        except AuthenticationError:
            continue
        assert token == created.key  # only a "mutation" that changed nothing is accepted
