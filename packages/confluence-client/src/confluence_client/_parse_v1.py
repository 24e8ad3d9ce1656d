"""Parse v1 JSON (Cloud ``/wiki/rest/api`` and Data Center ``/rest/api``) into the models."""

from __future__ import annotations

from typing import Any

from confluence_client._errors import MalformedResponseError
from confluence_client._models import (
    Attachment,
    Comment,
    ContentBody,
    LongTask,
    Page,
    PageRestrictions,
    PageVersion,
    SearchResult,
    Space,
    Template,
    User,
)
from confluence_client._parse_common import absolute_link, ident, obj, parse_label, parsed, text
from confluence_client._templates import template_variables

__all__ = [
    "parse_long_task",
    "parse_restrictions",
    "parse_template",
    "user_id",
    "parse_user",
    "parse_version",
    "parse_page",
    "parse_ancestors",
    "parse_space",
    "parse_comment",
    "parse_label",
    "parse_attachment",
    "parse_search_result",
]


def user_id(data: dict[str, Any]) -> str | None:
    """The stable id of a v1 user object (account id on Cloud, user key on Data Center)."""
    return text(data, "accountId") or text(data, "userKey") or text(data, "username")


def parse_user(data: dict[str, Any]) -> User:
    """A v1 user (``/user/current``, ``/search/user`` results' ``user``)."""
    return parsed(
        lambda: User(
            display_name=text(data, "displayName")
            or text(data, "publicName")
            or text(data, "username")
            or "",
            account_id=text(data, "accountId"),
            user_key=text(data, "userKey"),
            username=text(data, "username"),
            email=text(data, "email") or None,
            account_type=text(data, "accountType") or text(data, "type"),
        ),
        "user",
    )


def parse_version(data: dict[str, Any], page_id: str | None = None) -> PageVersion:
    """A v1 ``version`` object (``by`` + ``when``)."""
    return parsed(
        lambda: PageVersion(
            number=data["number"],
            message=text(data, "message") or None,
            minor_edit=bool(data.get("minorEdit", False)),
            author_id=user_id(obj(data, "by")),
            created_at=data.get("when"),
            page_id=page_id or text(obj(data, "content"), "id"),
        ),
        "version",
    )


def _version_of(data: dict[str, Any]) -> PageVersion | None:
    version = obj(data, "version")
    return parse_version(version) if "number" in version else None


def _body(data: dict[str, Any]) -> ContentBody | None:
    body = obj(data, "body")
    for representation in ("storage", "view", "export_view", "atlas_doc_format"):
        value = obj(body, representation).get("value")
        if isinstance(value, str):
            return ContentBody(representation=representation, value=value)
    return None


def _last_ancestor(data: dict[str, Any], kind: str | None = None) -> str | None:
    ancestors = data.get("ancestors")
    if not isinstance(ancestors, list):
        return None
    candidates = [
        a for a in ancestors if isinstance(a, dict) and (kind is None or a.get("type") == kind)
    ]
    return text(candidates[-1], "id") if candidates else None


def parse_page(data: dict[str, Any], site_url: str) -> Page:
    """A v1 content object of type page (expand ``version,space,ancestors`` for all fields)."""
    links = obj(data, "_links")
    history = obj(data, "history")
    space = obj(data, "space")
    return parsed(
        lambda: Page(
            id=ident(data),
            title=data["title"],
            status=text(data, "status") or "current",
            space_id=text(space, "id"),
            space_key=text(space, "key"),
            parent_id=_last_ancestor(data, "page"),
            author_id=user_id(obj(history, "createdBy")),
            created_at=history.get("createdDate"),
            version=_version_of(data),
            body=_body(data),
            web_url=absolute_link(site_url, links, "webui"),
            tiny_url=absolute_link(site_url, links, "tinyui"),
            content_type=text(data, "type") or "page",
        ),
        "page",
    )


def parse_long_task(data: dict[str, Any]) -> LongTask:
    """A v1 long task status (``rest/api/longtask/{id}``)."""
    messages = data.get("errors") or data.get("messages") or []
    last = messages[-1] if isinstance(messages, list) and messages else {}
    details = obj(data, "additionalDetails")
    percentage = data.get("percentageComplete")
    return parsed(
        lambda: LongTask(
            id=ident(data),
            percentage=percentage if isinstance(percentage, int) else 0,
            finished=data.get("finished") is True,
            successful=data.get("successful") is True,
            message=text(last, "translation") if isinstance(last, dict) else None,
            destination_id=text(details, "destinationId"),
        ),
        "long task",
    )


