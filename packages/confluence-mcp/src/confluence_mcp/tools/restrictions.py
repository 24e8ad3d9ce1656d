"""Restrictions and permissions: ``get_page_restrictions`` (optionally "can this user view /
edit it"), ``set_page_restriction`` (``admin``-tagged: hidden by read-only mode, needs
``confluence:admin`` remotely) and ``get_space_permissions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from confluence_mcp.models import DeleteResult, ResultModel
from confluence_mcp.params import Cursor, Limit, PageId, SpaceKey, capped
from confluence_mcp.registry import confluence_tool

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import User
    from confluence_mcp.services import Services

__all__ = ["Restrictions", "SpaceGrants", "register"]

UserId = Annotated[str, capped(128, allow_empty=False)]


class Restrictions(ResultModel):
    """Users (``id: name``) and groups a page's view / edit is restricted to; empty lists
    mean not restricted. ``can_view``/``can_edit`` answer for ``account_id`` when asked."""

    read_users: dict[str, str]
    update_users: dict[str, str]
    read_groups: list[str]
    update_groups: list[str]
    can_view: bool | None = None
    can_edit: bool | None = None


class SpaceGrants(ResultModel):
    """A space's permission grants: ``operation target`` → principal ids."""

    grants: dict[str, list[str]]
    next_cursor: str | None = None


def _names(users: tuple[User, ...]) -> dict[str, str]:
    return {user.id or user.username or "?": user.display_name for user in users}


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add the restriction and permission tools to ``mcp``."""

    @confluence_tool(mcp, access="read")
    async def get_page_restrictions(
        page_id: PageId, account_id: UserId | None = None
    ) -> Restrictions:
        """Who may view/edit a page; with account_id, whether that user can (Cloud)."""
        await services.guard.check_page_id(page_id)
        client = await services.client()
        found = await client.get_restrictions(page_id)
        result = Restrictions(
            read_users=_names(found.read_users),
            update_users=_names(found.update_users),
            read_groups=list(found.read_groups),
            update_groups=list(found.update_groups),
        )
        if account_id is None:
            return result
        view = await client.check_permission(page_id, account_id, "read")
        edit = view and await client.check_permission(page_id, account_id, "update")
        return result.model_copy(update={"can_view": view, "can_edit": edit})

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

    @confluence_tool(mcp, access="read")
    async def get_space_permissions(
        space_key: SpaceKey, limit: Limit = 100, cursor: Cursor | None = None
    ) -> SpaceGrants:
        """Summary of a space's permissions (Cloud): operation → principals."""
        services.guard.check_space_key(space_key)
        client = await services.client()
        found = await client.list_space_permissions(space_key, limit=limit, cursor=cursor)
        grants: dict[str, list[str]] = {}
        for grant in found.items:
            key = f"{grant.operation} {grant.target}"
            grants.setdefault(key, []).append(f"{grant.principal_type}:{grant.principal_id}")
        return SpaceGrants(grants=grants, next_cursor=found.next_cursor)
