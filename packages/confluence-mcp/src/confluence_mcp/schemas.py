"""Compact JSON schemas for ``tools/list``: same meaning, fewer bytes.

Every tool's input and output schema is sent to the model on every ``tools/list``, so bytes
matter (our goal: ≤ 600 bytes per tool on average; the most used alternative spends ~1.2 KB).
Pydantic's schemas spell an optional field as ``{"anyOf": [X, {"type": "null"}],
"default": null}``; here:

- inputs: an optional parameter is simply not ``required``; its ``null`` branch and its
  default are dropped (clients omit it; the server validates and applies defaults with the
  full model);
- outputs: result models never emit ``null`` (see :mod:`confluence_mcp.models`), so fields
  are typed without ``null``. The schema names every field and its type but lists none as
  ``required`` (hosts rarely show output schemas to the model; the ~40 bytes per object are
  better spent elsewhere); docstrings (``description``), ``title`` and ``default`` are not sent.

Local ``$defs`` are inlined here, once, at registration: clients get self-contained schemas
either way (FastMCP would inline them on every ``tools/list``), but this way FastMCP's
dereferencer, and the jsonref and requests packages it loads, stay out of start-up.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

__all__ = ["compact_input_schema", "inline_local_refs", "output_schema_for"]

_NULL = {"type": "null"}
_LOCAL_REF = "#/$defs/"


class _NotInlinable(Exception):
    """A reference that cannot be inlined (recursive, or to a missing definition)."""


def inline_local_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with each ``{"$ref": "#/$defs/X", ...}`` replaced by definition ``X`` (its
    sibling keywords kept, as FastMCP does) and ``$defs`` dropped; returned unchanged when a
    definition is recursive or missing (FastMCP then does what it does with such schemas)."""
    definitions = schema.get("$defs")
    if not isinstance(definitions, dict):
        return schema

    def resolve(node: Any, open_refs: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [resolve(item, open_refs) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_LOCAL_REF):
            name = ref.removeprefix(_LOCAL_REF)
            if name in open_refs or name not in definitions:
                raise _NotInlinable(name)
            target = resolve(definitions[name], open_refs | {name})
            siblings = {k: resolve(v, open_refs) for k, v in node.items() if k != "$ref"}
            return {**target, **siblings}
        return {key: resolve(value, open_refs) for key, value in node.items() if key != "$defs"}

    try:
        inlined: dict[str, Any] = resolve(schema, frozenset())
    except _NotInlinable:
        return schema
    return inlined


def _strip_null(node: Any) -> Any:
    """Recursively replace ``anyOf: [X, null]`` by ``X`` and drop ``default: null``."""
    if isinstance(node, list):
        return [_strip_null(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strip_null(value) for key, value in node.items()}
    any_of = out.get("anyOf")
    if isinstance(any_of, list) and _NULL in any_of:
        rest = [branch for branch in any_of if branch != _NULL]
        if len(rest) == 1 and isinstance(rest[0], dict):
            del out["anyOf"]
            out = {**rest[0], **out}
        else:
            out["anyOf"] = rest
    if "default" in out and out["default"] is None:
        del out["default"]
    return out


def _drop_defaults(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {key: value for key, value in sub.items() if key != "default"}
        if isinstance(sub, dict)
        else sub
        for name, sub in properties.items()
    }


def compact_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The tool's input schema without ``null`` branches and parameter defaults.

    A default only says what happens when the model leaves a parameter out, which it may
    always do for a parameter that is not ``required``; the server applies it either way.
    """
    result: dict[str, Any] = _strip_null(schema)
    if isinstance(result.get("properties"), dict):
        result["properties"] = _drop_defaults(result["properties"])
    return result


def _drop_annotations(node: Any) -> Any:
    """Remove ``title``/``description``/``default``/``required`` keywords (not properties
    that happen to be so named): see the module docstring."""
    if isinstance(node, list):
        return [_drop_annotations(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "description", "default", "required"):
            continue
        if key == "additionalProperties" and value is True:
            continue  # the JSON Schema default
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _drop_annotations(sub) for name, sub in value.items()}
        else:
            out[key] = _drop_annotations(value)
    return out


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
    return {key: _inline_refs(value, defs) for key, value in node.items() if key != "$defs"}


def output_schema_for(model: type[BaseModel]) -> dict[str, Any]:
    """A compact output schema for a result model whose dumps omit ``None`` fields.

    Nested models are inlined (result models are not recursive).
    """
    raw = model.model_json_schema(mode="validation")
    inlined = _inline_refs(raw, raw.get("$defs", {}))
    result: dict[str, Any] = _drop_annotations(_strip_null(inlined))
    return result
