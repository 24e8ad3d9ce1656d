"""Endpoint URL checks shared by the verifiers that talk to an authorization server."""

from __future__ import annotations

import ipaddress

import httpx

from mcp_auth._errors import AuthConfigurationError

__all__ = ["is_loopback_host", "require_secure_url"]


def is_loopback_host(host: str) -> bool:
    """True for `localhost` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if host.lower() in {"localhost", "localhost."}:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def require_secure_url(url: str, setting: str) -> bool:
    """Validate an endpoint URL: https, or http only to a loopback host (test and sidecar
    setups). Returns True when plain http to loopback is in use so callers can warn."""
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
