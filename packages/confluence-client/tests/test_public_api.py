"""The package's exported surface is exactly what __all__ lists, and nothing private leaks."""

import confluence_client


def test_all_names_resolve() -> None:
    for name in confluence_client.__all__:
        assert hasattr(confluence_client, name), name


def test_all_has_no_duplicates_or_private_names() -> None:
    names = confluence_client.__all__
    assert len(names) == len(set(names))
    assert all(not n.startswith("_") or n == "__version__" for n in names)


def test_every_error_derives_from_the_root() -> None:
    errors = [
        getattr(confluence_client, n) for n in confluence_client.__all__ if n.endswith("Error")
    ]
    assert len(errors) == 21
    for cls in errors:
        assert issubclass(cls, confluence_client.ConfluenceError)


def test_content_and_testing_are_not_re_exported() -> None:
    assert "content" not in confluence_client.__all__
    assert "testing" not in confluence_client.__all__


def test_all_is_exactly_the_public_names() -> None:
    import types

    public = {
        name
        for name in dir(confluence_client)
        if not name.startswith("_")
        and not isinstance(getattr(confluence_client, name), types.ModuleType)
    }
    assert public == set(confluence_client.__all__) - {"__version__"}


def test_importing_the_errors_loads_no_http_stack() -> None:
    """Code that only catches SDK errors must not pay for atlassian-python-api/requests."""
    import subprocess
    import sys

    probe = (
        "import sys; from confluence_client import ConfluenceError, NotFoundError; "
        "print(sorted(m for m in ('atlassian', 'requests', 'confluence_client._client') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_deployment_rule_loads_no_http_stack() -> None:
    """The server's settings use `infer_deployment` at start-up, before any tool runs."""
    import subprocess
    import sys

    probe = (
        "import sys; from confluence_client import infer_deployment; "
        "print(infer_deployment('http://127.0.0.1:8090/wiki').value, sorted(m for m in "
        "('atlassian', 'requests', 'confluence_client._client') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["datacenter", "[]"]


def test_lazy_names_resolve_to_their_defining_module() -> None:
    from confluence_client._client import ConfluenceClient

    assert confluence_client.ConfluenceClient is ConfluenceClient
    assert "ConfluenceClient" in dir(confluence_client)
