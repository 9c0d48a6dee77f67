"""`kb serve --workers 2`: gunicorn worker processes on one instance, each with its own index."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONTENT_DIR, ROOT
from tests.nodes import free_port, wait_for


@pytest.mark.slow
def test_serve_with_two_workers_answers_searches_and_health(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_INSTANCE_DIR=str(tmp_path / "instance"), KB_CONTENT_DIR=str(CONTENT_DIR))
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "serve", "--port", str(port), "--workers", "2"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            health = wait_for(f"http://127.0.0.1:{port}/healthz", timeout=120)
            assert b'"index_lag":0' in health.replace(b" ", b"")
            for _ in range(6):  # several connections: both workers answer
                page = wait_for(f"http://127.0.0.1:{port}/en/search?q=haine", timeout=10)
                assert b"/en/practices/" in page
        finally:
            server.terminate()
            server.wait(timeout=30)
    output = log_path.read_text()
    assert "2 workers" in output and output.count("Booting worker") == 2
