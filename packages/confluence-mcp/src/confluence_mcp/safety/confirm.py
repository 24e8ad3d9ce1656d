"""Confirmed destructive actions: a step the model cannot take on its own.

Where the client supports elicitation, the user is asked to type the page's title: through
``ctx.elicit`` on session-era connections, and on 2026-07-28 connections by returning an
``InputRequiredResult`` (FastMCP's multi-round-trip: the client asks the user, then repeats
the call with the answer; the state we attach is sealed by the framework).

Other clients get a two-step call: the first answers with a preview and a signed token bound
to the action, page id and version, valid for a few minutes; the second must carry it.

Either way the caller aborts if the page's version moved since the confirmed one: it re-reads
the page when the user answered during the call (elicitation); otherwise the read that began
this very call (the second step, or the repeated 2026-07-28 call) is already the fresh one.
``CONFIRM_DESTRUCTIVE=false`` turns all of this off for trusted automation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mcp_types as mt
from fastmcp.exceptions import ToolError

if TYPE_CHECKING:
    from fastmcp import Context

__all__ = ["ConfirmationRequired", "Confirmations", "Confirmed", "Pending"]

_INPUT_KEY = "confirm"
_MODERN = "2026-07-28"


@dataclass(frozen=True)
class Pending:
    """An action awaiting confirmation: what, on which page, at which version.

    ``subject`` is what the action does beyond the page (a move's new parent, a digest of an
    overwrite's new body): a confirmation counts only for the same one, so a token from a
    preview cannot carry out another change than the one the user was shown.
    """

    action: str
    page_id: str
    title: str
    version: int
    preview: str
    subject: str = ""


@dataclass(frozen=True)
class Confirmed:
    """The user confirmed ``version``; ``waited``: they answered during this call, so the
    page may have changed since the caller read it."""

    version: int
    waited: bool = False


class ConfirmationRequired(ToolError):
    """The first step of the two-step call: preview and token, nothing changed."""


class Confirmations:
    """Issues and checks confirmation tokens; runs the elicitation flows."""

    def __init__(self, *, enabled: bool, ttl: float = 300.0, key: bytes | None = None) -> None:
        self.enabled = enabled
        self._ttl = ttl
        # A per-process key: tokens die with the process (and never cross replicas).
        self._key = key or secrets.token_bytes(32)

    # --- tokens ---------------------------------------------------------------------------
    def issue(self, pending: Pending, *, now: float | None = None) -> str:
        """A token for exactly this action, page and version, valid ``ttl`` seconds."""
        expires = int((now if now is not None else time.time()) + self._ttl)
        payload = (
            f"{pending.action}|{pending.page_id}|{pending.version}|{_digest(pending.subject)}"
            f"|{expires}"
        ).encode()
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def verify(self, token: str, pending: Pending, *, now: float | None = None) -> None:
        """Raise :class:`ToolError` unless ``token`` confirms ``pending`` right now."""
        try:
            body, signature = token.strip().split(".", 1)
            payload = _unb64(body)
            valid = hmac.compare_digest(_unb64(signature), self._sign(payload))
            action, page_id, version, subject, expires = payload.decode().split("|")
        except (ValueError, UnicodeDecodeError):
            valid = False
        if not valid:
            raise ToolError(_refused("the confirmation token is not valid"))
        if int(expires) < (now if now is not None else time.time()):
            raise ToolError(_refused("the confirmation token has expired"))
        if (action, page_id) != (pending.action, pending.page_id):
            raise ToolError(_refused("the confirmation token is for another action or page"))
        if subject != _digest(pending.subject):
            raise ToolError(_refused(_OTHER_ARGUMENTS))
        if int(version) != pending.version:
            raise ToolError(
                _refused(
                    f"the page changed since the preview (version {version} → {pending.version})"
                )
            )

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()

    # --- the flow ---------------------------------------------------------------------------
    async def confirm(
        self, ctx: Context, pending: Pending, token: str | None
    ) -> mt.InputRequiredResult | Confirmed | None:
        """Confirm ``pending``.

        Returns ``None`` when nothing needs confirming (turned off), what the user confirmed
        (the caller compares it with the page), or an ``InputRequiredResult``
        the tool must return as is (2026-07-28 elicitation). Raises :class:`ToolError`
        when refused and :class:`ConfirmationRequired` for the two-step call's first step.
        """
        if not self.enabled:
            return None
        if token is not None:
            self.verify(token, pending)
            return Confirmed(pending.version)
        if _supports_elicitation(ctx):
            if _modern(ctx):
                return self._input_round(ctx, pending)
            return await self._elicit(ctx, pending)
        raise ConfirmationRequired(
            f"Confirmation required, nothing was changed. {pending.preview}\n"
            f"To go ahead, ask the user, then call again with the same arguments and "
            f'confirm_token="{self.issue(pending)}" (valid {int(self._ttl // 60)} minutes, '
            f"for version {pending.version} only)."
        )

    async def _elicit(self, ctx: Context, pending: Pending) -> Confirmed:
        answer = await ctx.elicit(
            _question(pending), response_type=str, response_title="Page title"
        )
        data: Any = getattr(answer, "data", None)
        if getattr(answer, "action", "") != "accept" or not _same_title(data, pending.title):
            raise ToolError(_refused("the user did not confirm"))
        return Confirmed(pending.version, waited=True)

    def _input_round(self, ctx: Context, pending: Pending) -> mt.InputRequiredResult | Confirmed:
        responses = ctx.input_responses or {}
        answer = responses.get(_INPUT_KEY)
        if answer is None:
            state = json.dumps(
                [pending.action, pending.page_id, pending.version, _digest(pending.subject)]
            )
            schema = {
                "type": "object",
                "properties": {"value": {"type": "string", "title": "Page title"}},
                "required": ["value"],
            }
            request = mt.ElicitRequest(
                params=mt.ElicitRequestFormParams(
                    message=_question(pending), requested_schema=schema
                )
            )
            return mt.InputRequiredResult(input_requests={_INPUT_KEY: request}, request_state=state)
        try:
            action, page_id, version, subject = json.loads(ctx.request_state or "")
        except (ValueError, TypeError):
            raise ToolError(_refused("the confirmation state is missing")) from None
        if (action, page_id) != (pending.action, pending.page_id):
            raise ToolError(_refused("the confirmation was for another action or page"))
        if subject != _digest(pending.subject):
            raise ToolError(_refused(_OTHER_ARGUMENTS))
        content = getattr(answer, "content", None) or {}
        if getattr(answer, "action", "") != "accept" or not _same_title(
            content.get("value"), pending.title
        ):
            raise ToolError(_refused("the user did not confirm"))
        return Confirmed(int(version))


def _supports_elicitation(ctx: Context) -> bool:
    try:
        capabilities = ctx.session.client_capabilities
    except RuntimeError:
        return False
    return capabilities is not None and capabilities.elicitation is not None


def _modern(ctx: Context) -> bool:
    try:
        return str(ctx.session.protocol_version) >= _MODERN
    except RuntimeError:
        return False


def _question(pending: Pending) -> str:
    return f"{pending.preview}\nType the page title ({pending.title}) to confirm."


def _same_title(value: Any, title: str) -> bool:
    return isinstance(value, str) and value.strip() == title.strip()


_OTHER_ARGUMENTS = (
    "the confirmation was given for other arguments than these (call again with exactly "
    "the arguments of the preview, or without confirm_token for a new preview)"
)


def _digest(subject: str) -> str:
    # Short and free of the payload's separator whatever the subject holds.
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


def _refused(reason: str) -> str:
    return f"Not done: {reason}; nothing was changed."


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
