"""Safety for agents: one pass over what the server returns to the model.

- :mod:`.filter`: hidden content (invisible Unicode, editor-only and invisibly styled
  storage, comments, smuggled code-fence info strings);
- :mod:`.trust`: trust labels from ``TRUSTED_AUTHORS``, ``TRUSTED_GROUPS`` and edit rights;
- :mod:`.secrets`: redaction of well-known secret shapes;
- :mod:`.middleware`: the FastMCP middleware applying all three, with counts in ``_meta``;
- :mod:`.scope`: per-request notes (hidden elements pruned, authors shown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from confluence_mcp.safety.middleware import LOCKDOWN_HEADER, META_KEY, WITHHELD, SafetyMiddleware
from confluence_mcp.safety.scope import body_author, note_author, note_container
from confluence_mcp.safety.trust import TrustPolicy

if TYPE_CHECKING:
    from confluence_mcp.services import Services

__all__ = [
    "LOCKDOWN_HEADER",
    "META_KEY",
    "WITHHELD",
    "SafetyMiddleware",
    "TrustPolicy",
    "body_author",
    "build_safety_middleware",
    "note_author",
    "note_container",
]


def build_safety_middleware(services: Services) -> SafetyMiddleware:
    """The middleware configured from the server's settings."""
    settings = services.settings
    trust = TrustPolicy(
        services.client,
        authors=settings.trusted_authors,
        groups=settings.trusted_groups,
    )
    return SafetyMiddleware(trust, lockdown=settings.lockdown_mode, redact=settings.redact_secrets)