def parse_restrictions(data: dict[str, Any], page_id: str) -> PageRestrictions:
    """``restriction/byOperation`` (expand ``restrictions.user,restrictions.group``)."""

    def users(op: str) -> tuple[User, ...]:
        found = obj(obj(obj(data, op), "restrictions"), "user").get("results")
        return tuple(parse_user(u) for u in found or [] if isinstance(u, dict))

    def groups(op: str) -> tuple[str, ...]:
        found = obj(obj(obj(data, op), "restrictions"), "group").get("results")
        return tuple(str(g.get("name")) for g in found or [] if isinstance(g, dict))

    return parsed(
        lambda: PageRestrictions(
            page_id=page_id,
            read_users=users("read"),
            read_groups=groups("read"),
            update_users=users("update"),
            update_groups=groups("update"),
        ),
        "restrictions",
    )


def parse_template(data: dict[str, Any]) -> Template:
    """A v1 ContentTemplate (``body.storage`` when read by id)."""
    body = text(obj(obj(data, "body"), "storage"), "value")
    return parsed(
        lambda: Template(
            id=ident(data, "templateId"),
            name=data["name"],
            description=text(data, "description") or None,
            space_key=text(obj(data, "space"), "key"),
            body=body,
            variables=tuple(template_variables(body)) if body else (),
        ),
        "template",
    )


def parse_ancestors(data: dict[str, Any], site_url: str) -> list[Page]:
    """The page ancestors of a content object (``expand=ancestors``), root first; each
    ancestor's ``parent_id`` is the one before it."""
    ancestors = data.get("ancestors")
    if not isinstance(ancestors, list):
        raise MalformedResponseError("expected 'ancestors' in the content")
    pages: list[Page] = []
    for raw in ancestors:
        if isinstance(raw, dict) and raw.get("type", "page") == "page":
            page = parse_page(raw, site_url)
            if page.parent_id is None and pages:
                page = page.model_copy(update={"parent_id": pages[-1].id})
            pages.append(page)
    return pages


def parse_space(data: dict[str, Any], site_url: str) -> Space:
    """A v1 space (expand ``description.plain,homepage``)."""
    description = obj(obj(data, "description"), "plain").get("value")
    return parsed(
        lambda: Space(
            id=ident(data),
            key=data["key"],
            name=data["name"],
            type=text(data, "type"),
            status=text(data, "status"),
            description=description if isinstance(description, str) else None,
            homepage_id=text(obj(data, "homepage"), "id"),
            web_url=absolute_link(site_url, obj(data, "_links"), "webui"),
        ),
        "space",
    )


def parse_comment(data: dict[str, Any], site_url: str, page_id: str | None = None) -> Comment:
    """A v1 comment (expand ``container,ancestors,version,body.storage,history``)."""
    version = _version_of(data)
    extensions = obj(data, "extensions")
    history = obj(data, "history")
    return parsed(
        lambda: Comment(
            id=ident(data),
            page_id=text(obj(data, "container"), "id") or page_id,
            parent_comment_id=_last_ancestor(data, "comment"),
            author_id=user_id(obj(history, "createdBy"))
            or (version.author_id if version else None),
            created_at=history.get("createdDate") or (version.created_at if version else None),
            version=version,
            body=_body(data),
            web_url=absolute_link(site_url, obj(data, "_links"), "webui"),
            location=text(extensions, "location") or "footer",
            resolution_status=text(obj(extensions, "resolution"), "status"),
            selection=text(obj(extensions, "inlineProperties"), "originalSelection"),
        ),
        "comment",
    )


def parse_attachment(data: dict[str, Any], site_url: str, page_id: str | None = None) -> Attachment:
    """A v1 attachment (``extensions`` carry media type, size and comment)."""
    links = obj(data, "_links")
    extensions = obj(data, "extensions")
    metadata = obj(data, "metadata")
    size = extensions.get("fileSize")
    return parsed(
        lambda: Attachment(
            id=ident(data),
            title=data["title"],
            media_type=text(extensions, "mediaType") or text(metadata, "mediaType"),
            file_size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            page_id=text(obj(data, "container"), "id") or page_id,
            comment=text(extensions, "comment") or text(metadata, "comment") or None,
            version=_version_of(data),
            created_at=obj(data, "history").get("createdDate"),
            download_url=absolute_link(site_url, links, "download"),
            web_url=absolute_link(site_url, links, "webui"),
        ),
        "attachment",
    )


def parse_search_result(data: dict[str, Any], site_url: str) -> SearchResult:
    """A v1 search result (``expand=content.space`` fills the space key)."""
    content = obj(data, "content")
    container = obj(data, "resultGlobalContainer")
    space_key = text(obj(content, "space"), "key")
    if space_key is None:
        display = text(container, "displayUrl") or ""
        if display.startswith(("/spaces/", "/display/")):
            space_key = display.strip("/").split("/")[1] or None
    return parsed(
        lambda: SearchResult(
            title=text(data, "title") or text(content, "title") or "",
            content_id=text(content, "id"),
            content_type=text(content, "type") or text(data, "entityType"),
            excerpt=text(data, "excerpt") or None,
            space_key=space_key,
            space_name=text(container, "title"),
            last_modified=data.get("lastModified") or None,
            web_url=absolute_link(site_url, data, "url"),
        ),
        "search result",
    )
