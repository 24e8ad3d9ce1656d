"""FakeConfluenceServer lifecycle, authentication, the pytest plugin and the command line."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from confluence_client.testing import (
    Credentials,
    FakeConfluenceServer,
    ServerStartError,
    build_store,
    create_app,
)
from confluence_client.testing.__main__ import main

from .conftest import AUTH

pytest_plugins = ["confluence_client.testing.pytest_plugin"]


def test_sync_lifecycle_and_addresses() -> None:
    server = FakeConfluenceServer(seed="empty")
    assert "stopped" in repr(server)
    with pytest.raises(ServerStartError):
        _ = server.url
    with server:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert server.wiki_url == server.url + "/wiki"
        assert server.gateway_url == f"{server.url}/ex/confluence/{server.cloud_id}/wiki"
        assert server.control_url == server.url + "/__fake__"
        assert "running" in repr(server)
        with pytest.raises(ServerStartError):
            server.start()
        port = server.port
        assert httpx.get(server.wiki_url + "/api/v2/spaces", auth=AUTH).json()["results"] == []
    server.stop()  # idempotent
    with socket.create_server(("127.0.0.1", port)):
        pass  # the port is free again


async def test_async_lifecycle() -> None:
    async with FakeConfluenceServer() as server, httpx.AsyncClient(auth=AUTH) as client:
        response = await client.get(server.wiki_url + "/api/v2/spaces")
        assert [s["key"] for s in response.json()["results"]] == ["DEMO", "ENG"]


def test_port_in_use_is_a_clear_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ServerStartError, match="Cannot bind"):
            FakeConfluenceServer(port=port).start()


def test_plugin_fixture(fake_confluence: FakeConfluenceServer) -> None:
    response = httpx.get(fake_confluence.wiki_url + "/api/v2/spaces?keys=DEMO", auth=AUTH)
    assert response.json()["results"][0]["key"] == "DEMO"


def test_in_process_app_with_custom_store() -> None:
    store = build_store("empty")
    store.add_space("OWN", "Own space")
    app = create_app(store)
    transport = httpx.ASGITransport(app=app)

    async def fetch() -> list[str]:
        async with httpx.AsyncClient(transport=transport, base_url="http://fake", auth=AUTH) as c:
            body = (await c.get("/wiki/api/v2/spaces")).json()
            return [s["key"] for s in body["results"]]

    assert asyncio.run(fetch()) == ["OWN"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic " + base64.b64encode(b"fake@example.com:wrong").decode()},
        {"Authorization": "Basic " + base64.b64encode(b"someone:fake-api-token").decode()},
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Bearer"},
        {"Authorization": "Digest abc"},
    ],
)
def test_bad_credentials_get_401_in_each_api_shape(
    shared_server: FakeConfluenceServer, headers: dict[str, str]
) -> None:
    with httpx.Client(headers=headers) as client:
        v2 = client.get(shared_server.wiki_url + "/api/v2/pages")
        assert v2.status_code == 401
        assert v2.json()["errors"][0]["status"] == 401
        assert v2.headers["www-authenticate"].startswith("Basic")
        v1 = client.get(shared_server.url + "/rest/api/space")
        assert v1.status_code == 401
        assert v1.json()["statusCode"] == 401
        assert "fake-api-token" not in v1.text


def test_bearer_tokens_and_custom_credentials() -> None:
    server = FakeConfluenceServer(
        seed="empty", username="dc-admin", api_token="secret-1", personal_token="pat-2"
    )
    server.credentials.bearer_tokens.add("oauth-3")
    assert "secret-1" not in repr(server.credentials)
    assert "pat-2" not in repr(server.credentials)
    with server:
        for headers in (
            {"Authorization": "Bearer pat-2"},
            {"Authorization": "Bearer oauth-3"},
            {"Authorization": "Basic " + base64.b64encode(b"dc-admin:secret-1").decode()},
        ):
            me = httpx.get(server.url + "/rest/api/user/current", headers=headers)
            assert me.status_code == 200
            assert me.json()["username"] == "dc-admin"


def test_bearer_tokens_work_on_data_center_and_gateway_but_not_the_cloud_site(
    shared_server: FakeConfluenceServer,
) -> None:
    bearer = {"Authorization": "Bearer fake-pat"}
    with httpx.Client(headers=bearer) as client:
        assert client.get(shared_server.url + "/rest/api/space").status_code == 200
        assert client.get(shared_server.gateway_url + "/api/v2/spaces").status_code == 200
        site = client.get(shared_server.wiki_url + "/api/v2/spaces")
        assert site.status_code == 401
        assert client.get(shared_server.wiki_url + "/rest/api/space").status_code == 401
    with httpx.Client(auth=AUTH) as client:
        assert client.get(shared_server.gateway_url + "/api/v2/spaces").status_code == 200


def test_credentials_check_unit() -> None:
    creds = Credentials()
    assert creds.check(None) is None
    assert creds.check("Bearer fake-pat") == "fake@example.com"
    assert creds.check("Basic " + base64.b64encode(b"\xff\xfe").decode()) is None


def test_main_prints_urls_and_stops(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(main(["--port", "0"], stop)))
    runner.start()
    try:
        for _ in range(500):
            if "Cloud site base" in capsys.readouterr().out or codes:
                break
            stop.wait(0.01)
    finally:
        stop.set()
        runner.join(timeout=10)
    assert codes == [0]


def test_main_reports_a_taken_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        assert main(["--port", str(taken.getsockname()[1])]) == 1
    assert "error: Cannot bind" in capsys.readouterr().err


def test_standalone_module_serves_until_stopped(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "confluence_client.testing",
            "--port",
            "0",
            "--seed",
            "demo",
            "--username",
            "cli@example.com",
            "--token",
            "cli-token",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        lines = []
        wiki_url = ""
        for line in proc.stdout:
            lines.append(line)
            if "Cloud site base" in line:
                wiki_url = line.split()[-1]
                break
        assert wiki_url, lines
        response = httpx.get(
            wiki_url + "/api/v2/spaces?keys=DEMO", auth=("cli@example.com", "cli-token")
        )
        assert response.json()["results"][0]["key"] == "DEMO"
        assert httpx.get(wiki_url + "/api/v2/spaces").status_code == 401
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.close()
        proc.stderr.close()


@pytest.mark.fake_confluence(seed="empty", username="marker-user")
def test_plugin_marker_configures_the_server(fake_confluence: FakeConfluenceServer) -> None:
    assert fake_confluence.store.spaces == {}
    assert fake_confluence.credentials.username == "marker-user"


def test_reset_restores_seed_and_clears_faults_and_log(
    fake_confluence: FakeConfluenceServer,
) -> None:
    store = fake_confluence.store
    faq = store.list_pages(title="FAQ")[0]
    store.trash_page(faq.id)
    fake_confluence.faults.server_errors()
    httpx.get(fake_confluence.wiki_url + "/api/v2/spaces", auth=AUTH)
    fake_confluence.reset()
    assert fake_confluence.store is store
    assert store.get_page(faq.id).status == "current"
    assert fake_confluence.faults.rules == []
    assert len(fake_confluence.requests) == 0
    response = httpx.get(fake_confluence.wiki_url + f"/api/v2/pages/{faq.id}", auth=AUTH)
    assert response.status_code == 200
    fake_confluence.reset(seed="empty")
    assert store.spaces == {}


def test_unexpected_errors_still_answer_in_confluence_shape() -> None:
    class BrokenStore(type(build_store("empty"))):  # type: ignore[misc]
        def list_spaces(self) -> list[object]:
            raise RuntimeError("bug")

    store = BrokenStore()
    store.add_user("U", "fake@example.com")
    transport = httpx.ASGITransport(app=create_app(store), raise_app_exceptions=False)

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, base_url="http://fake", auth=AUTH) as c:
            return await c.get("/wiki/api/v2/spaces")

    response = asyncio.run(fetch())
    assert response.status_code == 500
    assert response.json()["errors"][0]["title"].endswith("(RuntimeError)")
