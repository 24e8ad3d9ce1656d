"""Several verifiers behind one: API keys for bots and JWTs for people, for example.

Routing is by token shape, so a token is only ever shown to verifiers that can judge it:
- verifiers with a specific shape (API keys, JWTs) that recognise the token go first — among
  several JWT verifiers those whose issuer matches the token's unverified `iss` first;
- catch-all verifiers (introspection) get the token only when no specific one recognised it,
  so a JWT or an API key is never sent to an authorization server.

The first verifier that accepts wins, and its `Principal` is returned unchanged: the chain
never rewrites `client_id` or any other field (FastMCP's `MultiAuth` does). When every
candidate refuses, an `upstream_unavailable` refusal wins (the chain could not decide, fail
closed); otherwise the refusal of the best-matching candidate is raised.
"""

from __future__ import annotations

from collections.abc import Sequence

from mcp_auth._errors import AuthConfigurationError, AuthenticationError, RefusalReason
from mcp_auth._principal import AuthMethod, Principal
from mcp_auth._verifier import TokenVerifier

__all__ = ["ChainVerifier"]

_CATCH_ALL = frozenset({AuthMethod.OAUTH_INTROSPECTION})


class ChainVerifier:
    """Routes each token to the verifiers that recognise its shape; see the module docstring."""

    def __init__(self, verifiers: Sequence[TokenVerifier]) -> None:
        if not verifiers:
            raise AuthConfigurationError("a verifier chain needs at least one verifier")
        self.verifiers: tuple[TokenVerifier, ...] = tuple(verifiers)

    @property
    def method(self) -> AuthMethod:
        """The first member's method (a chain has no single method; each principal and each
        refusal names the verifier kind that actually judged the token)."""
        return self.verifiers[0].method

    def recognizes(self, token: str) -> bool:
        """True when any member recognises the token."""
        return any(verifier.recognizes(token) for verifier in self.verifiers)

    def candidates(self, token: str) -> list[TokenVerifier]:
        """The members that will judge `token`, in the order they will be tried."""
        recognising = [v for v in self.verifiers if v.recognizes(token)]
        specific = [v for v in recognising if v.method not in _CATCH_ALL]
        chosen = specific or recognising

        def issuer_rank(verifier: TokenVerifier) -> int:
            matches = getattr(verifier, "matches_issuer", None)
            return 0 if matches is not None and matches(token) else 1

        if len(chosen) < 2:
            return chosen
        return sorted(chosen, key=issuer_rank)  # stable: configuration order otherwise

    async def verify(self, token: str) -> Principal:
        """The principal from the first member that accepts the token, or a refusal."""
        if not token:
            raise AuthenticationError(RefusalReason.MISSING, "no token given")
        candidates = self.candidates(token)
        if not candidates:
            raise AuthenticationError(RefusalReason.MALFORMED, "token format not accepted")
        refusals: list[AuthenticationError] = []
        for verifier in candidates:
            try:
                return await verifier.verify(token)
            except AuthenticationError as error:
                if error.method is None:
                    error.method = verifier.method
                refusals.append(error)
        undecided = [r for r in refusals if r.reason is RefusalReason.UPSTREAM_UNAVAILABLE]
        raise (undecided or refusals)[0]

    def __repr__(self) -> str:
        return f"ChainVerifier({list(self.verifiers)!r})"
