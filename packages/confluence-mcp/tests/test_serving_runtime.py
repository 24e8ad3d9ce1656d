"""How ``serve`` runs: which event loop (MCP_EVENT_LOOP) and the heap prepared for serving."""

from __future__ import annotations

import asyncio
import gc
import importlib.util
from typing import Any

import anyio
import pytest

from confluence_mcp.errors import ConfigError
from confluence_mcp.serving import (
    GC_YOUNG_THRESHOLD,
    pause_collection,
    prepare_heap,
    runner_options,
    settle_heap,
)

UVLOOP = importlib.util.find_spec("uvloop") is not None


@pytest.mark.skipif(not UVLOOP, reason="uvloop is not installed on this platform")
def test_http_serves_on_uvloop_by_default(remote_settings_for: Any) -> None:
    options = runner_options(remote_settings_for())
    assert options == {"use_uvloop": True}

    async def loop_module() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert anyio.run(loop_module, backend_options=options).startswith("uvloop")


@pytest.mark.parametrize(
    "overrides",
    [{"transport": "stdio"}, {"mcp_event_loop": "asyncio"}],
    ids=["stdio", "asyncio-asked"],
)
def test_asyncio_loop_for_stdio_or_when_asked(remote_settings_for: Any, overrides: Any) -> None:
    assert runner_options(remote_settings_for(**overrides)) == {}


def test_uvloop_asked_but_missing_is_a_config_error(
    remote_settings_for: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "uvloop" else real(name, *a)
    )
    with pytest.raises(ConfigError, match="MCP_EVENT_LOOP"):
        runner_options(remote_settings_for(mcp_event_loop="uvloop"))
    assert runner_options(remote_settings_for()) == {}  # auto falls back to asyncio


def test_prepare_heap_freezes_start_up_objects_and_collects_less_often() -> None:
    prepare_heap()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD
    # Garbage made after start-up is still collected.
    cycle: list[Any] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


@pytest.mark.parametrize("long_lived", [True, False])
def test_start_up_pauses_collection_and_serving_turns_it_back_on(long_lived: bool) -> None:
    assert pause_collection() is True
    assert not gc.isenabled()
    assert pause_collection() is False  # already paused: the caller must not turn it on
    settle_heap(long_lived=long_lived)
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == GC_YOUNG_THRESHOLD


def test_a_refused_serve_leaves_collection_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from confluence_mcp import cli

    monkeypatch.setenv("CONFLUENCE_URL", "not a url")
    assert cli.main(["serve", "--transport", "stdio"]) != 0
    assert gc.isenabled()
