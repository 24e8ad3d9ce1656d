"""The OAuth scopes this server's tools require (plain names: imported by the fast CLI path)."""

from __future__ import annotations

__all__ = ["KNOWN_SCOPES", "SCOPE_DELETE", "SCOPE_READ", "SCOPE_WRITE"]

SCOPE_READ = "confluence:read"
SCOPE_WRITE = "confluence:write"
SCOPE_DELETE = "confluence:delete"
KNOWN_SCOPES = (SCOPE_READ, SCOPE_WRITE, SCOPE_DELETE)
