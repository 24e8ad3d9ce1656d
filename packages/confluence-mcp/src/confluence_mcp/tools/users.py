"""People: ``search_users``.

Users are not space content, so the space allow-list does not apply here; what a user search
reveals is what Confluence shows the server's account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from confluence_mcp.models import ResultModel
from confluence_mcp.params import Limit, capped
from confluence_mcp.registry import confluence_tool

if TYPE_CHECKING:
    from fastmcp import FastMCP

    from confluence_client import User
    from confluence_mcp.services import Services

__all__ = ["UserInfo", "UserList", "register", "user_info"]


class UserInfo(ResultModel):
    """``id`` is the account id (Cloud) or user key (Data Center): use it in mentions."""

    name: str
    id: str | None = None
    username: str | None = None
    email: str | None = None


class UserList(ResultModel):
    users: list[UserInfo]


def user_info(user: User) -> UserInfo:
    """The tool-result shape of an SDK user."""
    return UserInfo(name=user.display_name, id=user.id, username=user.username, email=user.email)


def register(mcp: FastMCP[Any], services: Services) -> None:
    """Add ``search_users`` to ``mcp``."""

    @confluence_tool(mcp, access="read")
    async def search_users(
        query: Annotated[str, capped(200, allow_empty=False)], limit: Limit = 25
    ) -> UserList:
        """Find people by name; ids match author_id in comments and versions."""
        client = await services.client()
        found = await client.search_users(query, limit=limit)
        return UserList(users=[user_info(user) for user in found.items])
