"""Settings of the remote service: authentication, protection, audit, logs and telemetry.

:class:`RemoteSettings` composes the core: it holds the server's
:class:`~confluence_mcp.settings.Settings` as ``core`` and adds its own fields, each read from
the environment under its upper-cased name (``MCP_API_KEYS_FILE``, ``MCP_RATE_LIMIT``,
``LOG_FORMAT``, ...) with the core's rules (:data:`~confluence_mcp.settings.SETTINGS_CONFIG`).
:func:`load_remote_settings` is the one loader of a process's whole configuration. A new
setting of the remote service is one field below. OpenTelemetry keeps its standard ``OTEL_*``
variables, read by the OpenTelemetry SDK itself (see :mod:`confluence_mcp.remote.telemetry`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode

from confluence_mcp.errors import ConfigError
from confluence_mcp.settings import (
    SETTINGS_CONFIG,
    Settings,
    blank_is_unset,
    describe_validation_error,
    load_settings,
)

__all__ = ["DEFAULT_IP_RATE_LIMIT", "DEFAULT_RATE_LIMIT", "RemoteSettings", "load_remote_settings"]

_MIB = 1024 * 1024
DEFAULT_RATE_LIMIT = "120/minute"  # per principal
DEFAULT_IP_RATE_LIMIT = "600/minute"  # per client IP


def _csv_tuple(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


CsvTuple = Annotated[tuple[str, ...], NoDecode]


class RemoteSettings(BaseSettings):
    """Configuration of the HTTP service around the MCP server (immutable).

    ``core`` is the server's settings (given, never read from a ``CORE`` variable); the other
    fields are the service's own.
    """

    model_config = SETTINGS_CONFIG

    # Given by the caller; NoDecode so that a stray CORE variable is never parsed (the given
    # object always wins over the environment).
    core: Annotated[Settings, NoDecode]

    # --- Authentication (any combination; chained) -------------------------------------------
    mcp_api_keys_file: Path | None = None
    mcp_jwt_jwks_url: str | None = None
    mcp_jwt_public_key: Path | None = None
    mcp_jwt_issuer: CsvTuple = ()
    mcp_jwt_audience: CsvTuple = ()
    mcp_jwt_algorithms: CsvTuple = ()
    mcp_oauth_introspection_url: str | None = None
    mcp_oauth_client_id: str | None = None
    mcp_oauth_client_secret: SecretStr | None = None
    mcp_auth_servers: CsvTuple = ()
    mcp_public_url: str | None = None
    mcp_allow_unauthenticated: bool = False

    # --- Per-user Confluence credentials (CONFLUENCE_AUTH_MODE=oauth | user-token) ----------
    mcp_token_store: str = Field(
        default="memory",
        description=(
            "Where each principal's Confluence credential is kept: memory (one process, lost "
            "at exit), file:/path/tokens.json (one replica) or redis://host:6379/0 (several)."
        ),
    )
    mcp_token_encryption_key: SecretStr | None = Field(
        default=None,
        description=(
            "Fernet key(s), comma-separated: the first encrypts, all decrypt (rotation). "
            "Required for the file and Redis stores; memory makes one per process."
        ),
    )

    # --- CONFLUENCE_AUTH_MODE=oauth: this server signs people in with Atlassian (3LO) ----------
    atlassian_oauth_client_id: str | None = None
    atlassian_oauth_client_secret: SecretStr | None = None
    atlassian_oauth_scopes: str = Field(
        default=(
            "read:confluence-content.all read:confluence-space.summary search:confluence "
            "write:confluence-content read:confluence-user read:me offline_access"
        ),
        description=(
            "Atlassian scopes asked at sign-in (space- or comma-separated); offline_access "
            "(refresh tokens) and read:me (who signed in) are required."
        ),
    )
    atlassian_oauth_auth_url: str = Field(
        default="https://auth.atlassian.com",
        description="Atlassian's authorization server (tests point it at the fake).",
    )

    # --- Per-principal space allow-lists (within CONFLUENCE_SPACES_FILTER) ------------------
    mcp_spaces_claim: str | None = None
    mcp_principal_spaces_file: Path | None = None

    # --- Environment -----------------------------------------------------------------------
    mcp_environment: Literal["dev", "staging", "prod"] | None = Field(
        default=None,
        description=(
            "Which environment this is (the deploy overlays set it). prod refuses unsafe "
            "combinations at start-up: CONFLUENCE_SSL_VERIFY=false, a wildcard CORS origin."
        ),
    )

    # --- Protection ------------------------------------------------------------------------
    mcp_rate_limit: str = DEFAULT_RATE_LIMIT
    mcp_ip_rate_limit: str = DEFAULT_IP_RATE_LIMIT
    mcp_rate_limit_storage: str = Field(
        default="memory://",
        description=(
            "Where rate-limit counters live (a limits storage URI): memory:// per process, or "
            "redis://host:6379/0 (rediss://, redis+unix://) shared by every replica, so a "
            "limit holds in total. Needs the extra confluence-mcp[redis]."
        ),
    )
    mcp_replica_id: str | None = Field(
        default=None,
        description=(
            "Stateful mode behind a load balancer: this replica's route key. Session ids "
            "start with '<id>.' so the balancer can send a session back to its replica "
            "(see deploy/README.md). Letters, digits, '-' and '_', at most 32."
        ),
    )
    mcp_cors_origins: CsvTuple = Field(
        default=(),
        description=(
            "Browser origins CORS answers for. CORS only; it never widens the Origin check "
            "(DNS-rebinding protection, MCP_ALLOWED_ORIGINS): explicit origins listed here are "
            "also accepted by that check, '*' and other wildcards are not. '*' is refused "
            "without authentication, since any web page could then drive the server."
        ),
    )
    mcp_allowed_origins: CsvTuple = ()
    mcp_allowed_hosts: CsvTuple = ()
    mcp_max_body_bytes: int = Field(default=16 * _MIB, ge=1024, le=256 * _MIB)
    mcp_body_timeout: float = Field(default=30.0, gt=0, le=600)
    mcp_body_total_timeout: float = Field(
        default=120.0,
        gt=0,
        le=3600,
        description="Seconds a whole request body may take, however steadily it trickles in.",
    )
    forwarded_allow_ips: CsvTuple = Field(
        default=(),
        description=(
            "Proxies (IPs or CIDRs) whose X-Forwarded-For/-Proto are trusted; empty: none, "
            "the socket peer is the client."
        ),
    )
    mcp_max_sessions: int = Field(
        default=1000,
        ge=1,
        le=100_000,
        description="Open MCP sessions (and legacy SSE streams) in all; more get 503.",
    )
    mcp_max_sessions_per_principal: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Open sessions per principal (per client IP without auth); more get 429.",
    )
    mcp_session_idle_timeout: float = Field(
        default=1800.0,
        gt=0,
        le=86_400,
        description="Seconds an idle session lives (one that never made a call: at most 60).",
    )
    mcp_max_connections: int = Field(
        default=1000,
        ge=1,
        le=1_000_000,
        description="Open connections accepted at once; more are refused with 503 and closed.",
    )
    mcp_header_timeout: float = Field(
        default=10.0,
        gt=0,
        le=300,
        description="Seconds a connection may take to send its request headers.",
    )
    mcp_http_parser: Literal["auto", "httptools", "h11"] = Field(
        default="auto",
        description="HTTP/1.1 parser: auto is httptools where it is installed (CPython), else h11.",
    )
    mcp_event_loop: Literal["auto", "uvloop", "asyncio"] = Field(
        default="auto",
        description=(
            "The event loop of an HTTP server: auto is uvloop where it is installed (Linux and "
            "macOS, CPython), else asyncio's own. stdio always runs on asyncio's."
        ),
    )

    # --- Audit, logs, telemetry ------------------------------------------------------------
    mcp_audit_log: str = "stderr"
    mcp_metrics: Literal["none", "otel", "prometheus"] = Field(
        default="none",
        description=(
            "prometheus serves GET /metrics without authentication on the MCP port: keep it "
            "on the internal network (never route /metrics through the ingress). Its "
            "principal labels are per-process pseudonyms, never key names or JWT subjects."
        ),
    )
    mcp_metrics_token: SecretStr | None = Field(
        default=None,
        description="When set, GET /metrics requires 'Authorization: Bearer <token>'.",
    )
    mcp_metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Serve /metrics on this port (same bind address) instead of the MCP port.",
    )
    mcp_readiness_cache_seconds: float = Field(default=5.0, ge=0, le=300)
    log_format: Literal["json", "text"] = "text"

    # --- Error tracking (extra confluence-mcp[sentry]) ----------------------------------------
    sentry_dsn: SecretStr | None = None
    sentry_environment: str | None = None
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator(
        "mcp_jwt_issuer",
        "mcp_jwt_audience",
        "mcp_jwt_algorithms",
        "mcp_auth_servers",
        "mcp_cors_origins",
        "mcp_allowed_origins",
        "mcp_allowed_hosts",
        "forwarded_allow_ips",
        mode="before",
    )
    @classmethod
    def _remote_csv(cls, value: Any) -> Any:
        return _csv_tuple(value)

    @field_validator(
        "mcp_api_keys_file",
        "mcp_jwt_jwks_url",
        "mcp_jwt_public_key",
        "mcp_oauth_introspection_url",
        "mcp_oauth_client_id",
        "mcp_oauth_client_secret",
        "atlassian_oauth_client_id",
        "atlassian_oauth_client_secret",
        "mcp_public_url",
        "mcp_spaces_claim",
        "mcp_principal_spaces_file",
        "sentry_dsn",
        "sentry_environment",
        "mcp_metrics_token",
        "mcp_metrics_port",
        "mcp_token_encryption_key",
        "mcp_environment",
        "mcp_replica_id",
        mode="before",
    )
    @classmethod
    def _remote_blank_is_unset(cls, value: Any) -> Any:
        return blank_is_unset(value)

    @field_validator("log_level", mode="before")
    @classmethod
    def _remote_upper_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("log_format", "mcp_metrics", "mcp_environment", mode="before")
    @classmethod
    def _remote_lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("mcp_public_url", mode="after")
    @classmethod
    def _remote_public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("https://", "http://")):
            raise ValueError("MCP_PUBLIC_URL must be an http(s) URL, e.g. https://mcp.example.com")
        return value.rstrip("/")

    @field_validator("mcp_rate_limit", "mcp_ip_rate_limit", mode="after")
    @classmethod
    def _remote_rate(cls, value: str) -> str:
        text = value.strip().lower()
        if text in ("", "off", "none"):
            return "off"
        if text in (DEFAULT_RATE_LIMIT, DEFAULT_IP_RATE_LIMIT):
            # Known good (a test parses them): no need to load limits, e.g. over stdio.
            return text
        from limits import parse_many

        try:
            parse_many(text)
        except ValueError:
            raise ValueError(
                "use a rate such as 120/minute, 10/second or 1000/hour (or off)"
            ) from None
        return text

    @field_validator("mcp_rate_limit_storage", mode="after")
    @classmethod
    def _remote_limit_storage(cls, value: str) -> str:
        from confluence_mcp.http.limit_storage import check_storage_uri

        return check_storage_uri(value or "memory://")

    @field_validator("mcp_replica_id", mode="after")
    @classmethod
    def _remote_replica_id(cls, value: str | None) -> str | None:
        from confluence_mcp.http.replica import check_replica_id

        return None if value is None else check_replica_id(value)

    @model_validator(mode="after")
    def _remote_complete_auth(self) -> RemoteSettings:
        if "*" in self.mcp_cors_origins and not self.auth_configured:
            raise ValueError(
                "MCP_CORS_ORIGINS=* is refused without authentication (any web page could use "
                "this server with its Confluence credentials): list the browser origins, e.g. "
                "MCP_CORS_ORIGINS=http://localhost:5173, or configure authentication"
            )
        if (self.mcp_metrics_token or self.mcp_metrics_port) and self.mcp_metrics != "prometheus":
            raise ValueError("MCP_METRICS_TOKEN and MCP_METRICS_PORT need MCP_METRICS=prometheus")
        if self.mcp_jwt_jwks_url and self.mcp_jwt_public_key:
            raise ValueError("set MCP_JWT_JWKS_URL or MCP_JWT_PUBLIC_KEY, not both")
        if self.jwt_configured and not (self.mcp_jwt_issuer and self.mcp_jwt_audience):
            raise ValueError(
                "JWT authentication needs MCP_JWT_ISSUER and MCP_JWT_AUDIENCE (the token "
                "issuer and this server's audience, usually MCP_PUBLIC_URL)"
            )
        self._check_token_store()
        if self.core.confluence_auth_mode == "oauth":
            self._check_atlassian_oauth()
        if self.core.confluence_auth_mode == "user-token" and not self.auth_configured:
            raise ValueError(
                "CONFLUENCE_AUTH_MODE=user-token binds Confluence tokens to authenticated "
                "callers: configure MCP_API_KEYS_FILE (keys), MCP_JWT_JWKS_URL / "
                "MCP_JWT_PUBLIC_KEY or MCP_OAUTH_INTROSPECTION_URL"
            )
        if self.mcp_oauth_introspection_url and not (
            self.mcp_oauth_client_id and self.mcp_oauth_client_secret
        ):
            raise ValueError(
                "MCP_OAUTH_INTROSPECTION_URL needs MCP_OAUTH_CLIENT_ID and "
                "MCP_OAUTH_CLIENT_SECRET (this server's credentials at the introspection endpoint)"
            )
        return self

    def _check_token_store(self) -> None:
        """MCP_TOKEN_STORE names a known backend with the key it needs (no I/O)."""
        from mcp_auth import AuthConfigurationError
        from mcp_auth.token_store import (
            ENCRYPTION_KEY_COMMAND,
            parse_encryption_keys,
            store_kind,
        )

        key = self.mcp_token_encryption_key
        try:
            kind = store_kind(self.mcp_token_store)
        except AuthConfigurationError as exc:
            raise ValueError(f"MCP_TOKEN_STORE: {exc.message}") from None
        try:
            if key is not None:
                parse_encryption_keys(key.get_secret_value())
        except AuthConfigurationError as exc:
            raise ValueError(f"MCP_TOKEN_ENCRYPTION_KEY: {exc.message}") from None
        if kind != "memory" and key is None and self.core.per_user:
            raise ValueError(
                f"MCP_TOKEN_ENCRYPTION_KEY is required with MCP_TOKEN_STORE={kind}: the stored "
                "Confluence credentials are encrypted with it; make one with: "
                f"{ENCRYPTION_KEY_COMMAND}"
            )

    @property
    def atlassian_scopes(self) -> list[str]:
        """``ATLASSIAN_OAUTH_SCOPES`` as a list."""
        return self.atlassian_oauth_scopes.replace(",", " ").split()

    def _check_atlassian_oauth(self) -> None:
        """What ``CONFLUENCE_AUTH_MODE=oauth`` needs, one message per gap."""
        missing = [
            name
            for name, value in (
                ("ATLASSIAN_OAUTH_CLIENT_ID", self.atlassian_oauth_client_id),
                ("ATLASSIAN_OAUTH_CLIENT_SECRET", self.atlassian_oauth_client_secret),
                ("MCP_PUBLIC_URL", self.mcp_public_url),
            )
            if not value
        ]
        if missing:
            raise ValueError(
                f"CONFLUENCE_AUTH_MODE=oauth needs {', '.join(missing)} (the Atlassian app's "
                "credentials, and the public URL its callback <MCP_PUBLIC_URL>/auth/callback "
                "is registered under)"
            )
        lacking = [s for s in ("offline_access", "read:me") if s not in self.atlassian_scopes]
        if lacking:
            raise ValueError(
                f"ATLASSIAN_OAUTH_SCOPES must include {' and '.join(lacking)} (refresh tokens, "
                "and who signed in)"
            )
        if not self.atlassian_oauth_auth_url.startswith(("https://", "http://")):
            raise ValueError("ATLASSIAN_OAUTH_AUTH_URL must be an http(s) URL")

    @property
    def jwt_configured(self) -> bool:
        """True when a JWT key source (JWKS URL or public key file) is set."""
        return bool(self.mcp_jwt_jwks_url or self.mcp_jwt_public_key)

    @property
    def auth_configured(self) -> bool:
        """True when at least one authentication method is configured (``oauth`` mode is
        one: the server signs people in itself)."""
        return self.core.confluence_auth_mode == "oauth" or self.auth_configured_besides_oauth

    @property
    def auth_configured_besides_oauth(self) -> bool:
        """True when API keys, JWTs or introspection are configured."""
        return bool(
            self.mcp_api_keys_file is not None
            or self.jwt_configured
            or self.mcp_oauth_introspection_url
        )

    @property
    def secret_values(self) -> tuple[str, ...]:
        """The configured secret strings, for log redaction."""
        secrets = []
        for name, value in (*self.core, *self):
            if isinstance(value, SecretStr) and value.get_secret_value():
                secrets.append(value.get_secret_value())
            elif name.endswith(("_token", "_secret")) and isinstance(value, str) and value:
                secrets.append(value)
        return tuple(secrets)


def load_remote_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    env_file: str | None = ".env",
) -> RemoteSettings:
    """The process's whole configuration: core :class:`Settings` and the remote fields.

    ``overrides`` may name fields of either layer (the CLI's flags, tests). Raises
    :class:`ConfigError` naming the offending variable on invalid input.
    """
    given = {key: value for key, value in (overrides or {}).items() if value is not None}
    core = load_settings(
        {key: value for key, value in given.items() if key in Settings.model_fields},
        env_file=env_file,
    )
    own = {key: value for key, value in given.items() if key not in Settings.model_fields}
    try:
        return RemoteSettings(_env_file=env_file, core=core, **own)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc)) from None
