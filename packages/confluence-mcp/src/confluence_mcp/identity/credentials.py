"""Each principal's own Confluence credential, and where it is kept.

:class:`UpstreamCredential` is what the server holds for one MCP principal: a Cloud API token
(with the account's email), a Data Center personal access token, or an OAuth 2.0 (3LO) access
token with its refresh token and cloud id. :class:`CredentialStore` keeps them in mcp-auth's
encrypted token store (``MCP_TOKEN_STORE``, ``MCP_TOKEN_ENCRYPTION_KEY``), keyed by
:func:`principal_id`: ``api_key:<key id>`` for an API key, ``user:<subject>`` for a JWT or
introspected token's subject.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError

from confluence_mcp.errors import ConfigError, CredentialError

if TYPE_CHECKING:
    from confluence_mcp.remote.settings import RemoteSettings
    from confluence_mcp.settings import Settings
    from mcp_auth import Principal
    from mcp_auth.token_store import TokenStore

__all__ = [
    "CredentialKind",
    "CredentialStore",
    "UpstreamCredential",
    "open_credential_store",
    "principal_id",
    "subject_principal_id",
]

CredentialKind = Literal["api_token", "pat", "oauth"]


class UpstreamCredential(BaseModel):
    """One principal's Confluence credential (secrets are ``SecretStr``: never in reprs)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: CredentialKind
    # API token, personal access token or OAuth access token.
    secret: SecretStr
    # Basic auth user: the account's email (Cloud) or user name (Data Center).
    username: str | None = None
    # Who Confluence says the credential belongs to (learnt when it is bound or refreshed).
    account_id: str | None = None
    email: str | None = None
    display_name: str | None = None
    # OAuth 2.0 (3LO) only.
    expires_at: datetime | None = None
    refresh_token: SecretStr | None = None
    cloud_id: str | None = None

    @property
    def account(self) -> str:
        """The Confluence account for audit logs: email, else account id, else user name."""
        return self.email or self.account_id or self.username or f"unknown ({self.kind})"

    @property
    def fingerprint(self) -> str:
        """A short digest of the secret: tells cached clients built from an older one apart."""
        material = f"{self.kind}\0{self.username or ''}\0{self.secret.get_secret_value()}"
        return hashlib.sha256(material.encode()).hexdigest()[:16]

    def expired(self, margin_seconds: float = 0.0) -> bool:
        """True when an expiry is known and less than ``margin_seconds`` away."""
        if self.expires_at is None:
            return False
        left = (self.expires_at - datetime.now(UTC)).total_seconds()
        return left < margin_seconds

    def apply_to(self, settings: Settings) -> Settings:
        """``settings`` with this credential in place of the service account's, so the
        server's client factory (telemetry, retries, TLS) builds this principal's client."""
        update: dict[str, Any] = {
            "confluence_username": None,
            "confluence_api_token": None,
            "confluence_personal_token": None,
            "confluence_oauth_token": None,
        }
        if self.kind == "api_token":
            update["confluence_username"] = self.username
            update["confluence_api_token"] = self.secret
        elif self.kind == "pat":
            update["confluence_personal_token"] = self.secret
        else:
            update["confluence_oauth_token"] = self.secret
            update["confluence_cloud_id"] = self.cloud_id
            update["confluence_deployment"] = "cloud"
        return settings.model_copy(update=update)

    def to_store(self) -> dict[str, Any]:
        """The JSON object the encrypted store keeps (secrets revealed: encrypt it)."""
        data = self.model_dump(mode="json", exclude_none=True)
        data["secret"] = self.secret.get_secret_value()
        if self.refresh_token is not None:
            data["refresh_token"] = self.refresh_token.get_secret_value()
        return data

    @classmethod
    def from_store(cls, data: dict[str, Any]) -> UpstreamCredential:
        """Parse what :meth:`to_store` wrote; :class:`CredentialError` if it is not that."""
        try:
            return cls.model_validate(data)
        except ValidationError:
            raise CredentialError(
                "the Confluence credential stored for you is unreadable; ask an administrator "
                "to bind it again"
            ) from None


def principal_id(principal: Principal) -> str:
    """The token store key of an MCP principal: its API key id, or its subject."""
    from mcp_auth import AuthMethod

    if principal.auth_method is AuthMethod.API_KEY and principal.client_id:
        return f"api_key:{principal.client_id}"
    return subject_principal_id(principal.subject)


def subject_principal_id(subject: str) -> str:
    """The token store key for a JWT or introspected token's ``sub`` (``users set-token``)."""
    return f"user:{subject}"


class CredentialStore:
    """Typed access to the encrypted token store: one credential per principal id."""

    def __init__(self, tokens: TokenStore) -> None:
        self.tokens = tokens

    async def get(self, key: str) -> UpstreamCredential | None:
        """The credential bound to ``key``, or None. Raises :class:`CredentialError` when the
        store cannot be read (unreachable, or a value under an unknown key)."""
        from mcp_auth.token_store import TokenStoreError

        try:
            data = await self.tokens.get(key)
        except TokenStoreError as exc:
            raise CredentialError(
                f"your Confluence credential cannot be read right now ({exc.message})"
            ) from None
        return None if data is None else UpstreamCredential.from_store(data)

    async def put(self, key: str, credential: UpstreamCredential) -> None:
        """Bind ``credential`` to ``key``, replacing any earlier one."""
        await self.tokens.put(key, credential.to_store())

    async def delete(self, key: str) -> bool:
        """Forget ``key``'s credential; True when there was one."""
        return await self.tokens.delete(key)

    async def aclose(self) -> None:
        """Close the store's connections."""
        await self.tokens.aclose()


def open_credential_store(remote: RemoteSettings) -> CredentialStore:
    """The store ``MCP_TOKEN_STORE`` names, encrypted with ``MCP_TOKEN_ENCRYPTION_KEY`` (no
    I/O). Raises :class:`ConfigError` naming the variable to fix."""
    from mcp_auth import AuthConfigurationError
    from mcp_auth.token_store import open_token_store

    key = remote.mcp_token_encryption_key
    try:
        tokens = open_token_store(remote.mcp_token_store, key.get_secret_value() if key else "")
    except AuthConfigurationError as exc:
        raise ConfigError(f"MCP_TOKEN_STORE / MCP_TOKEN_ENCRYPTION_KEY: {exc.message}") from None
    return CredentialStore(tokens)
