"""SpaceCache: bounded, thread-safe, and its two directions always agree."""

import threading

import pytest

from confluence_client._models import Space
from confluence_client._spaces import SpaceCache


def test_the_cache_is_bounded_and_keeps_pairs_consistent() -> None:
    cache = SpaceCache(max_entries=2)
    for n in range(3):
        cache.remember(Space(id=str(n), key=f"K{n}", name="x"))
    assert len(cache) == 2
    assert cache.id_for("K0") is None  # least recently used went first
    assert cache.key_for("0") is None
    assert cache.key_for("1") == "K1"  # touching K1 makes K2 the oldest
    cache.remember(Space(id="3", key="K3", name="x"))
    assert (cache.id_for("K1"), cache.id_for("K2"), cache.id_for("K3")) == ("1", None, "3")
    cache.remember(Space(id="9", key="K1", name="x"))  # a key's id changed: old id forgotten
    assert (cache.key_for("1"), cache.key_for("9")) == (None, "K1")
    with pytest.raises(ValueError, match="at least 1"):
        SpaceCache(max_entries=0)


def test_the_cache_is_thread_safe() -> None:
    cache = SpaceCache(max_entries=50)
    errors: list[BaseException] = []

    def hammer(offset: int) -> None:
        try:
            for n in range(2000):
                i = (n * 7 + offset) % 120
                cache.remember(Space(id=str(i), key=f"K{i}", name="x"))
                key = cache.key_for(str(i))
                assert key in (None, f"K{i}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=hammer, args=(t,)) for t in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(cache) <= 50
    for n in range(120):  # both directions agree for every pair still held
        space_id = cache.id_for(f"K{n}")
        assert space_id is None or cache.key_for(space_id) == f"K{n}"
