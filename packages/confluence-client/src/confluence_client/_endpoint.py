"""Work out where requests go: deployment, the site URL and the API base URL.

- Cloud with basic auth: ``https://site.atlassian.net/wiki`` (``/wiki`` added if missing).
- Cloud with OAuth: ``{api_gateway_url}/ex/confluence/{cloud_id}/wiki``; the site URL is kept
  for building and parsing page links.
- Data Center: the URL as given (it may carry a context path such as ``/confluence``).

The deployment is inferred when not given, by `infer_deployment` (the one rule, also used by
applications that configure the client from a URL): ``*.atlassian.net`` / ``*.jira.com``
hosts, the ``api.atlassian.com`` gateway and OAuth tokens mean Cloud; anything else is Data
Center, a ``/wiki`` path on another host included (tests against a local fake must say
``deployment="cloud"`` explicitly).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from confluence_client._config import (
    Auth,
    BasicAuth,
    Deployment,
    OAuthToken,
    PersonalAccessToken,
)
from confluence_client._errors import ConfigurationError

__all__ = ["Endpoint", "infer_deployment", "resolve_endpoint"]

_CLOUD_SUFFIXES = (".atlassian.net", ".jira.com")
_CLOUD_HOSTS = ("api.atlassian.com",)
_AUTH_TYPES = (BasicAuth, PersonalAccessToken, OAuthToken)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Resolved addressing for one client."""

    deployment: Deployment
    site_url: str  # where people open pages (no trailing slash)
    api_base_url: str  # where REST paths are appended (no trailing slash)


def _normalise(url: str, name: str) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ConfigurationError(f"{name} must be a non-empty URL")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"{name} must be an absolute http(s) URL")
    if parts.query or parts.fragment:
        raise ConfigurationError(f"{name} must not carry a query string or fragment")
    if parts.username or parts.password:
        raise ConfigurationError(f"{name} must not embed credentials; pass auth= instead")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def infer_deployment(url: str, *, oauth: bool = False) -> Deployment:
    """Cloud for Atlassian-hosted sites (``*.atlassian.net``, ``*.jira.com``, the
    ``api.atlassian.com`` gateway) and for OAuth 2.0 tokens; Data Center otherwise."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    if oauth or host in _CLOUD_HOSTS or host.endswith(_CLOUD_SUFFIXES):
        return Deployment.CLOUD
    return Deployment.DATA_CENTER


def resolve_endpoint(
    base_url: str,
    auth: Auth,
    deployment: Deployment | str | None,
    api_gateway_url: str,
) -> Endpoint:
    """Validate the settings and decide deployment, site URL and API base URL."""
    if not isinstance(auth, _AUTH_TYPES):
        raise ConfigurationError("auth must be BasicAuth, PersonalAccessToken or OAuthToken")
    site = _normalise(base_url, "base_url")
    if deployment is None:
        chosen = infer_deployment(site, oauth=isinstance(auth, OAuthToken))
    else:
        try:
            chosen = Deployment(deployment)
        except ValueError:
            raise ConfigurationError(
                f"deployment must be one of {[d.value for d in Deployment]}"
            ) from None
    if chosen is Deployment.DATA_CENTER:
        if isinstance(auth, OAuthToken):
            raise ConfigurationError("OAuth tokens are for Confluence Cloud, not Data Center")
        return Endpoint(chosen, site, site)
    if isinstance(auth, PersonalAccessToken):
        raise ConfigurationError(
            "personal access tokens are a Data Center credential; use BasicAuth or OAuthToken"
        )
    if not site.endswith("/wiki"):
        site = f"{site}/wiki"
    if isinstance(auth, OAuthToken):
        gateway = _normalise(api_gateway_url, "api_gateway_url")
        return Endpoint(chosen, site, f"{gateway}/ex/confluence/{auth.cloud_id}/wiki")
    return Endpoint(chosen, site, site)
