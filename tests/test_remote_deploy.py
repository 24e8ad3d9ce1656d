"""The deployment files say what the service needs: non-root, read-only, probed on paths the
app really serves, and no secret written inline.

YAML is read with PyYAML, which FastMCP already depends on (nothing new is installed).
"""

from __future__ import annotations

import ipaddress
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from confluence_client.testing import FakeConfluenceServer
from confluence_mcp.app import create_server
from confluence_mcp.http.app import create_http_app
from confluence_mcp.http.layer import build_http_layer
from confluence_mcp.remote.settings import RemoteSettings, load_remote_settings
from confluence_mcp.settings import Settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD)$")


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def containers(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = manifest["spec"]["template"]["spec"]["containers"]
    return found


def probe_paths(container: dict[str, Any]) -> dict[str, str]:
    return {
        name: container[name]["httpGet"]["path"]
        for name in ("livenessProbe", "readinessProbe", "startupProbe")
        if name in container
    }


def known_settings() -> set[str]:
    return {name.upper() for name in (*Settings.model_fields, *RemoteSettings.model_fields)} - {
        "CORE"
    }


def assert_no_inline_secret(env: list[dict[str, Any]]) -> None:
    for variable in env:
        if SECRET_NAME.search(variable["name"]):
            assert "value" not in variable, variable["name"]
            assert "secretKeyRef" in variable["valueFrom"], variable["name"]


@pytest.fixture
def served_status(fake_confluence: FakeConfluenceServer) -> Any:
    """GET a path on the real app (in process) and return the status code."""
    settings = load_remote_settings(
        {
            "confluence_url": fake_confluence.wiki_url,
            "confluence_username": fake_confluence.credentials.username,
            "confluence_api_token": fake_confluence.credentials.api_token,
            "confluence_deployment": "cloud",
            "transport": "http",
            "mcp_audit_log": "off",
        },
        env_file=None,
    )
    mcp = create_server(settings.core)
    layer = build_http_layer(mcp, settings)
    app = create_http_app(mcp, settings.core, routes=layer.routes, middleware=layer.middleware)

    async def status(path: str) -> int:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            return (await http.get(path)).status_code

    return status


def dockerfile_stages() -> list[list[str]]:
    stages: list[list[str]] = []
    logical = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ").splitlines()
    for line in logical:
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(text)
    return stages


async def test_dockerfile_multi_stage_non_root_with_a_real_healthcheck(served_status: Any) -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2
    runtime = stages[-1]
    users = [line.split()[1] for line in runtime if line.upper().startswith("USER ")]
    assert users
    assert users[-1].split(":")[0] not in ("0", "root")
    assert not any("uv build" in line for line in runtime)  # build tools stay in the build stage
    assert any("uv build --all-packages" in line for line in stages[0])
    [healthcheck] = [line for line in runtime if line.upper().startswith("HEALTHCHECK ")]
    path = re.search(r"/healthz\b", healthcheck)
    assert path is not None
    assert await served_status(path.group(0)) == 200
    [entrypoint] = [line for line in runtime if line.upper().startswith("ENTRYPOINT ")]
    assert "confluence-mcp" in entrypoint
    assert all(
        not SECRET_NAME.search(shlex.split(line)[1].split("=")[0])
        for line in runtime
        if line.upper().startswith("ENV ")
    )


async def test_kubernetes_deployment(served_status: Any) -> None:
    [deployment] = documents(DEPLOY / "k8s" / "base" / "deployment.yaml")
    assert deployment["kind"] == "Deployment"
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    [container] = containers(deployment)
    security = container["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    paths = probe_paths(container)
    assert paths["livenessProbe"] == "/healthz"
    assert paths["readinessProbe"] == "/readyz"
    for path in set(paths.values()):
        assert await served_status(path) == 200
    # Settings come from the ConfigMap, credentials from the Secret (envFrom).
    refs = {next(iter(ref)): next(iter(ref.values()))["name"] for ref in container["envFrom"]}
    assert refs == {"configMapRef": "confluence-mcp", "secretRef": "confluence-mcp"}
    assert "env" not in container
    [config] = documents(DEPLOY / "k8s" / "base" / "configmap.yaml")
    env = [{"name": name, "value": value} for name, value in config["data"].items()]
    assert_no_inline_secret(env)
    names = {variable["name"] for variable in env}
    assert names <= known_settings() | {
        "OTEL_SERVICE_NAME",
        "OTEL_TRACES_EXPORTER",
        "FORWARDED_ALLOW_IPS",  # read by uvicorn
    }
    forwarded = next(v["value"] for v in env if v["name"] == "FORWARDED_ALLOW_IPS")
    # "*" would let any caller choose its address through X-Forwarded-For (QA-35).
    assert "*" not in forwarded
    for network in forwarded.split(","):
        ipaddress.ip_network(network.strip())
    mounts = {mount["mountPath"]: mount for mount in container["volumeMounts"]}
    keys_file = next(v["value"] for v in env if v["name"] == "MCP_API_KEYS_FILE")
    assert mounts[str(Path(keys_file).parent)]["readOnly"] is True


def test_kubernetes_service_targets_the_container_port() -> None:
    [service] = documents(DEPLOY / "k8s" / "base" / "service.yaml")
    [deployment] = documents(DEPLOY / "k8s" / "base" / "deployment.yaml")
    [container] = containers(deployment)
    port_names = {port["name"] for port in container["ports"]}
    assert {port["targetPort"] for port in service["spec"]["ports"]} <= port_names
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]


def test_secret_example_holds_placeholders_only() -> None:
    for secret in documents(DEPLOY / "k8s" / "base" / "secret.example.yaml"):
        assert secret["kind"] == "Secret"
        for name, value in secret["stringData"].items():
            if SECRET_NAME.search(name) or name.endswith(".json"):
                assert value.startswith("<")
                assert value.endswith(">")


async def test_cloud_run_service(served_status: Any) -> None:
    [service] = documents(DEPLOY / "cloudrun" / "service.yaml")
    assert service["apiVersion"] == "serving.knative.dev/v1"
    [container] = [c for c in containers(service) if c["name"] == "confluence-mcp"]
    for path in set(probe_paths(container).values()):
        assert path in ("/healthz", "/readyz")
        assert await served_status(path) == 200
    assert_no_inline_secret(container["env"])
    names = {variable["name"] for variable in container["env"]}
    assert {name for name in names if not name.startswith("OTEL_")} <= known_settings()
    # Only the load balancer reaches it, and the IAM invoker check stays on.
    annotations = service["metadata"]["annotations"]
    assert annotations["run.googleapis.com/ingress"] == "internal-and-cloud-load-balancing"
    assert annotations["run.googleapis.com/invoker-iam-disabled"] == "false"


def test_cloud_run_collector_sidecar_matches_the_app() -> None:
    [service] = documents(DEPLOY / "cloudrun" / "service.yaml")
    app, collector = containers(service)
    env = {v["name"]: v.get("value") for v in app["env"]}
    config = yaml.safe_load((DEPLOY / "cloudrun" / "otel-collector.yaml").read_text())
    receiver = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == f"http://{receiver}"
    assert (env["MCP_METRICS"], env["OTEL_TRACES_EXPORTER"], env["OTEL_METRICS_EXPORTER"]) == (
        "otel",
        "otlp",
        "otlp",
    )
    health = config["extensions"]["health_check"]["endpoint"]
    assert collector["startupProbe"]["httpGet"]["port"] == int(health.rsplit(":", 1)[1])
    pipelines = config["service"]["pipelines"]
    assert pipelines["traces"]["exporters"] == ["googlecloud"]
    assert pipelines["metrics"]["exporters"] == ["googlemanagedprometheus"]
    [mount] = collector["volumeMounts"]
    [volume] = service["spec"]["template"]["spec"]["volumes"]
    assert mount["name"] == volume["name"]
    assert collector["args"] == [f"--config={mount['mountPath']}/config.yaml"]


@pytest.mark.parametrize("sentry", [True, False], ids=["with-sentry", "without-sentry"])
def test_cloud_run_setup_script(sentry: bool) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DRY_RUN": "1",
        "PROJECT": "acme-prod",
        "REGION": "europe-west1",
        "DOMAIN": "mcp.acme.test",
        "IMAGE": "europe-west1-docker.pkg.dev/acme-prod/mcp/confluence-mcp:1.2.3",
        "COLLECTOR_VERSION": "0.120.0",
        "INVOKERS": "serviceAccount:agent@acme-prod.iam.gserviceaccount.com,group:mcp@acme.test",
        "CONFLUENCE_USERNAME": "bot@acme.test",
        "CONFLUENCE_API_TOKEN": "do-not-print-me",
        **({"SENTRY_DSN": "https://k@o1.ingest.example/2"} if sentry else {}),
    }
    result = subprocess.run(
        ["bash", str(DEPLOY / "cloudrun" / "setup.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    commands = result.stdout
    assert "do-not-print-me" not in commands + result.stderr
    assert "o1.ingest" not in commands + result.stderr
    [manifest] = [doc for doc in yaml.safe_load_all(result.stderr) if doc]
    rendered = yaml.safe_dump(manifest)
    for placeholder in ("PROJECT", "REGION-", "COLLECTOR_VERSION", "mcp.example.com"):
        assert placeholder not in rendered
    [app, collector] = containers(manifest)
    assert app["image"] == env["IMAGE"]
    assert collector["image"].endswith(":0.120.0")
    # Every secret the manifest reads is created by the script, and no other.
    referenced = {
        v["valueFrom"]["secretKeyRef"]["name"] for v in app["env"] if "valueFrom" in v
    } | {v["secret"]["secretName"] for v in manifest["spec"]["template"]["spec"]["volumes"]}
    created = set(re.findall(r"gcloud secrets create (\S+)", commands))
    assert referenced == created
    assert ("sentry-dsn" in created) is sentry
    assert commands.count("--role=roles/run.invoker") == 2
    assert "--network-endpoint-type=serverless --cloud-run-service=confluence-mcp" in commands
    assert f"--domains={env['DOMAIN']}" in commands
    assert "https://mcp.acme.test" in rendered


@pytest.mark.parametrize(
    "path", sorted((DEPLOY / "env").glob("*.env.example")), ids=lambda p: p.name
)
def test_env_examples_name_real_settings_and_hold_no_secrets(path: Path) -> None:
    known = known_settings()
    seen = 0
    for line in path.read_text().splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        name, _, value = text.partition("=")
        seen += 1
        assert name in known or name.startswith("OTEL_"), name
        if SECRET_NAME.search(name):
            assert value == "", f"{name} must be left blank in an example"
    assert seen > 5
