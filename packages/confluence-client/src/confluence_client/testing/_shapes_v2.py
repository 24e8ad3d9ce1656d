"""JSON shapes of the v2 API, built from store records."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import quote, quote_plus

from ._errors import FakeBadRequestError
from ._http import Site, iso
from ._records import (
    AttachmentRecord,
    CommentRecord,
    InlineCommentRecord,
    LabelRecord,
    PageRecord,
    SpaceRecord,
    VersionRecord,
)
from ._render import ViewLinks, storage_to_view
from ._store import FakeStore

__all__ = [
    "BODY_FORMATS",
    "check_body_format",
    "page_json",
    "blogpost_json",
    "space_json",
    "comment_json",
    "label_json",
    "attachment_json",
    "version_json",
    "page_version_json",
    "detailed_version_json",
    "body_json",
    "view_links",
    "webui_page",
    "tiny_link",
    "tiny_code",
    "tiny_code_to_id",
    "download_link",
]

BODY_FORMATS = ("storage", "view", "export_view", "anonymous_export_view", "atlas_doc_format")


def check_body_format(raw: str | None) -> str | None:
    """Validate ``body-format``; 400 on an unknown one."""
    if raw is None or raw in ("", "none"):  # "none" is what some clients send for "no body"
        return None
    if raw not in BODY_FORMATS:
        raise FakeBadRequestError(f"Invalid body-format {raw!r}; expected one of {BODY_FORMATS}")
    return raw


def view_links(store: FakeStore, site: Site, page: PageRecord) -> ViewLinks:
    """Resolve users, page titles and attachment names the way ``page``'s view shows them."""

    def user_name(account_id: str) -> str:
        user = store.users.get(account_id)
        return user.display_name if user else account_id

    def page_href(title: str, space_key: str | None) -> str | None:
        space = store.find_space_by_key(space_key) if space_key else store.spaces[page.space_id]
        found = store.list_pages(space_id=space.id, title=title) if space else []
        return site.prefix + webui_page(space.key, found[0]) if space and found else None

    def attachment_src(filename: str) -> str | None:
        for att in store.attachments.values():
            if att.page_id == page.id and att.title == filename:
                return site.prefix + download_link(att)
        return None

    return ViewLinks(
        user_name=user_name,
        user_href=lambda account_id: f"{site.prefix}/people/{account_id}",
        page_href=page_href,
        attachment_src=attachment_src,
    )


def body_json(
    store: FakeStore, storage: str, fmt: str | None, links: ViewLinks | None = None
) -> dict[str, Any]:
    """``{"<format>": {"representation", "value"}}`` or ``{}`` when no format was asked."""
    if fmt is None:
        return {}
    if fmt == "storage":
        value = storage
    elif fmt.endswith("view"):
        value = storage_to_view(storage, links)
    else:
        # The fake keeps no ADF; an empty document is what a client can parse safely.
        value = '{"type":"doc","version":1,"content":[]}'
    return {fmt: {"representation": fmt, "value": value}}


def tiny_code(content_id: str) -> str:
    """Confluence's tiny-link code: base64 of the id as 8 little-endian bytes, trimmed."""
    raw = base64.b64encode(int(content_id).to_bytes(8, "little")).decode()
    return raw.rstrip("=").rstrip("A").replace("/", "-").replace("+", "_")


def tiny_code_to_id(code: str) -> str | None:
    """The content id a tiny-link code stands for, or None when it is not one."""
    if not 0 < len(code) <= 11:
        return None
    raw = code.replace("-", "/").replace("_", "+")
    raw = (raw + "A" * 11)[:11] + "="
    try:
        value = int.from_bytes(base64.b64decode(raw, validate=True), "little")
    except (binascii.Error, ValueError):
        return None
    return str(value) if value > 0 else None


def tiny_link(content_id: str) -> str:
    """A short ``/x/<code>`` link (relative to the site base)."""
    return "/x/" + tiny_code(content_id)


def webui_page(space_key: str, page: PageRecord) -> str:
    """The page's (or blog post's) web UI path (relative to the site base)."""
    if page.kind == "blogpost":
        day = page.created_at.strftime("%Y/%m/%d")
        return f"/spaces/{space_key}/blog/{day}/{page.id}/{quote_plus(page.title)}"
    if page.kind in ("folder", "whiteboard", "database"):
        return f"/spaces/{space_key}/{page.kind}/{page.id}"  # no title slug for these
    return f"/spaces/{space_key}/pages/{page.id}/{quote_plus(page.title)}"


def download_link(att: AttachmentRecord) -> str:
    """The attachment download path (relative to the site base)."""
    millis = int(att.created_at.timestamp() * 1000)
    return (
        f"/download/attachments/{att.page_id}/{quote(att.title)}"
        f"?version={att.version}&modificationDate={millis}&api=v2"
    )


def version_json(v: VersionRecord) -> dict[str, Any]:
    """A v2 ``Version`` object."""
    return {
        "createdAt": iso(v.created_at),
        "message": v.message,
        "number": v.number,
        "minorEdit": v.minor_edit,
        "authorId": v.author_id,
    }


