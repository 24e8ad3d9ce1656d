"""Authentication, authorization and audit for MCP servers."""

from importlib.metadata import version as _version

from mcp_auth._errors import (
    AuthConfigurationError,
    AuthenticationError,
    AuthorizationError,
    MCPAuthError,
    RefusalReason,
)
from mcp_auth._principal import AuthMethod, Principal
from mcp_auth._verifier import TokenVerifier

__version__ = _version("mcp-auth")

__all__ = [
    "__version__",
    # who is calling
    "AuthMethod",
    "Principal",
    "TokenVerifier",
    # errors
    "MCPAuthError",
    "AuthenticationError",
    "AuthorizationError",
    "AuthConfigurationError",
    "RefusalReason",
]
