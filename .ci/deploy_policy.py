"""Review rules for the deploy manifests that a schema cannot express (issue 11, item 6).

Each rendered overlay must run the server as >= 2 non-root replicas with probes, resources,
a read-only root, no capabilities, seccomp RuntimeDefault and an emptyDir /tmp, behind a
Service, an HPA, a PDB and a NetworkPolicy, configured from a ConfigMap and a Secret. The
Cloud Run service (a Knative schema kubernetes-validate does not have) is checked here too.

    python .ci/deploy_policy.py deploy/k8s/overlays/dev deploy/k8s/overlays/prod ...
    python .ci/deploy_policy.py --cloudrun deploy/cloudrun/service.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from kustomize_render import render  # a sibling script, not a package

__all__ = ["check_cloudrun", "check_overlay"]

APP = "confluence-mcp"
TMP = "/tmp"  # noqa: S108 - the path checked in manifests, not one this script writes to
_REQUIRED_KINDS = (
    "Deployment",
    "Service",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "ConfigMap",
)


def _get(doc: Any, *path: str) -> Any:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def check_overlay(docs: list[dict[str, Any]]) -> list[str]:
    """Problems in one rendered overlay (empty when it passes review)."""
    kinds = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    problems = [f"missing {kind}/{APP}" for kind in _REQUIRED_KINDS if (kind, APP) not in kinds]
    deployment = kinds.get(("Deployment", APP))
    if deployment is None:
        return problems
    pod = deployment["spec"]["template"]["spec"]
    [container] = [c for c in pod["containers"] if c["name"] == APP]
    security = container.get("securityContext", {})
    checks = {
        "replicas >= 2": deployment["spec"].get("replicas", 1) >= 2,
        "runAsNonRoot": _get(pod, "securityContext", "runAsNonRoot") is True,
        "seccomp RuntimeDefault": _get(pod, "securityContext", "seccompProfile", "type")
        == "RuntimeDefault",
        "readOnlyRootFilesystem": security.get("readOnlyRootFilesystem") is True,
        "allowPrivilegeEscalation false": security.get("allowPrivilegeEscalation") is False,
        "capabilities drop ALL": _get(security, "capabilities", "drop") == ["ALL"],
        "liveness, readiness and startup probes": all(
            probe in container for probe in ("livenessProbe", "readinessProbe", "startupProbe")
        ),
        "cpu/memory requests and a memory limit": bool(
            _get(container, "resources", "requests", "cpu")
            and _get(container, "resources", "requests", "memory")
            and _get(container, "resources", "limits", "memory")
        ),
        f"{TMP} on an emptyDir": any(
            mount["mountPath"] == TMP
            and any(v["name"] == mount["name"] and "emptyDir" in v for v in pod["volumes"])
            for mount in container.get("volumeMounts", [])
        ),
        "ConfigMap and Secret references": {next(iter(ref)) for ref in container.get("envFrom", [])}
        >= {"configMapRef", "secretRef"},
        "no literal secrets in env": not any(
            "TOKEN" in e["name"] or "SECRET" in e["name"] or "PASSWORD" in e["name"]
            for e in container.get("env", [])
            if "value" in e
        ),
    }
    problems += [f"Deployment: {rule}" for rule, ok in checks.items() if not ok]
    hpa = kinds.get(("HorizontalPodAutoscaler", APP))
    if hpa is not None and hpa["spec"]["minReplicas"] < 2:
        problems.append("HPA: minReplicas < 2")
    policy = kinds.get(("NetworkPolicy", APP))
    if policy is not None and set(policy["spec"]["policyTypes"]) != {"Ingress", "Egress"}:
        problems.append("NetworkPolicy: must restrict both ingress and egress")
    return problems


def check_cloudrun(doc: dict[str, Any]) -> list[str]:
    """Problems in the Cloud Run service (empty when it passes review)."""
    template = doc["spec"]["template"]
    annotations = template["metadata"]["annotations"]
    [container] = [c for c in template["spec"]["containers"] if c.get("name", APP) == APP]
    env = {e["name"]: e for e in container.get("env", [])}
    checks = {
        "kind Service of serving.knative.dev/v1": (doc["apiVersion"], doc["kind"])
        == ("serving.knative.dev/v1", "Service"),
        "containerConcurrency set": isinstance(template["spec"].get("containerConcurrency"), int),
        "min and max instances": "autoscaling.knative.dev/minScale" in annotations
        and "autoscaling.knative.dev/maxScale" in annotations,
        "startup and liveness probes": "startupProbe" in container and "livenessProbe" in container,
        "Confluence credentials from Secret Manager": all(
            "secretKeyRef" in env.get(name, {}).get("valueFrom", {})
            for name in ("CONFLUENCE_USERNAME", "CONFLUENCE_API_TOKEN")
        ),
        "stateless HTTP": env.get("STATELESS_HTTP", {}).get("value") == "true",
        "MCP_ENVIRONMENT=prod": env.get("MCP_ENVIRONMENT", {}).get("value") == "prod",
    }
    return [f"Cloud Run: {rule}" for rule, ok in checks.items() if not ok]


def main(argv: list[str]) -> int:
    failed = False
    if argv[:1] == ["--cloudrun"]:
        results = {
            path: check_cloudrun(yaml.safe_load(Path(path).read_text())) for path in argv[1:]
        }
    else:
        results = {path: check_overlay(render(Path(path))) for path in argv}
    for path, problems in results.items():
        print(f"{path}: {'ok' if not problems else 'FAILED'}")
        for problem in problems:
            print(f"  - {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
