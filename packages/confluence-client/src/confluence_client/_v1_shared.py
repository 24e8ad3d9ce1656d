"""Operations both deployments perform through the v1 REST API (``rest/api/...``).

Cloud keeps using v1 for CQL search, adding/removing labels, uploading attachments and
users; Data Center has nothing else. Paths are relative to the API base, which already
carries ``/wiki`` (Cloud) or the context path (Data Center).
"""

from __future__ import annotations

from typing import Any

from confluence_client._backend_base import BackendBase
from confluence_client._cql import Cql
from confluence_client._errors import InvalidCqlError, MalformedResponseError, NotFoundError
from confluence_client._models import (
    Attachment,
    Label,
    LongTask,
    Page,
    PageRestrictions,
    ResultPage,
    SearchResult,
    Template,
    User,
)
from confluence_client._parse_common import obj
from confluence_client._parse_v1 import (
    parse_attachment,
    parse_label,
    parse_long_task,
    parse_page,
    parse_restrictions,
    parse_search_result,
    parse_template,
    parse_user,
)
from confluence_client._transport import HttpResponse

__all__ = ["V1Operations"]

_SEARCH = "rest/api/search"
_USER_SEARCH = "rest/api/search/user"


class V1Operations(BackendBase):
    """The v1 operations shared by the Cloud and Data Center backends."""

    # How v1 names a user in query strings: Cloud account ids, Data Center user keys.
    _USER_PARAM = "accountId"

    # --- search ----------------------------------------------------------------------------
    async def search(self, cql: str, limit: int, cursor: str | None) -> ResultPage[SearchResult]:
        """CQL search with Confluence's cursor (``_links.next``) pagination."""
        params = {"cql": cql, "limit": limit, "excerpt": "highlight", "expand": "content.space"}
        return await self._list(
            _SEARCH,
            params,
            cursor,
            lambda raw: parse_search_result(raw, self._site),
            bad_request=InvalidCqlError,
        )

    # --- labels ----------------------------------------------------------------------------
    async def add_labels(self, page_id: str, names: list[str]) -> list[Label]:
        """Add global labels; Confluence answers with the page's labels afterwards."""
        payload = [{"prefix": "global", "name": name} for name in names]
        response = await self._http.request(
            "POST", f"rest/api/content/{page_id}/label", json_body=payload, idempotent=True
        )
        body = response.json()
        results = body.get("results") if isinstance(body, dict) else body
        if not isinstance(results, list):
            raise MalformedResponseError("expected a list of labels", path=response.path)
        return [parse_label(item) for item in results if isinstance(item, dict)]

    async def remove_label(self, page_id: str, name: str) -> None:
        """Remove one label by name."""
        await self._http.request(
            "DELETE", f"rest/api/content/{page_id}/label", params={"name": name}
        )

    # --- attachments -------------------------------------------------------------------------
    async def get_trashed_attachment(self, attachment_id: str) -> Attachment:
        """A trashed attachment's metadata (``container`` names its page)."""
        numeric = attachment_id.removeprefix("att")
        body = await self._get_json(
            f"rest/api/content/{numeric}", {"status": "trashed", "expand": "version,container"}
        )
        if body.get("type", "attachment") != "attachment":
            raise NotFoundError(f"no trashed attachment with id {attachment_id}", status_code=404)
        return parse_attachment(body, self._site)

    async def restore_attachment(self, attachment_id: str) -> Attachment:
        """Take a trashed attachment out of the trash: v1's documented restore of any content
        (status ``current`` with the version incremented; nothing else changes)."""
        trashed = await self.get_trashed_attachment(attachment_id)
        if trashed.version is None:
            raise MalformedResponseError("trashed attachment without a version")
        payload = {
            "id": trashed.id,
            "type": "attachment",
            "status": "current",
            "title": trashed.title,
            "version": {"number": trashed.version.number + 1},
        }
        response = await self._http.request(
            "PUT",
            f"rest/api/content/{attachment_id.removeprefix('att')}",
            json_body=payload,
            params={"expand": "version,container"},
        )
        return parse_attachment(response.json(), self._site)

    async def _put_files(
        self,
        page_id: str,
        files: dict[str, tuple[str, bytes, str]] | list[tuple[str, tuple[str, bytes, str]]],
        comment: str | None,
    ) -> HttpResponse:
        form = {"minorEdit": "true"}
        if comment:
            form["comment"] = comment
        return await self._http.request(
            "PUT",
            f"rest/api/content/{page_id}/child/attachment",
            files=files,
            form=form,
            idempotent=False,
        )

    async def upload_attachment(
        self, page_id: str, filename: str, content: bytes, media_type: str, comment: str | None
    ) -> Attachment:
        """Create or update (new version) an attachment by file name."""
        response = await self._put_files(
            page_id, {"file": (filename, content, media_type)}, comment
        )
        body = response.json()
        results = body.get("results") if isinstance(body, dict) and "results" in body else [body]
        if not isinstance(results, list) or not results or not isinstance(results[0], dict):
            raise MalformedResponseError(
                "upload answered without the attachment", path=response.path
            )
        return parse_attachment(results[0], self._site, page_id)

    async def upload_attachments(
        self, page_id: str, files: list[tuple[str, bytes, str]], comment: str | None
    ) -> list[Attachment]:
        """Several files in one multipart request (each a new attachment or a new version)."""
        response = await self._put_files(page_id, [("file", item) for item in files], comment)
        body = response.json()
        results = body.get("results") if isinstance(body, dict) else None
        if not isinstance(results, list) or len(results) != len(files):
            raise MalformedResponseError(
                "upload answered without every attachment", path=response.path
            )
        return [parse_attachment(r, self._site, page_id) for r in results if isinstance(r, dict)]

    # --- restrictions -------------------------------------------------------------------------
    _RESTRICTION_USER_PARAM = "accountId"  # Data Center names users by userName

    async def get_restrictions(self, page_id: str) -> PageRestrictions:
        """A page's read/update restrictions (users and groups)."""
        body = await self._get_json(
            f"rest/api/content/{page_id}/restriction/byOperation",
            {"expand": "restrictions.user,restrictions.group"},
        )
        return parse_restrictions(body, page_id)

    async def set_user_restriction(
        self, page_id: str, operation: str, user: str, add: bool
    ) -> None:
        """Add a user to (or remove one from) a page's read or update restriction."""
        await self._http.request(
            "PUT" if add else "DELETE",
            f"rest/api/content/{page_id}/restriction/byOperation/{operation}/user",
            params={self._RESTRICTION_USER_PARAM: user},
        )

    # --- templates ----------------------------------------------------------------------------
    async def list_templates(
        self, space_key: str | None, limit: int, cursor: str | None
    ) -> ResultPage[Template]:
        """A space's page templates, or the global ones (``space_key`` None)."""
        params: dict[str, Any] = {"limit": limit}
        if space_key is not None:
            params["spaceKey"] = space_key
        return await self._list("rest/api/template/page", params, cursor, parse_template)

    async def get_template(self, template_id: str) -> Template:
        """One template with its storage body and variable names."""
        return parse_template(await self._get_json(f"rest/api/template/{template_id}"))

    # --- copy ---------------------------------------------------------------------------------
    async def copy_page(self, page_id: str, payload: dict[str, Any]) -> Page:
        """``POST content/{id}/copy``: the new page (v1 has the only copy API)."""
        response = await self._http.request(
            "POST",
            f"rest/api/content/{page_id}/copy",
            json_body=payload,
            params={"expand": "space,version,ancestors"},
            idempotent=False,
        )
        body = response.json()
        if not isinstance(body, dict):
            raise MalformedResponseError("copy answered without the page", path=response.path)
        return parse_page(body, self._site)

    async def start_tree_copy(self, page_id: str, payload: dict[str, Any]) -> str:
        """``POST content/{id}/pagehierarchy/copy``: the long task's id."""
        response = await self._http.request(
            "POST",
            f"rest/api/content/{page_id}/pagehierarchy/copy",
            json_body=payload,
            idempotent=False,
        )
        body = response.json()
        task_id = body.get("id") if isinstance(body, dict) else None
        if not isinstance(task_id, str | int) or isinstance(task_id, bool):
            raise MalformedResponseError("copy answered without a task id", path=response.path)
        return str(task_id)

    async def get_long_task(self, task_id: str) -> LongTask:
        """A long task's status."""
        return parse_long_task(await self._get_json(f"rest/api/longtask/{task_id}"))

    # --- users -------------------------------------------------------------------------------
    async def get_current_user(self) -> User:
        """The user behind the credentials."""
        return parse_user(await self._get_json("rest/api/user/current"))

    async def search_users(self, query: str, limit: int, cursor: str | None) -> ResultPage[User]:
        """Users by full-name match, through CQL user search (query escaped)."""
        cql = str(Cql.contains("user.fullname", query))
        return await self._list(
            _USER_SEARCH,
            {"cql": cql, "limit": limit},
            cursor,
            lambda raw: parse_user(obj(raw, "user") or raw),
            bad_request=InvalidCqlError,
        )

    async def list_user_groups(self, user_id: str) -> list[str]:
        """Names of the groups a user belongs to (first 200)."""
        body = await self._get_json(
            "rest/api/user/memberof", {self._USER_PARAM: user_id, "limit": 200}
        )
        results = body.get("results")
        if not isinstance(results, list):
            raise MalformedResponseError("expected a list of groups", path="rest/api/user/memberof")
        return [str(g["name"]) for g in results if isinstance(g, dict) and g.get("name")]

    async def can_edit(self, content_id: str, user_id: str) -> bool:
        """Whether a user may update a piece of content (Confluence's permission check)."""
        response = await self._http.request(
            "POST",
            f"rest/api/content/{content_id}/permission/check",
            json_body={"subject": {"type": "user", "identifier": user_id}, "operation": "update"},
            idempotent=True,
        )
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("hasPermission"), bool):
            raise MalformedResponseError("expected hasPermission", path=response.path)
        return bool(body["hasPermission"])
