"""The run-time control endpoint ``/__fake__/...``: faults, request log, health.

Unauthenticated and outside every Confluence path, so it can never collide with one.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ._errors import FakeBadRequestError
from ._faults import FaultInjector, FaultRule
from ._http import read_json
from ._requestlog import RequestLog

__all__ = ["control_routes"]

_RULE_FIELDS = set(FaultRule.__dataclass_fields__) - {"id"}


def control_routes(prefix: str, faults: FaultInjector, log: RequestLog) -> list[Route]:
    """Routes under ``prefix`` that drive ``faults`` and read ``log``."""

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def list_faults(_: Request) -> Response:
        return JSONResponse({"faults": [r.to_json() for r in faults.rules]})

    async def add_fault(request: Request) -> Response:
        payload = await read_json(request)
        if not isinstance(payload, dict) or "kind" not in payload:
            raise FakeBadRequestError("Send a JSON object with at least a 'kind'")
        unknown = set(payload) - _RULE_FIELDS
        if unknown:
            raise FakeBadRequestError(f"Unknown fault fields: {sorted(unknown)}")
        try:
            rule = FaultRule(**payload)
            added = faults.add(rule)
        except TypeError as exc:
            raise FakeBadRequestError(f"Invalid fault: {exc}") from None
        return JSONResponse(added.to_json(), status_code=201)

    async def clear_faults(_: Request) -> Response:
        faults.clear()
        return Response(status_code=204)

    async def reseed(request: Request) -> Response:
        payload: Any = await read_json(request)
        seed = payload.get("seed") if isinstance(payload, dict) else None
        if not isinstance(seed, int):
            raise FakeBadRequestError('Send {"seed": <int>}')
        faults.reseed(seed)
        return Response(status_code=204)

    async def list_requests(_: Request) -> Response:
        entries = [
            {
                "method": r.method,
                "path": r.path,
                "query": r.query,
                "status": r.status,
                "fault": r.fault,
            }
            for r in log.entries
        ]
        return JSONResponse({"count": len(entries), "requests": entries})

    async def clear_requests(_: Request) -> Response:
        log.clear()
        return Response(status_code=204)

    return [
        Route(f"{prefix}/health", health, methods=["GET"]),
        Route(f"{prefix}/faults", list_faults, methods=["GET"]),
        Route(f"{prefix}/faults", add_fault, methods=["POST"]),
        Route(f"{prefix}/faults", clear_faults, methods=["DELETE"]),
        Route(f"{prefix}/faults/seed", reseed, methods=["POST"]),
        Route(f"{prefix}/requests", list_requests, methods=["GET"]),
        Route(f"{prefix}/requests", clear_requests, methods=["DELETE"]),
    ]
