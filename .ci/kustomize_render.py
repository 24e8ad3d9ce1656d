"""Render a kustomization (kustomize is not installed here) for schema validation.

Supports exactly what deploy/k8s uses, and refuses anything else rather than render it
wrongly: `resources` (files and directories), `components`, `namespace`, `images`
(newName/newTag), and `patches` given by `path` -- a strategic-merge document (matched by
kind and name; lists of named items such as containers, env, volumes merge by `name`, other
lists are replaced) or, with a `target`, a JSON patch (`add`/`replace`/`remove`).

    python .ci/kustomize_render.py deploy/k8s/overlays/prod > prod.yaml
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import yaml

__all__ = ["render"]

_KNOWN = {"apiVersion", "kind", "resources", "components", "namespace", "images", "patches"}
Doc = dict[str, Any]


def _load_all(path: Path) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _kustomization(folder: Path) -> Doc:
    spec: Doc = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = set(spec) - _KNOWN
    if unknown:
        raise SystemExit(f"{folder}: unsupported kustomization fields {sorted(unknown)}")
    return spec


def _merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    named = isinstance(base, list) and isinstance(patch, list)
    if named and all(isinstance(item, dict) and "name" in item for item in base + patch):
        result = [copy.deepcopy(item) for item in base]
        for item in patch:
            index = next((i for i, old in enumerate(result) if old["name"] == item["name"]), None)
            if index is None:
                result.append(copy.deepcopy(item))
            else:
                result[index] = _merge(result[index], item)
        return result
    return copy.deepcopy(patch)


def _json_patch(doc: Doc, operations: list[Doc]) -> None:
    for op in operations:
        *parents, last = [part for part in op["path"].split("/") if part]
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if op["op"] == "add" and isinstance(node, list):
            node.insert(len(node) if last == "-" else int(last), copy.deepcopy(op["value"]))
        elif op["op"] in ("add", "replace"):
            node[int(last) if isinstance(node, list) else last] = copy.deepcopy(op["value"])
        elif op["op"] == "remove":
            del node[int(last) if isinstance(node, list) else last]
        else:
            raise SystemExit(f"unsupported JSON patch operation {op['op']!r}")


def _find(docs: list[Doc], kind: str, name: str) -> Doc:
    for doc in docs:
        if doc["kind"] == kind and doc["metadata"]["name"] == name:
            return doc
    raise SystemExit(f"patch target {kind}/{name} not found")


def _apply(folder: Path, spec: Doc, docs: list[Doc]) -> list[Doc]:
    for entry in spec.get("patches", []):
        patch_docs = _load_all(folder / entry["path"])
        if "target" in entry:
            target = entry["target"]
            _json_patch(_find(docs, target["kind"], target["name"]), patch_docs[0])
            continue
        for patch in patch_docs:
            doc = _find(docs, patch["kind"], patch["metadata"]["name"])
            docs[docs.index(doc)] = _merge(doc, patch)
    for image in spec.get("images", []):
        for doc in docs:
            pod = doc.get("spec", {}).get("template", {}).get("spec", {})
            for container in pod.get("containers", []):
                name, _, tag = container["image"].partition(":")
                if name == image["name"]:
                    container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"
    if "namespace" in spec:
        for doc in docs:
            doc["metadata"]["namespace"] = spec["namespace"]
    return docs


def render(folder: Path) -> list[Doc]:
    """The documents a kustomization (or component) at `folder` produces."""
    spec = _kustomization(folder)
    docs: list[Doc] = []
    for resource in spec.get("resources", []):
        path = folder / resource
        docs += render(path) if path.is_dir() else _load_all(path)
    for component in spec.get("components", []):
        component_dir = folder / component
        component_spec = _kustomization(component_dir)
        for resource in component_spec.get("resources", []):
            docs += _load_all(component_dir / resource)
        docs = _apply(component_dir, {"patches": component_spec.get("patches", [])}, docs)
    return _apply(folder, spec, docs)


if __name__ == "__main__":
    yaml.safe_dump_all(render(Path(sys.argv[1])), sys.stdout, sort_keys=False)
