"""An MCP server for Confluence."""

from importlib.metadata import version as _version

__version__ = _version("confluence-mcp")

__all__ = ["__version__"]
