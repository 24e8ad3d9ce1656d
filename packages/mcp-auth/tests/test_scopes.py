import pytest

from mcp_auth import (
    AuthConfigurationError,
    AuthMethod,
    AuthorizationError,
    Principal,
    RefusalReason,
    ScopePolicy,
)

POLICY = ScopePolicy(
    operations={
        "get_page": ["docs:read"],
        "delete_page": "docs:write docs:delete",
        "admin_*": ["docs:admin"],
    },
    tags={"write": ["docs:write"], "read": ["docs:read"]},
    always=["mcp:access"],
    default=["docs:unlisted"],
    implies={"docs:write": ["docs:read"], "docs:admin": ["docs:write"]},
)


def _principal(*scopes: str) -> Principal:
    return Principal(subject="bob", auth_method=AuthMethod.API_KEY, scopes=frozenset(scopes))


def test_required_scopes_union_operation_tags_and_always() -> None:
    assert POLICY.required_scopes("get_page") == {"mcp:access", "docs:read"}
    assert POLICY.required_scopes("get_page", ["write"]) == {
        "mcp:access",
        "docs:read",
        "docs:write",
    }
    assert POLICY.required_scopes("admin_purge") == {"mcp:access", "docs:admin"}
    # only a tag matched: no default
    assert POLICY.required_scopes("new_tool", ["read", "unknown"]) == {
        "mcp:access",
        "docs:read",
    }
    # nothing matched: default applies
    assert POLICY.required_scopes("new_tool") == {"mcp:access", "docs:unlisted"}


def test_check_raises_listing_missing_scopes() -> None:
    with pytest.raises(AuthorizationError) as caught:
        POLICY.check(_principal("mcp:access"), "delete_page")
    error = caught.value
    assert error.missing_scopes == ("docs:delete", "docs:write")
    assert error.required_scopes == ("docs:delete", "docs:write", "mcp:access")
    assert error.operation == "delete_page"
    assert error.reason is RefusalReason.INSUFFICIENT_SCOPE
    assert "docs:delete docs:write" in str(error)


def test_check_passes_and_implied_scopes_count() -> None:
    POLICY.check(_principal("mcp:access", "docs:read"), "get_page")
    # admin implies write implies read (transitively)
    POLICY.check(_principal("mcp:access", "docs:admin"), "get_page", ["write"])
    assert POLICY.granted_scopes(["docs:admin"]) == {
        "docs:admin",
        "docs:write",
        "docs:read",
    }


def test_non_raising_variants() -> None:
    decision = POLICY.evaluate(["mcp:access"], "get_page")
    assert not decision.allowed
    assert decision.missing == {"docs:read"}
    assert decision.required == {"mcp:access", "docs:read"}
    assert POLICY.allows("mcp:access docs:read", "get_page")
    assert not POLICY.allows(_principal(), "get_page")


def test_empty_policy_allows_everything() -> None:
    policy = ScopePolicy()
    assert policy.allows(_principal(), "anything")
    assert policy.scopes_supported == ()


def test_scopes_supported_lists_every_scope() -> None:
    assert POLICY.scopes_supported == (
        "docs:admin",
        "docs:delete",
        "docs:read",
        "docs:unlisted",
        "docs:write",
        "mcp:access",
    )


def test_from_mapping() -> None:
    policy = ScopePolicy.from_mapping(
        {"always": ["a"], "operations": {"t": ["b"]}, "tags": {"x": "c"}, "default": "d"}
    )
    assert policy.required_scopes("t", ["x"]) == {"a", "b", "c"}
    assert "ScopePolicy(operations=1" in repr(policy)


@pytest.mark.parametrize(
    "data",
    [
        {"operation": {}},
        {"operations": ["get_page"]},
        {"operations": {"t": ["has space"]}},
        {"operations": {"t": [""]}},
        {"tags": {"t": [3]}},
    ],
)
def test_invalid_policies_are_configuration_errors(data: dict[str, object]) -> None:
    with pytest.raises(AuthConfigurationError):
        ScopePolicy.from_mapping(data)
