"""The testing package's public surface is exactly its ``__all__``."""

from __future__ import annotations

import types

import confluence_client.testing as testing


def test_all_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(testing).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public - {"annotations"} == set(testing.__all__)
    for name in testing.__all__:
        assert getattr(testing, name) is not None


def test_no_exported_name_shadows_one_of_the_sdk() -> None:
    """A test importing from both packages must never get two unrelated `NotFoundError`s."""
    import confluence_client

    assert not set(testing.__all__) & set(confluence_client.__all__)
