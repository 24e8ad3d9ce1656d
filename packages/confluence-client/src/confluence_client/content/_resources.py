"""Resource identifiers (``ri:page``, ``ri:user``, ...) as short markdown targets.

``page:SPACE/Title#anchor``, ``page:Title``, ``user:<account-id>``, ``attachment:file.pdf``
(``attachment:[SPACE/]Page/file.pdf`` for another page's), ``blog:[SPACE/]Title`` and
``space:KEY`` are used as link targets, image sources and values of macro parameters that hold
a resource (``link:name="page:Title"`` for one wrapped in ``ac:link``, ``ref:name=...`` for a
bare one). Titles and file names escape ``% # / < > & \\`` and line breaks (see ``encode_ref``).
"""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

from confluence_client.content._syntax import DEFAULT_PARAMETER, decode_ref, encode_ref
from confluence_client.content._tree import sub
from confluence_client.content._xml import AC, RI, attr_name

__all__ = [
    "macro_attributes",
    "add_parameters",
    "build_resource",
    "decode_resource",
    "encode_parameter",
    "encode_resource",
]

_LINKED = "link:"
_BARE = "ref:"


def encode_resource(
    resource: etree._Element, anchor: str | None = None
) -> tuple[str, dict[str, str]] | None:
    """The target for a resource element and its remaining ``ri:`` attributes.

    ``None`` when the element has no short form (children, text, or an unknown kind).
    """
    if (resource.text or "").strip():
        return None
    if len(resource):
        return _attachment_of_page(resource) if not anchor else None
    attrs = {attr_name(k, resource): v for k, v in resource.attrib.items()}
    fragment = f"#{encode_ref(anchor)}" if anchor else ""
    tag = resource.tag
    if tag == f"{{{RI}}}page" and "ri:content-title" in attrs:
        title = encode_ref(attrs.pop("ri:content-title"))
        space = attrs.pop("ri:space-key", None)
        target = f"page:{encode_ref(space)}/{title}" if space is not None else f"page:{title}"
        return target + fragment, attrs
    if fragment:
        return None
    if tag == f"{{{RI}}}user":
        return "user:" + attrs.pop("ri:account-id", ""), attrs
    if tag == f"{{{RI}}}attachment" and "ri:filename" in attrs:
        return "attachment:" + encode_ref(attrs.pop("ri:filename")), attrs
    if tag == f"{{{RI}}}space" and "ri:space-key" in attrs:
        return "space:" + encode_ref(attrs.pop("ri:space-key")), attrs
    if tag == f"{{{RI}}}blog-post" and "ri:content-title" in attrs:
        title = encode_ref(attrs.pop("ri:content-title"))
        space = attrs.pop("ri:space-key", None)
        return (
            f"blog:{encode_ref(space)}/{title}" if space is not None else f"blog:{title}"
        ), attrs
    return None


def _attachment_of_page(resource: etree._Element) -> tuple[str, dict[str, str]] | None:
    """``attachment:[SPACE/]Page/file`` for an attachment of another page."""
    page = resource[0]
    if (
        resource.tag != f"{{{RI}}}attachment"
        or len(resource) != 1
        or page.tag != f"{{{RI}}}page"
        or (page.tail or "").strip()
    ):
        return None
    attrs = {attr_name(k, resource): v for k, v in resource.attrib.items()}
    encoded = encode_resource(page)
    if "ri:filename" not in attrs or encoded is None or encoded[1]:
        return None
    filename = encode_ref(attrs.pop("ri:filename"))
    return f"attachment:{encoded[0].removeprefix('page:')}/{filename}", attrs


