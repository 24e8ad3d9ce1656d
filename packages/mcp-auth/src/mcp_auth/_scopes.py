"""Scope policy: which scopes an operation (an MCP tool, resource or prompt) requires.

Required scopes for an operation are the union of
- `always`: scopes every operation needs (for example "mcp:access"),
- the scopes of the operation's entry in `operations` (exact name first; otherwise every
  glob pattern that matches, such as "pages_*"),
- the scopes of each of the operation's tags found in `tags`,
- `default`, only when neither an operation entry nor a tag matched (a policy can so require
  something of operations nobody thought about).

A principal's granted scopes are expanded through `implies` (for example
"docs:write" implies "docs:read") before comparison.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from mcp_auth._errors import AuthConfigurationError, AuthorizationError
from mcp_auth._principal import Principal

__all__ = ["ScopeDecision", "ScopePolicy"]

_GLOB_CHARS = frozenset("*?[")


def _scope_set(value: Iterable[str] | str, where: str) -> frozenset[str]:
    if isinstance(value, str):
        value = value.split()
    scopes = frozenset(value)
    for scope in scopes:
        if not isinstance(scope, str) or not scope or any(ch.isspace() for ch in scope):
            raise AuthConfigurationError(f"invalid scope {scope!r} in {where}")
    return scopes


@dataclass(frozen=True, slots=True)
class ScopeDecision:
    """The outcome of evaluating a policy for one principal and operation."""

    operation: str
    required: frozenset[str]
    missing: frozenset[str]

    @property
    def allowed(self) -> bool:
        """True when nothing is missing."""
        return not self.missing


class ScopePolicy:
    """Maps operation names and tags to required scopes; see the module docstring."""

    def __init__(
        self,
        operations: Mapping[str, Iterable[str] | str] | None = None,
        tags: Mapping[str, Iterable[str] | str] | None = None,
        *,
        always: Iterable[str] | str = (),
        default: Iterable[str] | str = (),
        implies: Mapping[str, Iterable[str] | str] | None = None,
    ) -> None:
        operations = operations or {}
        self._exact: dict[str, frozenset[str]] = {}
        self._patterns: list[tuple[str, frozenset[str]]] = []
        for name, scopes in operations.items():
            parsed = _scope_set(scopes, f"operation {name!r}")
            if _GLOB_CHARS & set(name):
                self._patterns.append((name, parsed))
            else:
                self._exact[name] = parsed
        self._tags = {tag: _scope_set(s, f"tag {tag!r}") for tag, s in (tags or {}).items()}
        self._always = _scope_set(always, "always")
        self._default = _scope_set(default, "default")
        self._implies = {
            scope: _scope_set(s, f"implies {scope!r}") for scope, s in (implies or {}).items()
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ScopePolicy:
        """Build a policy from configuration data, for example parsed TOML or JSON:
        `{"always": [...], "default": [...], "operations": {...}, "tags": {...},
        "implies": {...}}`."""
        known = {"always", "default", "operations", "tags", "implies"}
        unknown = set(data) - known
        if unknown:
            raise AuthConfigurationError(f"unknown scope policy keys: {', '.join(sorted(unknown))}")
        for key in ("operations", "tags", "implies"):
            if key in data and not isinstance(data[key], Mapping):
                raise AuthConfigurationError(f"scope policy {key!r} must be a mapping")
        return cls(
            operations=data.get("operations"),
            tags=data.get("tags"),
            always=data.get("always", ()),
            default=data.get("default", ()),
            implies=data.get("implies"),
        )

    @property
    def scopes_supported(self) -> tuple[str, ...]:
        """Every scope the policy mentions, sorted (for RFC 9728 `scopes_supported`)."""
        every: set[str] = set(self._always) | set(self._default)
        for group in (self._exact.values(), self._tags.values(), self._implies.values()):
            for scopes in group:
                every |= scopes
        every |= set(self._implies)
        for _, scopes in self._patterns:
            every |= scopes
        return tuple(sorted(every))

    def required_scopes(self, operation: str, tags: Iterable[str] = ()) -> frozenset[str]:
        """The scopes `operation` (carrying `tags`) requires."""
        required = set(self._always)
        matched = False
        if operation in self._exact:
            required |= self._exact[operation]
            matched = True
        else:
            for pattern, scopes in self._patterns:
                if fnmatchcase(operation, pattern):
                    required |= scopes
                    matched = True
        for tag in tags:
            if tag in self._tags:
                required |= self._tags[tag]
                matched = True
        if not matched:
            required |= self._default
        return frozenset(required)

    def granted_scopes(self, scopes: Iterable[str]) -> frozenset[str]:
        """`scopes` expanded through `implies` (transitively)."""
        granted = set(scopes)
        pending = list(granted)
        while pending:
            for implied in self._implies.get(pending.pop(), ()):
                if implied not in granted:
                    granted.add(implied)
                    pending.append(implied)
        return frozenset(granted)

    def evaluate(
        self, principal: Principal | Iterable[str], operation: str, tags: Iterable[str] = ()
    ) -> ScopeDecision:
        """Non-raising check: what `operation` requires and what the principal (or a plain
        collection of granted scopes) is missing."""
        if isinstance(principal, Principal):
            held: Iterable[str] = principal.scopes
        elif isinstance(principal, str):
            held = principal.split()
        else:
            held = principal
        required = self.required_scopes(operation, tags)
        missing = required - self.granted_scopes(held)
        return ScopeDecision(operation=operation, required=required, missing=frozenset(missing))

    def allows(
        self, principal: Principal | Iterable[str], operation: str, tags: Iterable[str] = ()
    ) -> bool:
        """True when the principal holds every scope `operation` requires."""
        return self.evaluate(principal, operation, tags).allowed

    def check(
        self, principal: Principal | Iterable[str], operation: str, tags: Iterable[str] = ()
    ) -> None:
        """Raise `AuthorizationError` listing the missing scopes, or return None."""
        decision = self.evaluate(principal, operation, tags)
        if decision.missing:
            raise AuthorizationError(
                decision.missing, operation=operation, required_scopes=decision.required
            )

    def __repr__(self) -> str:
        return (
            f"ScopePolicy(operations={len(self._exact) + len(self._patterns)}, "
            f"tags={len(self._tags)}, always={sorted(self._always)}, "
            f"default={sorted(self._default)})"
        )
