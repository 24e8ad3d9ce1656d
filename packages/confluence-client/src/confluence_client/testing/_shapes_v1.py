"""JSON shapes of the v1 / Data Center API (``expand``-driven), built from store records."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

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
from ._shapes_v2 import download_link, tiny_link, view_links, webui_page
from ._store import FakeStore

__all__ = [
    "parse_expand",
    "user_json",
    "space_json",
    "page_json",
    "comment_json",
    "attachment_json",
    "label_json",
    "version_json",
    "content_json",
]

Content = PageRecord | CommentRecord | AttachmentRecord


def parse_expand(raw: str | None, strip: str = "") -> set[str]:
    """``expand=a,b.c`` as a set including every prefix (``b`` and ``b.c``)."""
    out: set[str] = set()
    for item in (raw or "").split(","):
        item = item.strip()
        if strip and item.startswith(strip):
            item = item[len(strip) :]
        parts = item.split(".")
        out.update(".".join(parts[: i + 1]) for i in range(len(parts)) if parts[0])
    return out


def user_json(store: FakeStore, site: Site, account_id: str) -> dict[str, Any]:
    """A v1 user; Data Center users carry username / userKey, Cloud users an accountId."""
    user = store.users.get(account_id)
    name = user.display_name if user else "Unknown user"
    data: dict[str, Any] = {
        "type": "known" if user else "unknown",
        "displayName": name,
        "publicName": name,
        "profilePicture": {
            "path": "/wiki/aa-avatar/default.png",
            "width": 48,
            "height": 48,
            "isDefault": True,
        },
        "_expandable": {"operations": "", "personalSpace": ""},
        "_links": {"self": f"{site.base}/rest/api/user?accountId={account_id}"},
    }
    if site.kind == "dc" and user is not None:
        data.update(username=user.username, userKey=user.user_key)
    else:
        data.update(accountId=account_id, accountType="atlassian", email=user.email if user else "")
    return data


def space_json(
    store: FakeStore, site: Site, space: SpaceRecord, expand: set[str] | None = None
) -> dict[str, Any]:
    """A v1 space."""
    expand = expand or set()
    data: dict[str, Any] = {
        "id": int(space.id),
        "key": space.key,
        "name": space.name,
        "type": space.type,
        "status": space.status,
        "_expandable": {
            "settings": f"/rest/api/space/{space.key}/settings",
            "metadata": "",
            "operations": "",
            "lookAndFeel": f"/rest/api/settings/lookandfeel?spaceKey={space.key}",
            "permissions": "",
            "icon": "",
            "description": "",
            "theme": f"/rest/api/space/{space.key}/theme",
            "history": "",
            "homepage": f"/rest/api/content/{space.homepage_id}",
        },
        "_links": {
            "webui": f"/spaces/{space.key}",
            "self": f"{site.base}/rest/api/space/{space.key}",
        },
    }
    if "description" in expand:
        data["description"] = {
            "plain": {"value": space.description, "representation": "plain", "embeddedContent": []}
        }
    if "homepage" in expand and space.homepage_id in store.pages:
        data["homepage"] = page_json(store, site, store.pages[space.homepage_id], set())
    return data


def version_json(
    store: FakeStore, site: Site, number: int, author: str, when: Any, message: str, minor: bool
) -> dict[str, Any]:
    """A v1 version object."""
    return {
        "by": user_json(store, site, author),
        "when": iso(when),
        "friendlyWhen": when.strftime("%b %d, %Y"),
        "message": message,
        "number": number,
        "minorEdit": minor,
        "_expandable": {"collaborators": "", "content": ""},
    }


def _body(store: FakeStore, storage: str, expand: set[str], links: ViewLinks) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if "body.storage" in expand:
        body["storage"] = {"value": storage, "representation": "storage", "embeddedContent": []}
    if "body.view" in expand:
        view = storage_to_view(storage, links)
        body["view"] = {"value": view, "representation": "view"}
    return body


def _links(site: Site, content_id: str, webui: str) -> dict[str, str]:
    return {
        "webui": webui,
        "edit": f"/pages/resumedraft.action?draftId={content_id}",
        "tinyui": tiny_link(content_id.removeprefix("att")),
        "self": f"{site.base}/rest/api/content/{content_id}",
    }


def page_json(
    store: FakeStore,
    site: Site,
    page: PageRecord,
    expand: set[str],
    version: VersionRecord | None = None,
) -> dict[str, Any]:
    """A v1 page; ``expand`` selects space, version, history, ancestors, body.*."""
    v = version or page.current
    space = store.spaces[page.space_id]
    webui = (
        f"/pages/viewpage.action?pageId={page.id}"
        if site.kind == "dc"
        else webui_page(space.key, page)
    )
    data: dict[str, Any] = {
        "id": page.id,
        "type": page.kind,
        "status": page.status if version is None else "historical",
        "title": v.title,
        "extensions": {"position": page.position},
        "_expandable": {
            k: ""
            for k in (
                *("container", "metadata", "operations", "children", "restrictions"),
                *("history", "ancestors", "body", "version", "descendants", "space"),
            )
            if k not in expand
        },
        "_links": _links(site, page.id, webui),
    }
    if "space" in expand:
        data["space"] = space_json(store, site, space)
    if "version" in expand:
        data["version"] = version_json(
            store, site, v.number, v.author_id, v.created_at, v.message, v.minor_edit
        )
    if "history" in expand:
        data["history"] = {
            "latest": version is None,
            "createdBy": user_json(store, site, page.author_id),
            "createdDate": iso(page.created_at),
        }
    if "ancestors" in expand:
        data["ancestors"] = [page_json(store, site, a, set()) for a in store.ancestors(page.id)]
    if "container" in expand:
        data["container"] = space_json(store, site, space)
    if "metadata.labels" in expand:
        labels = [label_json(lb) for lb in page.labels]
        data["metadata"] = {
            "labels": {"results": labels, "start": 0, "limit": 200, "size": len(labels)}
        }
    body = _body(store, v.body, expand, view_links(store, site, page))
    if body:
        data["body"] = body
    return data


def comment_json(
    store: FakeStore, site: Site, comment: CommentRecord | InlineCommentRecord, expand: set[str]
) -> dict[str, Any]:
    """A v1 comment (``container`` is its page; ``ancestors`` its parent comment)."""
    page = store.pages[comment.page_id]
    space = store.spaces[page.space_id]
    webui = f"{webui_page(space.key, page)}?focusedCommentId={comment.id}#comment-{comment.id}"
    data: dict[str, Any] = {
        "id": comment.id,
        "type": "comment",
        "status": comment.status,
        "title": f"Re: {page.title}",
        "extensions": _comment_extensions(comment),
        "_expandable": {"children": "", "restrictions": "", "history": "", "version": ""},
        "_links": _links(site, comment.id, webui),
    }
    if "container" in expand:
        data["container"] = page_json(store, site, page, set())
    if "version" in expand:
        data["version"] = version_json(
            store, site, comment.version, comment.author_id, comment.created_at, "", False
        )
    if "ancestors" in expand:
        parent = comment.parent_comment_id
        data["ancestors"] = [{"id": parent, "type": "comment"}] if parent else []
    if "space" in expand:
        data["space"] = space_json(store, site, space)
    body = _body(store, comment.body, expand, view_links(store, site, page))
    if body:
        data["body"] = body
    return data


def _comment_extensions(comment: CommentRecord | InlineCommentRecord) -> dict[str, Any]:
    if not isinstance(comment, InlineCommentRecord):
        return {"location": "footer"}
    resolution: dict[str, Any] = {"status": comment.resolution}
    if comment.resolution_at is not None:
        resolution["lastModifiedDate"] = iso(comment.resolution_at)
    return {
        "location": "inline",
        "inlineProperties": {
            "originalSelection": comment.selection,
            "markerRef": comment.marker_ref,
        },
        "resolution": resolution,
    }


def attachment_json(
    store: FakeStore, site: Site, att: AttachmentRecord, expand: set[str]
) -> dict[str, Any]:
    """A v1 attachment."""
    page = store.pages[att.page_id]
    webui = f"/pages/viewpageattachments.action?pageId={att.page_id}&preview={quote(att.title)}"
    links = _links(site, "att" + att.id, webui)
    links["download"] = download_link(att)
    data: dict[str, Any] = {
        "id": "att" + att.id,
        "type": "attachment",
        "status": att.status,
        "title": att.title,
        "metadata": {"mediaType": att.media_type, "comment": att.comment},
        "extensions": {
            "mediaType": att.media_type,
            "fileSize": len(att.data),
            "comment": att.comment,
            "fileId": att.file_id,
        },
        "_expandable": {"container": "", "version": "", "space": ""},
        "_links": links,
    }
    if "version" in expand:
        data["version"] = version_json(
            store, site, att.version, att.author_id, att.created_at, att.comment, False
        )
    if "container" in expand:
        data["container"] = page_json(store, site, page, set())
    if "space" in expand:
        data["space"] = space_json(store, site, store.spaces[page.space_id])
    return data


def label_json(label: LabelRecord) -> dict[str, Any]:
    """A v1 label."""
    return {"prefix": label.prefix, "name": label.name, "id": label.id, "label": label.name}


def content_json(store: FakeStore, site: Site, item: Content, expand: set[str]) -> dict[str, Any]:
    """Any content record as v1 JSON."""
    if isinstance(item, PageRecord):
        return page_json(store, site, item, expand)
    if isinstance(item, CommentRecord):
        return comment_json(store, site, item, expand)
    return attachment_json(store, site, item, expand)
