"""The server's core settings object, read once at start-up.

Environment names match mcp-atlassian's where the two overlap (``CONFLUENCE_URL``,
``CONFLUENCE_USERNAME``, ``READ_ONLY_MODE``, ``TRANSPORT``, ...) so users can switch servers
without editing their client configuration. Values come from, in increasing priority: a ``.env``
file, the process environment, and explicit overrides (the CLI's flags).

Invalid configuration raises :class:`~confluence_mcp.errors.ConfigError` whose message names the
variable and says how to fix it; secrets are ``SecretStr`` and never appear in messages or reprs.

This module knows nothing of the remote service: its settings
(:class:`~confluence_mcp.remote.settings.RemoteSettings`) hold a ``Settings`` and share
:data:`SETTINGS_CONFIG`, so both layers read the environment the same way.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    HttpUrl,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from confluence_mcp.errors import ConfigError

__all__ = [
    "SETTINGS_CONFIG",
    "AuthMethod",
    "AuthMode",
    "Settings",
    "Toolset",
    "TransportName",
    "blank_is_unset",
    "describe_validation_error",
    "load_settings",
]

TransportName = Literal["stdio", "http", "sse"]
# "all" is mcp-atlassian's spelling for every tool, so its users' configurations work.
Toolset = Literal["read", "write", "delete", "attachments", "admin", "all"]
AuthMethod = Literal["basic", "pat", "oauth"]
# Whose Confluence rights a call uses: the service account's, or the caller's own (an OAuth
# sign-in through this server, or a token an admin bound to the caller's key or subject).
AuthMode = Literal["service", "oauth", "user-token"]

_MIB = 1024 * 1024
# MCP_CURSOR_KEY: at least this long (secrets.token_urlsafe(32) gives 43 characters).
_MIN_CURSOR_KEY_CHARS = 32

# Per-variable advice appended to validation messages: what a valid value looks like.
_HINTS: dict[str, str] = {
    "confluence_url": "set it to your site, e.g. https://your-site.atlassian.net/wiki "
    "(Cloud) or https://confluence.example.com (Data Center)",
    "confluence_ssl_verify": "use true or false",
    "confluence_deployment": "use auto, cloud or datacenter",
    "confluence_oauth_gateway_url": "leave it unset (https://api.atlassian.com) unless you "
    "route OAuth traffic through a proxy",
    "confluence_timeout": "use a number of seconds between 1 and 300",
    "confluence_auth_mode": "use service (one service account, the default), oauth (each "
    "user signs in to Atlassian) or user-token (each key or subject bound to its own token)",
    "confluence_max_attachment_bytes": "use a byte count between 1 and 104857600 (100 MiB)",
    "page_max_chars": "use a character count between 1000 and 1000000",
    "read_only_mode": "use true or false",
    "stateless_http": "use true or false",
    "legacy_sse": "use true or false",
    "transport": "use stdio, http (alias streamable-http) or sse",
    "host": "use an interface address such as 127.0.0.1",
    "port": "use a TCP port between 1 and 65535",
    "streamable_http_path": "use a path starting with '/', e.g. /mcp",
    "toolsets": "use a comma-separated subset of read, write, delete, attachments, admin (or all)",
    "lockdown_mode": "use true or false",
    "redact_secrets": "use true or false",
    "confirm_destructive": "use true or false",
    "confirm_removal_share": "use a fraction above 0 and at most 1, e.g. 0.5",
}


def _split_csv(value: Any) -> Any:
    """Accept ``"A, B"`` from the environment as well as real collections."""
    if isinstance(value, str):
        return frozenset(part.strip() for part in value.split(",") if part.strip())
    return value


CsvSet = Annotated[frozenset[str], NoDecode]


def blank_is_unset(value: Any) -> Any:
    """``None`` for a blank string: ``FOO=`` in a .env file means "not set", not "empty"."""
    return None if isinstance(value, str) and not value.strip() else value


# How every settings class reads its fields: upper-cased names from the environment and the
# env file, unknown variables ignored, immutable, inputs never echoed in errors (secrets).
SETTINGS_CONFIG = SettingsConfigDict(
    env_file=".env",
    env_file_encoding="utf-8",
    extra="ignore",
    case_sensitive=False,
    frozen=True,
    hide_input_in_errors=True,
)


class Settings(BaseSettings):
    """Validated core configuration for one server process (immutable).

    The remote service's fields (``MCP_*``, ``LOG_*``) live in
    :class:`~confluence_mcp.remote.settings.RemoteSettings`, which holds one of these.
    """

    model_config = SETTINGS_CONFIG

    # --- Confluence connection -------------------------------------------------------------
    confluence_url: HttpUrl | None = None
    confluence_username: str | None = None
    confluence_api_token: SecretStr | None = None
    confluence_personal_token: SecretStr | None = None
    confluence_oauth_token: SecretStr | None = None
    confluence_cloud_id: str | None = None
    confluence_deployment: Literal["auto", "cloud", "datacenter"] = "auto"
    confluence_oauth_gateway_url: HttpUrl | None = None
    confluence_ssl_verify: bool = True
    confluence_timeout: float = Field(default=30.0, ge=1, le=300)
    confluence_auth_mode: AuthMode = "service"

    # --- What the server exposes -------------------------------------------------------------
    confluence_spaces_filter: CsvSet = frozenset()
    read_only_mode: bool = False
    enabled_tools: CsvSet = frozenset()
    toolsets: Annotated[frozenset[Toolset], NoDecode] = frozenset()
    page_max_chars: int = Field(default=50_000, ge=1000, le=1_000_000)
    confluence_max_attachment_bytes: int = Field(default=10 * _MIB, ge=1, le=100 * _MIB)

    # --- Safety for agents (confluence_mcp.safety) ---------------------------------------------
    trusted_authors: CsvSet = frozenset()
    trusted_groups: CsvSet = frozenset()
    lockdown_mode: bool = False
    redact_secrets: bool = True
    confirm_destructive: bool = True
    # Share of a page (0-1) a whole-body overwrite may remove before it needs a confirmation.
    confirm_removal_share: float = Field(default=0.5, gt=0, le=1)
    # Signs every next_cursor (confluence_mcp.cursors); the same value on every replica lets
    # them accept each other's cursors. Unset: a random key per process.
    mcp_cursor_key: SecretStr | None = None

    # --- Transport ---------------------------------------------------------------------------
    transport: TransportName = "stdio"
    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8000, ge=1, le=65535)
    streamable_http_path: str = Field(default="/mcp", pattern=r"^/[A-Za-z0-9._~/-]*$")
    stateless_http: bool = False
    legacy_sse: bool = True

    @field_validator(
        "confluence_spaces_filter",
        "enabled_tools",
        "toolsets",
        "trusted_authors",
        "trusted_groups",
        mode="before",
    )
    @classmethod
    def _csv(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("confluence_spaces_filter", mode="after")
    @classmethod
    def _upper_keys(cls, value: frozenset[str]) -> frozenset[str]:
        # Space keys are case-insensitive in Confluence; compare them upper-cased.
        return frozenset(key.upper() for key in value)

    @field_validator("confluence_url", mode="after")
    @classmethod
    def _plain_site_url(cls, value: HttpUrl | None) -> HttpUrl | None:
        if value is None:
            return None
        if value.username or value.password:
            # The message never repeats the URL: it carries a password.
            raise ValueError(
                "must not contain a user name or password; put them in CONFLUENCE_USERNAME and "
                "CONFLUENCE_API_TOKEN"
            )
        if value.query or value.fragment:
            raise ValueError("must not have a query string or #fragment")
        return value

    @field_validator("confluence_auth_mode", mode="before")
    @classmethod
    def _lower_mode(cls, value: Any) -> Any:
        return value.strip().lower().replace("_", "-") if isinstance(value, str) else value

    @field_validator("transport", mode="before")
    @classmethod
    def _transport_alias(cls, value: Any) -> Any:
        # mcp-atlassian spells the modern transport "streamable-http".
        if isinstance(value, str):
            value = value.strip().lower()
            return "http" if value in {"streamable-http", "streamable_http"} else value
        return value

    @field_validator(
        "confluence_username",
        "confluence_cloud_id",
        "confluence_url",
        "confluence_oauth_gateway_url",
        "confluence_api_token",
        "confluence_personal_token",
        "confluence_oauth_token",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return blank_is_unset(value)

    @field_validator("mcp_cursor_key", mode="before")
    @classmethod
    def _cursor_key_is_long(cls, value: Any) -> Any:
        value = blank_is_unset(value)
        secret = value.get_secret_value() if isinstance(value, SecretStr) else value
        # Anyone holding a cursor can try keys offline against its MAC; a short key would
        # let them forge cursors (other CQL, other spaces). The message never repeats it.
        if isinstance(secret, str) and len(secret.strip()) < _MIN_CURSOR_KEY_CHARS:
            raise ValueError(
                f"must be at least {_MIN_CURSOR_KEY_CHARS} characters of random data (it signs "
                'the cursors callers hand back), e.g. the output of python3 -c "import '
                'secrets; print(secrets.token_urlsafe(32))"; or unset it for a key per process'
            )
        return value

    @model_validator(mode="after")
    def _credentials_are_complete(self) -> Settings:
        if self.confluence_oauth_token is not None and not self.confluence_cloud_id:
            raise ValueError(
                "CONFLUENCE_CLOUD_ID is required with CONFLUENCE_OAUTH_TOKEN: set it to your "
                "site's cloud id (from https://<site>.atlassian.net/_edge/tenant_info)"
            )
        basic = (self.confluence_username is not None, self.confluence_api_token is not None)
        if basic == (True, False) and self._only_basic_configured():
            raise ValueError(
                "CONFLUENCE_API_TOKEN is missing: CONFLUENCE_USERNAME is set, so set "
                "CONFLUENCE_API_TOKEN to an API token for that user"
            )
        if basic == (False, True) and self._only_basic_configured():
            raise ValueError(
                "CONFLUENCE_USERNAME is missing: CONFLUENCE_API_TOKEN is set, so set "
                "CONFLUENCE_USERNAME to the account's email (Cloud) or user name (Data Center)"
            )
        if self.deployment == "datacenter" and self.auth_method == "oauth":
            raise ValueError(
                "CONFLUENCE_OAUTH_TOKEN works with Confluence Cloud only: unset it, or set "
                "CONFLUENCE_DEPLOYMENT=cloud if CONFLUENCE_URL is a Cloud site"
            )
        if self.deployment == "cloud" and self.auth_method == "pat":
            raise ValueError(
                "CONFLUENCE_PERSONAL_TOKEN is a Data Center credential: for Cloud set "
                "CONFLUENCE_USERNAME and CONFLUENCE_API_TOKEN instead"
            )
        return self

    def _only_basic_configured(self) -> bool:
        return self.confluence_personal_token is None and self.confluence_oauth_token is None

    @property
    def deployment(self) -> Literal["cloud", "datacenter"]:
        """Cloud or Data Center: ``CONFLUENCE_DEPLOYMENT``, else the SDK's rule
        (`confluence_client.infer_deployment`: Atlassian-hosted sites and OAuth tokens mean
        Cloud, anything else Data Center), so the server and its client never disagree."""
        if self.confluence_deployment != "auto":
            return self.confluence_deployment
        from confluence_client import Deployment, infer_deployment

        url = "" if self.confluence_url is None else str(self.confluence_url)
        oauth = self.confluence_oauth_token is not None
        return "cloud" if infer_deployment(url, oauth=oauth) is Deployment.CLOUD else "datacenter"

    @property
    def auth_method(self) -> AuthMethod | None:
        """Which credentials the SDK will use: OAuth, then a personal token, then basic."""
        if self.confluence_oauth_token is not None:
            return "oauth"
        if self.confluence_personal_token is not None:
            return "pat"
        if self.confluence_username is not None and self.confluence_api_token is not None:
            return "basic"
        return None

    @property
    def per_user(self) -> bool:
        """True when each caller acts with its own Confluence credential (not the service's)."""
        return self.confluence_auth_mode != "service"

    def require_connection(self) -> None:
        """Raise :class:`ConfigError` unless a Confluence URL and credentials are set (in a
        per-user mode only the URL: each caller brings its own credential)."""
        if self.confluence_url is None:
            raise ConfigError("CONFLUENCE_URL is not set: " + _HINTS["confluence_url"])
        if self.auth_method is None and not self.per_user:
            raise ConfigError(
                "no Confluence credentials: set CONFLUENCE_USERNAME and CONFLUENCE_API_TOKEN "
                "(Cloud), or CONFLUENCE_PERSONAL_TOKEN (Data Center), or "
                "CONFLUENCE_OAUTH_TOKEN and CONFLUENCE_CLOUD_ID (OAuth 2.0)"
            )

    @property
    def allowed_spaces(self) -> frozenset[str] | None:
        """Upper-cased space keys the server may touch, or ``None`` for all spaces."""
        return self.confluence_spaces_filter or None


def load_settings(
    overrides: dict[str, Any] | None = None,
    *,
    env_file: str | None = ".env",
) -> Settings:
    """Build :class:`Settings` from ``.env``, the environment and ``overrides``.

    Raises :class:`ConfigError` naming the offending variable on invalid input.
    """
    given = {key: value for key, value in (overrides or {}).items() if value is not None}
    try:
        return Settings(_env_file=env_file, **given)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    """One line per problem: ``VARIABLE: what is wrong; how to fix it``."""
    lines: list[str] = []
    for error in exc.errors(include_url=False, include_input=False):
        field = str(error["loc"][0]) if error["loc"] else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        if not field:
            lines.append(message)
            continue
        hint = _HINTS.get(field)
        line = f"{field.upper()}: {message}"
        lines.append(f"{line}; {hint}" if hint else line)
    return "\n".join(dict.fromkeys(lines))
