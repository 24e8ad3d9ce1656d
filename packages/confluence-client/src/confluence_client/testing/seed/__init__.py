"""Seed data for the fake: ``"demo"`` (DEMO and ENG spaces), ``"hostile"`` (the HOSTILE space
of pages that try to steer assistants) or ``"empty"`` (users only)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .._errors import FakeBadRequestError
from .._store import FakeStore
from ._demo import seed_demo
from ._hostile import HOSTILE_TITLES, seed_hostile

__all__ = ["HOSTILE_TITLES", "SEEDS", "build_store", "seed_users"]

SEEDS = ("demo", "empty", "hostile")
_EPOCH = datetime(2024, 3, 1, 9, 0, tzinfo=timezone.utc)


def seed_users(store: FakeStore, username: str) -> dict[str, str]:
    """The demo users; the first is the authenticated one. Returns first name -> account id.

    Every other user can sign in as themselves: basic auth with their email (or user name)
    and the API token ``<username>-api-token``, or the personal access token
    ``<username>-pat`` (``alice-api-token``, ``bob-pat``, ...)."""
    login_email = username if "@" in username else f"{username}@example.com"
    people = [
        ("fake", "Fake User", login_email, username.split("@", 1)[0]),
        ("alice", "Alice Martin", "alice@example.com", "alice"),
        ("bob", "Bob Chen", "bob@example.com", "bob"),
        ("carol", "Carol Diaz", "carol@example.com", "carol"),
        ("dan", "Dan Okafor", "dan@example.com", "dan"),
        ("eve", "Eve Novak", "eve@example.com", "eve"),
    ]
    ids: dict[str, str] = {}
    for n, (key, name, email, login) in enumerate(people):
        account_id = f"557058:0000{n:04d}-7a1e-4c2b-9d3f-00000000{n:04d}"
        ids[key] = store.add_user(name, email, username=login, account_id=account_id).account_id
        if key != "fake":  # the server's own Credentials sign in as the first user
            store.set_user_tokens(
                ids[key], api_token=f"{login}-api-token", personal_token=f"{login}-pat"
            )
    return ids


def build_store(seed: str, username: str = "fake@example.com") -> FakeStore:
    """A store filled with the named seed."""
    if seed not in SEEDS:
        raise FakeBadRequestError(f"Unknown seed {seed!r}; use one of {SEEDS}")
    ticks = iter(range(10**6))
    # Seed timestamps are fixed and increasing so listings and CQL dates are reproducible.
    store = FakeStore(clock=lambda: _EPOCH + timedelta(hours=next(ticks)))
    users = seed_users(store, username)
    if seed == "demo":
        seed_demo(store, users)
    elif seed == "hostile":
        seed_hostile(store, users)
    store.use_real_clock()
    return store
