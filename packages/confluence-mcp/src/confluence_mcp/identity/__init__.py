"""Per-user identity: each caller acts in Confluence with its own credential.

- :mod:`~confluence_mcp.identity.credentials`: the credential model, the encrypted store
  (``MCP_TOKEN_STORE``) and the principal ids it is keyed by;
- :mod:`~confluence_mcp.identity.upstream`: the per-request resolution, per-principal SDK
  clients and the audit binding;
- :mod:`~confluence_mcp.identity.commands`: ``keys create --confluence-token-file`` and
  ``users set-token``.

Loaded only in the per-user modes (``CONFLUENCE_AUTH_MODE=user-token`` or ``oauth``).
"""
