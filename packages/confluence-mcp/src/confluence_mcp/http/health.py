"""``GET /healthz`` (liveness) and ``GET /readyz`` (readiness), outside authentication.

Liveness answers from memory: the process serves HTTP. Readiness asks Confluence who the
configured credentials belong to (the SDK's current-user call, no retries) and caches the
answer for a few seconds, so probes from several orchestrators cost one upstream call. A
failure is 503 with a short reason (unreachable, credentials refused, ...). In a per-user mode
without service credentials there is no account to ask as: readiness then reads the token
store instead (``store_probe``), which every call needs. Neither route says
anything about the configuration: no URL, user, space or version.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from confluence_mcp.errors import readiness_reason

if TYPE_CHECKING:
    from confluence_client import ConfluenceClient
    from confluence_mcp.remote.metrics import MetricsRecorder
    from confluence_mcp.settings import Settings

__all__ = ["HEALTH_PATH", "READY_PATH", "ReadinessProbe", "health_routes"]

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"

ProbeClientFactory = Callable[["Settings"], "ConfluenceClient"]


def _probe_client(settings: Settings) -> ConfluenceClient:
    from confluence_client import RetryPolicy
    from confluence_mcp.services import build_client

    # One attempt: readiness reports the state now; retrying hides it from the orchestrator.
    return build_client(settings, retry=RetryPolicy.disabled())


class ReadinessProbe:
    """Checks that Confluence answers and accepts the credentials; caches the verdict."""

    def __init__(
        self,
        settings: Settings,
        *,
        cache_seconds: float = 5.0,
        timeout: float = 5.0,
        client_factory: ProbeClientFactory = _probe_client,
        store_probe: Callable[[], Awaitable[str | None]] | None = None,
    ) -> None:
        self.settings = settings
        self.store_probe = store_probe
        self.cache_seconds = cache_seconds
        self.timeout = timeout
        self._client_factory = client_factory
        self._client: ConfluenceClient | None = None
        self._verdict: tuple[float, str | None] | None = None
        self._lock = asyncio.Lock()

    async def check(self) -> str | None:
        """None when ready, else the reason it is not (cached for ``cache_seconds``)."""
        async with self._lock:
            now = time.monotonic()
            if self._verdict is not None and now - self._verdict[0] < self.cache_seconds:
                return self._verdict[1]
            reason = await self._probe()
            self._verdict = (time.monotonic(), reason)
            return reason

    async def _probe(self) -> str | None:
        if self.store_probe is not None and self.settings.auth_method is None:
            return await self.store_probe()
        if self.settings.confluence_url is None or self.settings.auth_method is None:
            return "Confluence connection is not configured"
        try:
            if self._client is None:
                self._client = self._client_factory(self.settings)
            await asyncio.wait_for(self._client.get_current_user(), self.timeout)
        except Exception as exc:
            from confluence_mcp.remote.error_tracking import report_unexpected

            report_unexpected(exc)  # a bug in the SDK or here, not Confluence's answer
            return readiness_reason(exc)
        return None

    async def aclose(self) -> None:
        """Close the probe's SDK client, if one was made."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def health_routes(probe: ReadinessProbe, metrics: MetricsRecorder | None = None) -> list[Route]:
    """The two routes, to be matched before the MCP endpoint and outside authentication.

    Each readiness answer is also reported to ``metrics`` (alerts watch it flap).
    """

    async def healthz(_request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_request: Request) -> JSONResponse:
        reason = await probe.check()
        if metrics is not None:
            metrics.readiness(reason is None)
        if reason is None:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)

    return [
        Route(HEALTH_PATH, healthz, methods=["GET", "HEAD"]),
        Route(READY_PATH, readyz, methods=["GET", "HEAD"]),
    ]
