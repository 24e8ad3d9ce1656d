"""Small JSON refusals sent straight from ASGI middleware (no framework response objects)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.types import Send

__all__ = ["send_json"]


async def send_json(
    send: Send,
    status: int,
    body: dict[str, str],
    headers: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    """Send a complete JSON response (``error`` / ``error_description`` style body)."""
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
