"""Parse Confluence Cloud v2 JSON into the SDK's models."""

from __future__ import annotations

from typing import Any

from confluence_client._models import (
    Attachment,
    Comment,
    ContentBody,
    Page,
    PageVersion,
    Space,
    SpacePermission,
    Task,
)
from confluence_client._parse_common import absolute_link, ident, obj, parse_label, parsed, text

__all__ = [
    "parse_body",
    "parse_version",
    "parse_page",
    "parse_space",
    "parse_comment",
    "parse_inline_comment",
    "parse_space_permission",
    "parse_task",
    "parse_label",
    "parse_attachment",
]


def parse_body(data: dict[str, Any]) -> ContentBody | None:
    """The first representation present in a v2 ``body`` object."""
    body = obj(data, "body")
    for representation in ("storage", "view", "atlas_doc_format", "export_view"):
        entry = obj(body, representation)
        value = entry.get("value")
        if isinstance(value, str):
            return ContentBody(representation=representation, value=value)
    return None


def parse_version(data: dict[str, Any], page_id: str | None = None) -> PageVersion:
    """A v2 ``Version`` (page versions listing items carry ``page.id``)."""
    return parsed(
        lambda: PageVersion(
            number=data["number"],
            message=text(data, "message") or None,
            minor_edit=bool(data.get("minorEdit", False)),
            author_id=text(data, "authorId"),
            created_at=data.get("createdAt"),
            page_id=page_id or text(obj(data, "page"), "id"),
        ),
        "version",
    )


def _version_of(data: dict[str, Any]) -> PageVersion | None:
    version = obj(data, "version")
    return parse_version(version) if "number" in version else None


def parse_page(data: dict[str, Any], site_url: str, space_key: str | None = None) -> Page:
    """A v2 page (any endpoint returning pages: get, list, children, ancestors...)."""
    links = obj(data, "_links")
    return parsed(
        lambda: Page(
            id=ident(data),
            title=data["title"],
            status=text(data, "status") or "current",
            space_id=text(data, "spaceId"),
            space_key=space_key,
            parent_id=text(data, "parentId"),
            author_id=text(data, "authorId"),
            created_at=data.get("createdAt"),
            version=_version_of(data),
            body=parse_body(data),
            web_url=absolute_link(site_url, links, "webui"),
            tiny_url=absolute_link(site_url, links, "tinyui"),
        ),
        "page",
    )


def parse_space(data: dict[str, Any], site_url: str) -> Space:
    """A v2 space."""
    description = obj(obj(data, "description"), "plain").get("value")
    return parsed(
        lambda: Space(
            id=ident(data),
            key=data["key"],
            name=data["name"],
            type=text(data, "type"),
            status=text(data, "status"),
            description=description if isinstance(description, str) else None,
            homepage_id=text(data, "homepageId"),
            web_url=absolute_link(site_url, obj(data, "_links"), "webui"),
        ),
        "space",
    )


def parse_comment(data: dict[str, Any], site_url: str) -> Comment:
    """A v2 footer comment."""
    version = _version_of(data)
    return parsed(
        lambda: Comment(
            id=ident(data),
            page_id=text(data, "pageId"),
            parent_comment_id=text(data, "parentCommentId"),
            author_id=version.author_id if version else None,
            created_at=version.created_at if version else None,
            version=version,
            body=parse_body(data),
            web_url=absolute_link(site_url, obj(data, "_links"), "webui"),
        ),
        "comment",
    )


def parse_inline_comment(data: dict[str, Any], site_url: str) -> Comment:
    """A v2 inline comment: a comment with its anchor text and resolution status."""
    props = obj(data, "properties")
    # The documents spell the keys in camelCase; live responses also use kebab-case.
    selection = text(props, "inlineOriginalSelection") or text(props, "inline-original-selection")
    return parse_comment(data, site_url).model_copy(
        update={
            "location": "inline",
            "resolution_status": text(data, "resolutionStatus"),
            "selection": selection,
        }
    )


def parse_space_permission(data: dict[str, Any]) -> SpacePermission:
    """One v2 space permission grant."""
    principal, operation = obj(data, "principal"), obj(data, "operation")
    return parsed(
        lambda: SpacePermission(
            principal_type=principal["type"],
            principal_id=principal["id"],
            operation=operation["key"],
            target=operation["targetType"],
        ),
        "space permission",
    )


def parse_task(data: dict[str, Any]) -> Task:
    """A v2 task (``body`` in storage when asked for)."""
    return parsed(
        lambda: Task(
            id=ident(data),
            page_id=text(data, "pageId"),
            space_id=text(data, "spaceId"),
            status=data["status"],
            body=text(obj(obj(data, "body"), "storage"), "value"),
            assigned_to=text(data, "assignedTo"),
            created_by=text(data, "createdBy"),
            completed_by=text(data, "completedBy"),
        ),
        "task",
    )


def parse_attachment(data: dict[str, Any], site_url: str) -> Attachment:
    """A v2 attachment."""
    links = obj(data, "_links")
    size = data.get("fileSize")
    download = data.get("downloadLink") or links.get("download")
    return parsed(
        lambda: Attachment(
            id=ident(data),
            title=data["title"],
            media_type=text(data, "mediaType"),
            file_size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            page_id=text(data, "pageId"),
            comment=text(data, "comment") or None,
            version=_version_of(data),
            created_at=data.get("createdAt"),
            download_url=absolute_link(site_url, {"d": download}, "d"),
            web_url=absolute_link(site_url, links, "webui"),
        ),
        "attachment",
    )
