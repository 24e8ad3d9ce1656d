"""Which JWS algorithms fit which key: the guard against algorithm/key confusion."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

from mcp_auth._errors import AuthConfigurationError

__all__ = [
    "ASYMMETRIC_ALGORITHMS",
    "HMAC_ALGORITHMS",
    "algorithms_for_key",
    "load_public_key",
    "public_half",
]

_RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_EC_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
ASYMMETRIC_ALGORITHMS = _RSA_ALGORITHMS | frozenset(_EC_ALGORITHMS.values()) | {"EdDSA"}
HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
_MIN_RSA_BITS = 2048


def public_half(key: Any) -> Any:
    """The public key of a private key object (a JWKS should never publish private keys, but
    if one does, only its public half is used); public keys unchanged."""
    if isinstance(
        key,
        rsa.RSAPrivateKey
        | ec.EllipticCurvePrivateKey
        | ed25519.Ed25519PrivateKey
        | ed448.Ed448PrivateKey,
    ):
        return key.public_key()
    return key


def algorithms_for_key(key: Any) -> frozenset[str]:
    """The asymmetric algorithms a public key can verify (empty for anything else)."""
    key = public_half(key)
    if isinstance(key, rsa.RSAPublicKey):
        return _RSA_ALGORITHMS
    if isinstance(key, ec.EllipticCurvePublicKey):
        alg = _EC_ALGORITHMS.get(key.curve.name)
        return frozenset({alg}) if alg else frozenset()
    if isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        return frozenset({"EdDSA"})
    return frozenset()


def load_public_key(pem: str | bytes) -> Any:
    """Load a PEM public key (SubjectPublicKeyInfo or PKCS#1 RSA); private keys and weak RSA
    keys are configuration errors."""
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    if b"PRIVATE KEY" in data:
        raise AuthConfigurationError("public_key holds a private key: configure the public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise AuthConfigurationError("public_key is not a PEM public key") from None
    if not algorithms_for_key(key):
        raise AuthConfigurationError("public_key type is not supported for JWT signatures")
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < _MIN_RSA_BITS:
        raise AuthConfigurationError(f"RSA public key must have at least {_MIN_RSA_BITS} bits")
    return key
