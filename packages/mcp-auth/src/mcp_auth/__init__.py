"""Authentication, authorization and audit for MCP servers."""

from importlib.metadata import version as _version

__version__ = _version("mcp-auth")

__all__ = ["__version__"]
