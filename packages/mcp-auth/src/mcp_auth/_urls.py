"""Host and endpoint URL checks: loopback hosts, and https-or-loopback endpoint URLs."""

from __future__ import annotations

import ipaddress

from mcp_auth._errors import AuthConfigurationError

__all__ = ["is_loopback_host", "require_secure_url"]


def is_loopback_host(host: str) -> bool:
    """True for `localhost` and loopback IP addresses (127.0.0.0/8, ::1, and 127.x written
    as an IPv4-mapped IPv6 address); brackets, case and surrounding spaces are ignored.

    Other names under `.localhost` are not loopback here: whether they resolve to this
    machine depends on the resolver, and this answer decides whether plain http or an
    unauthenticated listener is safe.
    """
    name = host.strip().removeprefix("[").removesuffix("]").lower()
    if name in {"localhost", "localhost."}:
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def require_secure_url(url: str, setting: str) -> bool:
    """Validate an endpoint URL: https, or http only to a loopback host (test and sidecar
    setups). Returns True when plain http to loopback is in use so callers can warn."""
    # Here, not at the top: importing httpx loads its command-line tool (rich, pygments),
    # which every importer of is_loopback_host would pay for at start-up.
    import httpx

    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise AuthConfigurationError(f"{setting} is not a valid URL") from None
    if not parsed.host:
        raise AuthConfigurationError(f"{setting} must be an absolute URL")
    if parsed.userinfo:
        raise AuthConfigurationError(f"{setting} must not embed credentials")
    if parsed.scheme == "https":
        return False
    if parsed.scheme == "http" and is_loopback_host(parsed.host):
        return True
    raise AuthConfigurationError(f"{setting} must use https (http is allowed only on loopback)")