def decode_resource(target: str) -> tuple[str, dict[str, str], str | None] | None:
    """``(tag, attributes, anchor)`` for a target; ``None`` when it is not one of ours."""
    scheme, colon, rest = target.partition(":")
    if not colon:
        return None
    if scheme == "page":
        path, _, anchor = rest.partition("#")
        space, slash, title = path.rpartition("/")
        attrs = {"ri:content-title": decode_ref(title)}
        if slash:
            attrs = {"ri:space-key": decode_ref(space)} | attrs
        return "ri:page", attrs, decode_ref(anchor) if anchor else None
    if scheme == "user":
        return "ri:user", ({"ri:account-id": rest} if rest else {}), None
    if scheme == "attachment":
        return "ri:attachment", {"ri:filename": decode_ref(rest.rpartition("/")[2])}, None
    if scheme == "space":
        return "ri:space", {"ri:space-key": decode_ref(rest)}, None
    if scheme == "blog":
        space, slash, title = rest.rpartition("/")
        attrs = {"ri:content-title": decode_ref(title)}
        return "ri:blog-post", ({"ri:space-key": decode_ref(space)} if slash else {}) | attrs, None
    return None


def build_resource(parent: etree._Element, target: str, attrs: dict[str, str]) -> bool:
    """Append the resource element for ``target`` (plus extra ``ri:`` attributes).

    Returns False (appending nothing) when the target is not one of ours.
    """
    decoded = decode_resource(target)
    if decoded is None:
        return False
    element = sub(parent, decoded[0], decoded[1] | attrs)
    page_path = target.partition(":")[2].rpartition("/")[0]
    if decoded[0] == "ri:attachment" and page_path:
        page = decode_resource("page:" + page_path)
        if page is not None:
            sub(element, page[0], page[1])
    return True


def encode_parameter(parameter: etree._Element) -> tuple[str, str] | None:
    """``(key, value)`` for an ``ac:parameter``; ``None`` when it has no attribute form."""
    name = parameter.get(f"{{{AC}}}name")
    if name is None or len(parameter.attrib) != 1 or ":" in name or name.startswith("md-"):
        return None
    key = name or DEFAULT_PARAMETER
    if len(parameter) == 0:
        return key, parameter.text or ""
    child = parameter[0]
    if len(parameter) != 1 or (parameter.text or "").strip() or (child.tail or "").strip():
        return None
    prefix = _BARE
    if child.tag == f"{{{AC}}}link":
        if child.attrib or len(child) != 1 or (child.text or "").strip():
            return None
        prefix, child = _LINKED, child[0]
        if (child.tail or "").strip():
            return None
    if not isinstance(child.tag, str) or not child.tag.startswith(f"{{{RI}}}"):
        return None
    encoded = encode_resource(child)
    if encoded is None or encoded[1]:
        return None
    return prefix + key, encoded[0]


def macro_attributes(name: str, attrs: dict[str, str]) -> dict[str, str]:
    """Attributes of an ``ac:structured-macro``: its name, schema version 1 unless the
    ``md-schema=none`` hint says the original had none, and any ``ac:`` keys."""
    base = {"ac:name": name}
    if attrs.get("md-schema") != "none":
        base["ac:schema-version"] = "1"
    return base | {k: v for k, v in attrs.items() if k.startswith("ac:")}


def add_parameters(macro: etree._Element, attrs: dict[str, str]) -> None:
    """Append ``ac:parameter`` elements for every parameter key of a macro's attributes.

    Keys with an ``ac:`` prefix are the macro's own attributes and ``md-`` keys are hints;
    neither is a parameter.
    """
    for key, value in attrs.items():
        prefix = next((p for p in (_LINKED, _BARE) if key.startswith(p)), None)
        if prefix is None and (":" in key or key.startswith("md-")):
            continue
        name = key[len(prefix) :] if prefix else key
        param = sub(macro, "ac:parameter", {"ac:name": "" if name == DEFAULT_PARAMETER else name})
        resource = decode_resource(value) if prefix else None
        if resource is None:
            param.text = value
            continue
        holder = sub(param, "ac:link") if prefix == _LINKED else param
        build_resource(holder, value, {})
