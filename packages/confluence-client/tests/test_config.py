from typing import Any

import pytest

from confluence_client import (
    BasicAuth,
    ConfigurationError,
    ConfluenceClient,
    Deployment,
    OAuthToken,
    PersonalAccessToken,
    RetryPolicy,
    SystemClock,
    Timeouts,
    infer_deployment,
)
from confluence_client._endpoint import resolve_endpoint

BASIC = BasicAuth("me@example.com", "s3cret-token")
PAT = PersonalAccessToken("pat-s3cret")
OAUTH = OAuthToken("oauth-s3cret", "1234-abcd")
GATEWAY = "https://api.atlassian.com"


def test_secrets_stay_out_of_reprs() -> None:
    for cred in (BASIC, PAT, OAUTH):
        assert "s3cret" not in repr(cred)
        assert "s3cret" not in str(cred)
    client = ConfluenceClient("https://acme.atlassian.net", BASIC)
    assert "s3cret" not in repr(client)


@pytest.mark.parametrize(
    "build",
    [
        lambda: BasicAuth("", "t"),
        lambda: BasicAuth("u", " "),
        lambda: PersonalAccessToken(""),
        lambda: OAuthToken("t", ""),
        lambda: OAuthToken("t", "../evil"),
        lambda: Timeouts(connect=0),
        lambda: RetryPolicy(max_retries=-1),
        lambda: RetryPolicy(initial_backoff=-1),
        lambda: RetryPolicy(jitter=(1.5, 1.0)),
    ],
)
def test_bad_settings(build: Any) -> None:
    with pytest.raises(ConfigurationError):
        build()


@pytest.mark.parametrize(
    ("url", "auth", "deployment", "site", "api"),
    [
        (
            "https://acme.atlassian.net",
            BASIC,
            None,
            Deployment.CLOUD,
            "https://acme.atlassian.net/wiki",
        ),
        (
            "https://acme.atlassian.net/wiki/",
            BASIC,
            None,
            Deployment.CLOUD,
            "https://acme.atlassian.net/wiki",
        ),
        (
            "https://wiki.corp.example/confluence",
            PAT,
            None,
            Deployment.DATA_CENTER,
            "https://wiki.corp.example/confluence",
        ),
        (
            "https://wiki.corp.example",
            BASIC,
            None,
            Deployment.DATA_CENTER,
            "https://wiki.corp.example",
        ),
        ("http://127.0.0.1:9/wiki", BASIC, "cloud", Deployment.CLOUD, "http://127.0.0.1:9/wiki"),
        ("http://127.0.0.1:9", BASIC, "cloud", Deployment.CLOUD, "http://127.0.0.1:9/wiki"),
        (
            "https://acme.atlassian.net/wiki",
            OAUTH,
            None,
            Deployment.CLOUD,
            "https://api.atlassian.com/ex/confluence/1234-abcd/wiki",
        ),
    ],
)
def test_endpoint_resolution(
    url: str, auth: Any, deployment: Any, site: Deployment, api: str
) -> None:
    endpoint = resolve_endpoint(url, auth, deployment, GATEWAY)
    assert endpoint.deployment is site
    assert endpoint.api_base_url == api


@pytest.mark.parametrize(
    ("url", "auth", "deployment"),
    [
        ("https://wiki.corp.example", OAUTH, "datacenter"),
        ("https://acme.atlassian.net", PAT, None),
        ("https://acme.atlassian.net", BASIC, "mainframe"),
        ("acme.atlassian.net", BASIC, None),
        ("https://user:pw@acme.atlassian.net", BASIC, None),
        ("https://acme.atlassian.net/?x=1", BASIC, None),
        ("", BASIC, None),
        ("https://acme.atlassian.net", "token", None),
    ],
)
def test_bad_endpoints(url: str, auth: Any, deployment: Any) -> None:
    with pytest.raises(ConfigurationError):
        resolve_endpoint(url, auth, deployment, GATEWAY)


def test_client_properties_and_options() -> None:
    client = ConfluenceClient(
        "http://127.0.0.1:1",
        OAUTH,
        deployment="cloud",
        api_gateway_url="http://127.0.0.1:2",
        timeouts=5,
        retry=RetryPolicy.disabled(),
        max_concurrency=2,
    )
    assert client.deployment is Deployment.CLOUD
    assert client.site_url == "http://127.0.0.1:1/wiki"
    assert client.api_base_url == "http://127.0.0.1:2/ex/confluence/1234-abcd/wiki"


@pytest.mark.parametrize(
    "kwargs",
    [{"timeouts": "5"}, {"timeouts": True}, {"max_concurrency": 0}, {"max_concurrency": 65}],
)
def test_bad_client_options(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        ConfluenceClient("https://acme.atlassian.net", BASIC, **kwargs)


async def test_system_clock() -> None:
    clock = SystemClock()
    start = clock.monotonic()
    await clock.sleep(0)
    assert clock.monotonic() >= start
    assert clock.now().tzinfo is not None


def test_on_request_must_be_callable() -> None:
    with pytest.raises(ConfigurationError):
        ConfluenceClient("https://acme.atlassian.net", BASIC, on_request="print")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "oauth", "expected"),
    [
        ("https://acme.atlassian.net/wiki", False, Deployment.CLOUD),
        ("https://ACME.Atlassian.NET", False, Deployment.CLOUD),
        ("https://acme.jira.com/wiki", False, Deployment.CLOUD),
        ("https://api.atlassian.com/ex/confluence/abc/wiki", False, Deployment.CLOUD),
        ("https://wiki.example.com", True, Deployment.CLOUD),
        ("http://127.0.0.1:8090/wiki", False, Deployment.DATA_CENTER),
        ("https://confluence.example.com/wiki", False, Deployment.DATA_CENTER),
        ("https://confluence.example.com/confluence", False, Deployment.DATA_CENTER),
        ("https://acme.atlassian.net.example.com", False, Deployment.DATA_CENTER),
    ],
)
def test_infer_deployment_is_the_one_rule(url: str, oauth: bool, expected: Deployment) -> None:
    assert infer_deployment(url, oauth=oauth) is expected
    if not oauth:
        client = ConfluenceClient(url, BasicAuth("me@example.com", "token"))
        assert client.deployment is expected