def page_json(
    store: FakeStore,
    site: Site,
    page: PageRecord,
    body_format: str | None = None,
    version: VersionRecord | None = None,
) -> dict[str, Any]:
    """A v2 page (``version`` picks an older saved version)."""
    v = version or page.current
    space = store.spaces[page.space_id]
    data: dict[str, Any] = {
        "id": page.id,
        "status": page.status if version is None else "historical",
        "title": v.title,
        "spaceId": page.space_id,
        "position": page.position,
        "authorId": page.author_id,
        "ownerId": page.author_id,
        "lastOwnerId": None,
        "createdAt": iso(page.created_at),
        "version": version_json(v),
        "body": body_json(store, v.body, body_format, view_links(store, site, page)),
        "_links": {
            "editui": f"/pages/resumedraft.action?draftId={page.id}",
            "webui": webui_page(space.key, page),
            "tinyui": tiny_link(page.id),
            "base": site.base,
        },
    }
    if v.parent_id is not None:
        data["parentId"] = v.parent_id
        parent = store.pages.get(v.parent_id)
        data["parentType"] = parent.kind if parent is not None else "page"
    return data


def blogpost_json(
    store: FakeStore,
    site: Site,
    post: PageRecord,
    body_format: str | None = None,
    version: VersionRecord | None = None,
) -> dict[str, Any]:
    """A v2 blog post: a page's fields without the tree ones (parent, position, owner)."""
    data = page_json(store, site, post, body_format, version)
    for key in ("position", "ownerId", "lastOwnerId", "parentId", "parentType"):
        data.pop(key, None)
    return data


def space_json(space: SpaceRecord, description_format: str | None = None) -> dict[str, Any]:
    """A v2 space."""
    data: dict[str, Any] = {
        "id": space.id,
        "key": space.key,
        "name": space.name,
        "type": space.type,
        "status": space.status,
        "authorId": space.author_id,
        "createdAt": iso(space.created_at),
        "_links": {"webui": f"/spaces/{space.key}"},
    }
    if space.homepage_id is not None:
        data["homepageId"] = space.homepage_id
    if description_format in ("plain", "view"):
        data["description"] = {
            description_format: {"representation": description_format, "value": space.description}
        }
    return data


def comment_json(
    store: FakeStore,
    site: Site,
    comment: CommentRecord | InlineCommentRecord,
    body_format: str | None = None,
) -> dict[str, Any]:
    """A v2 footer comment (and the fields an inline comment shares with one)."""
    page = store.pages[comment.page_id]
    space = store.spaces[page.space_id]
    data: dict[str, Any] = {
        "id": comment.id,
        "status": comment.status,
        "title": f"Re: {page.title}",
        "pageId": comment.page_id,
        "version": {
            "createdAt": iso(comment.created_at),
            "message": "",
            "number": comment.version,
            "minorEdit": False,
            "authorId": comment.author_id,
        },
        "body": body_json(store, comment.body, body_format, view_links(store, site, page)),
        "_links": {
            "webui": f"{webui_page(space.key, page)}?focusedCommentId={comment.id}"
            f"#comment-{comment.id}"
        },
    }
    if comment.parent_comment_id is not None:
        data["parentCommentId"] = comment.parent_comment_id
    return data


def label_json(label: LabelRecord) -> dict[str, Any]:
    """A v2 label."""
    return {"id": label.id, "name": label.name, "prefix": label.prefix}


def attachment_json(store: FakeStore, att: AttachmentRecord) -> dict[str, Any]:
    """A v2 attachment."""
    page = store.pages[att.page_id]
    space = store.spaces[page.space_id]
    webui = f"/pages/viewpageattachments.action?pageId={att.page_id}&preview={quote(att.title)}"
    return {
        "id": "att" + att.id,
        "status": att.status,
        "title": att.title,
        "createdAt": iso(att.created_at),
        "pageId": att.page_id,
        "mediaType": att.media_type,
        "mediaTypeDescription": att.media_type.split("/")[-1].upper() + " File",
        "comment": att.comment,
        "fileId": att.file_id,
        "fileSize": len(att.data),
        "webuiLink": webui,
        "downloadLink": download_link(att),
        "version": {
            "createdAt": iso(att.created_at),
            "message": att.comment,
            "number": att.version,
            "minorEdit": False,
            "authorId": att.author_id,
        },
        "_links": {"webui": webui, "download": download_link(att), "space": space.key},
    }


def page_version_json(page: PageRecord, v: VersionRecord) -> dict[str, Any]:
    """An item of ``/pages/{id}/versions``."""
    return {**version_json(v), "page": {"id": page.id, "title": v.title}}


def detailed_version_json(page: PageRecord, v: VersionRecord) -> dict[str, Any]:
    """``/pages/{id}/versions/{n}``."""
    data: dict[str, Any] = {
        "number": v.number,
        "authorId": v.author_id,
        "message": v.message,
        "createdAt": iso(v.created_at),
        "minorEdit": v.minor_edit,
        "contentTypeModified": False,
        "collaborators": sorted({x.author_id for x in page.versions[: v.number]}),
    }
    if v.number > 1:
        data["prevVersion"] = v.number - 1
    if v.number < page.version:
        data["nextVersion"] = v.number + 1
    return data
