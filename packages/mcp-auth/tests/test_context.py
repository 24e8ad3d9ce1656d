import asyncio

from mcp_auth import (
    RequestContext,
    bind_request_context,
    current_request_context,
    current_trace_ids,
    new_request_id,
    reset_request_context,
    set_request_context,
)


def test_set_and_reset_restore_the_previous_context() -> None:
    assert current_request_context() is None
    outer = set_request_context(RequestContext(request_id="outer"))
    inner = set_request_context(RequestContext(request_id="inner", remote_addr="::1"))
    assert current_request_context() == RequestContext(request_id="inner", remote_addr="::1")
    reset_request_context(inner)
    assert current_request_context() == RequestContext(request_id="outer")
    reset_request_context(outer)
    assert current_request_context() is None


def test_bind_generates_a_request_id() -> None:
    with bind_request_context(user_agent="ua") as context:
        assert len(context.request_id or "") == 32
        assert current_request_context() is context
    with bind_request_context(request_id="given") as context:
        assert context.request_id == "given"
    assert new_request_id() != new_request_id()


async def test_context_is_per_task() -> None:
    seen: dict[str, str | None] = {}

    async def handle(name: str) -> None:
        with bind_request_context(request_id=name):
            await asyncio.sleep(0)
            context = current_request_context()
            seen[name] = context.request_id if context else None

    await asyncio.gather(handle("a"), handle("b"))
    assert seen == {"a": "a", "b": "b"}
    assert current_request_context() is None


def test_no_trace_ids_without_an_active_span() -> None:
    assert current_trace_ids() == (None, None)
