"""Restrictions and permissions: ``get_page_restrictions`` (optionally "can this user view /
edit it"), ``set_page_restriction`` (``admin``-tagged: hidden by read-only mode, needs
``confluence:admin`` remotely), and the space permission summary ``get_space`` shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastmcp.tools import ToolResult

from confluence_mcp.models import DeleteResult, ResultModel
from confluence_mcp.params import PageId, capped
from confluence_mcp.registry import confluence_tool
from confluence_mcp.tools.lean import lean_result

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import ConfluenceClient, User
    from confluence_mcp.services import Services

__all__ = ["Restrictions", "permission_summary", "register"]

UserId = Annotated[str, capped(128, allow_empty=False)]


class Restrictions(ResultModel):
    """Who a page's view (read) / edit (update) is restricted to: user ``id: name`` and
    ``group:<name>`` entries; empty means not restricted. ``can_view``/``can_edit`` answer
    for ``account_id`` when asked."""

    read: dict[str, str]
    update: dict[str, str]
    can_view: bool | None = None
    can_edit: bool | None = None


def _names(users: tuple[User, ...], groups: tuple[str, ...]) -> dict[str, str]:
    named = {user.id or user.username or "?": user.display_name for user in users}
    return {**named, **{f"group:{group}": group for group in groups}}


async def permission_summary(client: ConfluenceClient, space_key: str) -> dict[str, list[str]]:
    """A space's permission grants (Cloud) as ``operation target`` → ``type:id`` principals."""
    grants: dict[str, list[str]] = {}
    async for grant in client.iter_space_permissions(space_key, limit=250):
        key = f"{grant.operation} {grant.target}"
        grants.setdefault(key, []).append(f"{grant.principal_type}:{grant.principal_id}")
    return grants


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the restriction and permission tools to ``mcp``."""

    @confluence_tool(mcp, access="read", output_schema=None)
    async def get_page_restrictions(
        page_id: PageId, account_id: UserId | None = None
    ) -> ToolResult:
        """Who may view/edit a page; with account_id, whether that user can (Cloud)."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        found = await client.get_restrictions(page_id)
        result = Restrictions(
            read=_names(found.read_users, found.read_groups),
            update=_names(found.update_users, found.update_groups),
        )
        if account_id is None:
            return lean_result(result)
        view = await client.check_permission(page_id, account_id, "read")
        edit = view and await client.check_permission(page_id, account_id, "update")
        return lean_result(result.model_copy(update={"can_view": view, "can_edit": edit}))

    @confluence_tool(mcp, access="write", areas=frozenset({"admin"}), idempotent=True)
    async def set_page_restriction(
        page_id: PageId,
        operation: Literal["read", "update"],
        user: UserId,
        remove: bool = False,
    ) -> DeleteResult:
        """Add (or remove) a user in a page's view (read) or edit (update) restriction."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        if remove:
            await client.remove_user_restriction(page_id, operation, user)
        else:
            await client.add_user_restriction(page_id, operation, user)
        return DeleteResult(id=page_id, status=f"{operation} {'removed' if remove else 'added'}")
