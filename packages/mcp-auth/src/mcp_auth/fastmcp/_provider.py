"""`MCPAuthProvider`: the FastMCP auth provider for a resource server guarded by mcp-auth."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fastmcp.server.auth import RemoteAuthProvider
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware
from pydantic import AnyHttpUrl
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.routing import Route

from mcp_auth._audit import AuditLogger
from mcp_auth._errors import AuthConfigurationError
from mcp_auth._scopes import ScopePolicy
from mcp_auth._urls import is_loopback_host
from mcp_auth._verifier import TokenVerifier
from mcp_auth.fastmcp._http import AuditingBearerBackend, AuthRequestMiddleware
from mcp_auth.fastmcp._metadata import metadata_route, metadata_url_for
from mcp_auth.fastmcp._stepup import InsufficientScopeGate
from mcp_auth.fastmcp._verifier import FastMCPVerifier

__all__ = ["MCPAuthProvider"]

_log = logging.getLogger("mcp_auth.fastmcp")


class MCPAuthProvider(RemoteAuthProvider):
    """Protects a FastMCP server's HTTP endpoint with an mcp-auth verifier, in one call.

    - verifies bearer tokens through `verifier` (an mcp-auth `TokenVerifier` or chain,
      adapted with `FastMCPVerifier`), auditing every decision when `audit` is given;
    - serves RFC 9728 metadata at `/.well-known/oauth-protected-resource<mcp path>` with
      `resource`, `authorization_servers` (omitted when there are none, e.g. API keys
      only), `scopes_supported` and `bearer_methods_supported`;
    - answers 401 with `WWW-Authenticate: Bearer ... scope="...", resource_metadata="..."`
      (FastMCP's own challenge: `scope` is `challenge_scopes`, which defaults to
      `required_scopes`, else to `scopes_supported`);
    - with a `policy` (and `step_up`), answers an under-scoped `tools/call` with 403
      `insufficient_scope` naming the tool's required scopes (see `InsufficientScopeGate`);
    - binds the request context for the audit log, refuses tokens in the query string,
      and answers 503 when the token cannot be judged (authorization server down).

    `base_url` is this server's public URL (without the MCP path); the protected resource
    is `base_url` + the path the server is served on. `required_scopes` are demanded of
    every request (403 from FastMCP otherwise). `scopes_supported` defaults to every scope
    `policy` mentions plus `required_scopes`. A ready `FastMCPVerifier` is used as is: give
    it its own `audit` for the `auth.success` / `auth.failure` events.
    """

    def __init__(
        self,
        verifier: TokenVerifier | FastMCPVerifier,
        *,
        base_url: str,
        authorization_servers: Sequence[str] = (),
        policy: ScopePolicy | None = None,
        audit: AuditLogger | None = None,
        required_scopes: Sequence[str] = (),
        scopes_supported: Sequence[str] | None = None,
        challenge_scopes: Sequence[str] | None = None,
        resource_base_url: str | None = None,
        resource_name: str | None = None,
        resource_documentation: str | None = None,
        step_up: bool = True,
        request_id_header: str = "x-request-id",
    ) -> None:
        if isinstance(verifier, FastMCPVerifier):
            token_verifier = verifier
        elif isinstance(verifier, TokenVerifier):
            token_verifier = FastMCPVerifier(verifier, audit=audit)
        else:
            raise AuthConfigurationError(
                f"{type(verifier).__name__} is not an mcp-auth TokenVerifier"
            )
        try:
            servers = [AnyHttpUrl(url) for url in authorization_servers]
            parsed_base = AnyHttpUrl(base_url)
            public = AnyHttpUrl(resource_base_url) if resource_base_url else parsed_base
            documentation = AnyHttpUrl(resource_documentation) if resource_documentation else None
        except ValueError as error:
            raise AuthConfigurationError(
                f"invalid URL in auth provider settings: {error}"
            ) from None
        required = sorted(set(required_scopes))
        if scopes_supported is None:
            supported = set(required)
            if policy is not None:
                supported |= set(policy.scopes_supported)
            scopes_supported = sorted(supported)
        if challenge_scopes is None:
            challenge_scopes = required or list(scopes_supported)
        super().__init__(
            token_verifier=token_verifier,
            authorization_servers=servers,
            base_url=parsed_base,
            scopes_supported=list(scopes_supported),
            resource_base_url=resource_base_url,
            resource_name=resource_name,
            resource_documentation=documentation,
            challenge_scopes=list(challenge_scopes),
            required_scopes=required,
        )
        self.policy = policy
        self.audit = audit
        self.step_up = step_up
        self.request_id_header = request_id_header
        if public.scheme == "http" and not is_loopback_host(public.host or ""):
            # Allowed (a private network may be trusted), but bearer tokens cross it in clear.
            warning = "the protected resource is served over plain http"
            _log.warning("%s: %s", warning, public)
            if audit is not None:
                audit.config_warning(warning, setting="base_url")

    @property
    def resource_url(self) -> str | None:
        """The protected resource's URL, known once FastMCP has built the HTTP app."""
        return str(self._resource_url) if self._resource_url is not None else None

    @property
    def resource_metadata_url(self) -> str | None:
        """Where the RFC 9728 document for this resource is served."""
        resource = self.resource_url
        return metadata_url_for(resource) if resource is not None else None

    @property
    def protected_paths(self) -> frozenset[str]:
        """The MCP endpoint path(s) this provider protects (empty until the app is built)."""
        if not self._mcp_path:
            return frozenset()
        return frozenset({self._mcp_path.rstrip("/") or "/"})

    def get_routes(self, mcp_path: str | None = None) -> list[Route]:
        """The RFC 9728 metadata route for the resource served at `mcp_path`."""
        self.set_mcp_path(mcp_path)
        resource = self.resource_url
        if resource is None:  # pragma: no cover - base_url is required, so never None here
            return []
        return [
            metadata_route(
                resource,
                authorization_servers=[str(url) for url in self.authorization_servers],
                scopes_supported=self.scopes_supported,
                resource_name=self.resource_name,
                resource_documentation=(
                    str(self.resource_documentation) if self.resource_documentation else None
                ),
            )
        ]

    def get_middleware(self) -> list[Middleware]:
        """FastMCP's bearer authentication, wrapped by our request/audit layer, followed by
        the insufficient-scope gate when a policy is set."""
        middleware = [
            Middleware(
                AuthRequestMiddleware,
                audit=self.audit,
                request_id_header=self.request_id_header,
            ),
            Middleware(
                AuthenticationMiddleware,
                backend=AuditingBearerBackend(self),
            ),
            Middleware(AuthContextMiddleware),
        ]
        if self.policy is not None and self.step_up:
            middleware.append(
                Middleware(
                    InsufficientScopeGate,
                    policy=self.policy,
                    provider=self,
                    audit=self.audit,
                )
            )
        return middleware

    def __repr__(self) -> str:
        return (
            f"MCPAuthProvider(verifier={self.token_verifier!r}, resource={self.resource_url!r}, "
            f"policy={self.policy!r})"
        )
