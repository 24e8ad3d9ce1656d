"""The OAuth scopes this server's tools require (plain names: imported by the fast CLI path)."""

from __future__ import annotations

__all__ = ["KNOWN_SCOPES", "SCOPE_ADMIN", "SCOPE_DELETE", "SCOPE_READ", "SCOPE_WRITE"]

SCOPE_READ = "confluence:read"
SCOPE_WRITE = "confluence:write"
SCOPE_DELETE = "confluence:delete"
# Changing who may see or edit a page: needed on top of the access tag's scope.
SCOPE_ADMIN = "confluence:admin"
KNOWN_SCOPES = (SCOPE_READ, SCOPE_WRITE, SCOPE_DELETE, SCOPE_ADMIN)
