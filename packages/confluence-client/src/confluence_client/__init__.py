"""Typed async SDK for Confluence Cloud and Data Center."""

from importlib.metadata import version as _version

__version__ = _version("confluence-client")

__all__ = ["__version__"]
