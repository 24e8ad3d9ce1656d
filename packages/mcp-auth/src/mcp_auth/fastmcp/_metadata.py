"""RFC 9728 protected-resource metadata and RFC 6750 challenges.

The metadata route is ours rather than the MCP SDK's because the SDK's model requires at
least one authorization server, while RFC 9728 makes `authorization_servers` optional: a
server protected only by API keys has none to name, yet still deserves a metadata document
(scopes, bearer method) and a challenge pointing at it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = ["metadata_url_for", "metadata_route", "bearer_challenge", "quote_param"]

_CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, OPTIONS",
    "Access-Control-Allow-Headers": "mcp-protocol-version",
}


def metadata_url_for(resource_url: str) -> str:
    """`https://host/.well-known/oauth-protected-resource<path>` for a resource URL (§3.1)."""
    parts = urlsplit(resource_url)
    path = parts.path if parts.path != "/" else ""
    return urlunsplit(
        (parts.scheme, parts.netloc, f"/.well-known/oauth-protected-resource{path}", "", "")
    )


def metadata_route(
    resource_url: str,
    *,
    authorization_servers: Sequence[str] = (),
    scopes_supported: Sequence[str] = (),
    resource_name: str | None = None,
    resource_documentation: str | None = None,
) -> Route:
    """The Starlette route serving the metadata document for `resource_url`."""
    document: dict[str, object] = {"resource": resource_url}
    if authorization_servers:
        document["authorization_servers"] = list(authorization_servers)
    if scopes_supported:
        document["scopes_supported"] = list(scopes_supported)
    # MCP clients may only send the token in the Authorization header.
    document["bearer_methods_supported"] = ["header"]
    if resource_name:
        document["resource_name"] = resource_name
    if resource_documentation:
        document["resource_documentation"] = resource_documentation

    async def serve(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=_CORS_HEADERS)
        return JSONResponse(
            document, headers={**_CORS_HEADERS, "Cache-Control": "public, max-age=3600"}
        )

    path = urlsplit(metadata_url_for(resource_url)).path
    return Route(path, endpoint=serve, methods=["GET", "OPTIONS"])


def quote_param(value: str) -> str:
    """`value` as an RFC 7230 quoted-string (for `WWW-Authenticate` parameters)."""
    # Escape the backslash and the quote, drop control characters.
    cleaned = "".join(ch for ch in value if ch >= " " and ch != "\x7f")
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def bearer_challenge(
    *,
    error: str | None = None,
    description: str | None = None,
    scopes: Iterable[str] = (),
    resource_metadata: str | None = None,
) -> str:
    """A `WWW-Authenticate: Bearer ...` value with properly quoted parameters."""
    params: list[str] = []
    if error:
        params.append(f"error={quote_param(error)}")
    if description:
        params.append(f"error_description={quote_param(description)}")
    scope_value = " ".join(sorted(set(scopes)))
    if scope_value:
        params.append(f"scope={quote_param(scope_value)}")
    if resource_metadata:
        params.append(f"resource_metadata={quote_param(resource_metadata)}")
    return "Bearer " + ", ".join(params) if params else "Bearer"
