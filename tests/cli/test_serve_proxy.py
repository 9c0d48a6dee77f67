"""`kb serve` on gunicorn: X-Forwarded-Proto believed only as KB_TRUST_PROXY says, and keep-alive
connections that outlive common clients' idle pools."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import CONTENT_DIR, ROOT
from tests.nodes import free_port, wait_for

pytest.importorskip("gunicorn")

from kb.cli.serve import KEEPALIVE_SECONDS, gunicorn_options  # noqa: E402


@pytest.mark.parametrize(("trust", "allowed"), [(False, ""), (True, "127.0.0.1,::1")])
def test_gunicorn_believes_forwarded_headers_only_when_kb_trusts_a_proxy(
    make_app: Callable[..., Flask], trust: bool, allowed: str
) -> None:
    app = make_app(KB_TRUST_PROXY=trust)
    options = gunicorn_options(app, host="127.0.0.1", port=5000, workers=2, threads=4)
    assert options["forwarded_allow_ips"] == allowed
    assert options["keepalive"] == KEEPALIVE_SECONDS >= 60


@pytest.mark.slow
def test_a_served_instance_ignores_forwarded_proto_and_keeps_idle_connections(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_INSTANCE_DIR=str(tmp_path / "instance"), KB_CONTENT_DIR=str(CONTENT_DIR))
    with (tmp_path / "serve.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "serve", "--port", str(port), "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz", timeout=120)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/en/about", headers={"X-Forwarded-Proto": "https"})
            answer = connection.getresponse()
            answer.read()
            assert "Strict-Transport-Security" not in answer.headers  # not believed
            time.sleep(3)  # longer than gunicorn's default keep-alive (2 s)
            connection.request("POST", "/en/search/nothing", body=b"x=1")
            again = connection.getresponse()  # the same connection still answers
            again.read()
            assert again.status < 500
            connection.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
