"""Per-principal space allow-lists: which spaces the authenticated caller may reach.

Where a principal's spaces come from:

- an API key: the ``spaces`` claim stored on its record (``keys create --spaces DEMO,ENG``);
  a key without one is limited by ``CONFLUENCE_SPACES_FILTER`` only;
- a JWT or introspected token: the claim named by ``MCP_SPACES_CLAIM`` (a list, or a
  comma/space separated string), else the subject's entry in ``MCP_PRINCIPAL_SPACES_FILE``
  (JSON or YAML ``{"subject": ["DEMO", "ENG"], "*": [...]}``; ``"*"`` is the entry for
  subjects not listed; re-read when it changes). When either is configured and neither
  names spaces, the principal gets none (fail closed); with neither configured, only the
  global filter applies.

:class:`PrincipalSpacesMiddleware` binds the result for each MCP request; the space guard
(:mod:`confluence_mcp.guard`) intersects it with ``CONFLUENCE_SPACES_FILTER``.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastmcp.server.middleware import CallNext, Middleware, MiddlewareContext

from confluence_mcp.errors import ConfigError
from confluence_mcp.guard import principal_spaces_bound
from mcp_auth import AuthMethod, Principal
from mcp_auth.fastmcp import current_principal

__all__ = ["KEY_SPACES_CLAIM", "PrincipalSpaces", "PrincipalSpacesMiddleware"]

KEY_SPACES_CLAIM = "spaces"
"""The claim an API key record carries its spaces in (``keys create --spaces``)."""

_DEFAULT_ENTRY = "*"
_log = logging.getLogger("confluence_mcp.remote")


def _space_keys(value: object) -> frozenset[str] | None:
    """Upper-cased space keys from a claim or file value; ``None`` when malformed."""
    if isinstance(value, str):
        parts: list[object] = list(re.split(r"[\s,]+", value))
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        return None
    if not all(isinstance(part, str) for part in parts):
        return None
    return frozenset(str(part).strip().upper() for part in parts if str(part).strip())


def _read_mapping(path: Path) -> dict[str, frozenset[str]]:
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"MCP_PRINCIPAL_SPACES_FILE: cannot read {str(path)!r} ({exc.strerror})"
        ) from None
    try:
        # JSON is YAML; .json files still go through the stricter JSON parser.
        data: Any = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        raise ConfigError(
            f"MCP_PRINCIPAL_SPACES_FILE: {str(path)!r} is not valid "
            f"{'JSON' if path.suffix == '.json' else 'YAML or JSON'}"
        ) from None
    if not isinstance(data, Mapping):
        raise ConfigError(
            "MCP_PRINCIPAL_SPACES_FILE: expected a mapping of subject → spaces, "
            'e.g. {"alice@example.com": ["DEMO", "ENG"]}'
        )
    mapping: dict[str, frozenset[str]] = {}
    for subject, value in data.items():
        spaces = _space_keys(value)
        if spaces is None:
            raise ConfigError(
                f"MCP_PRINCIPAL_SPACES_FILE: the spaces of {subject!r} must be a list of "
                "space keys or a comma-separated string"
            )
        mapping[str(subject)] = spaces
    return mapping


class PrincipalSpaces:
    """Resolves a principal's own allow-list (``None``: no allow-list of its own)."""

    def __init__(self, claim: str | None = None, mapping_file: Path | None = None) -> None:
        self.claim = claim
        self.mapping_file = mapping_file
        self._mapping: dict[str, frozenset[str]] = {}
        self._stamp: tuple[float, int] | None = None
        if mapping_file is not None:
            self._reload(strict=True)

    @property
    def configured(self) -> bool:
        """Whether JWT/introspection principals have a source of spaces."""
        return bool(self.claim) or self.mapping_file is not None

    def spaces_for(self, principal: Principal | None) -> frozenset[str] | None:
        """The spaces ``principal`` may reach, before the global filter."""
        if principal is None:
            return None
        if principal.auth_method is AuthMethod.API_KEY:
            if KEY_SPACES_CLAIM not in principal.claims:
                return None
            return _space_keys(principal.claims[KEY_SPACES_CLAIM]) or frozenset()
        if not self.configured:
            return None
        if self.claim and self.claim in principal.claims:
            # A malformed claim grants nothing rather than everything.
            return _space_keys(principal.claims[self.claim]) or frozenset()
        if self.mapping_file is not None:
            self._reload(strict=False)
            found = self._mapping.get(principal.subject, self._mapping.get(_DEFAULT_ENTRY))
            if found is not None:
                return found
        return frozenset()

    def _reload(self, *, strict: bool) -> None:
        """(Re)read the mapping file when it changed; a broken edit keeps the last good one."""
        assert self.mapping_file is not None
        try:
            stat = os.stat(self.mapping_file)
            stamp = (stat.st_mtime, stat.st_size)
            if stamp == self._stamp:
                return
            self._mapping = _read_mapping(self.mapping_file)
            self._stamp = stamp
        except (OSError, ConfigError) as exc:
            if strict:
                if isinstance(exc, ConfigError):
                    raise
                raise ConfigError(
                    f"MCP_PRINCIPAL_SPACES_FILE: cannot read {str(self.mapping_file)!r} "
                    f"({exc.strerror})"
                ) from None
            _log.warning("MCP_PRINCIPAL_SPACES_FILE not reloaded, keeping the last good one")


class PrincipalSpacesMiddleware(Middleware):
    """Binds the caller's own allow-list for every MCP request it makes."""

    def __init__(self, spaces: PrincipalSpaces) -> None:
        self.spaces = spaces

    async def on_request(
        self, context: MiddlewareContext[Any], call_next: CallNext[Any, Any]
    ) -> Any:
        with principal_spaces_bound(self.spaces.spaces_for(current_principal())):
            return await call_next(context)
