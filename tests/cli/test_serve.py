"""`kb serve`: the quickstart path, from an empty instance folder to a served knowledge base."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CONTENT_DIR, ROOT
from tests.nodes import free_port, wait_for


@pytest.mark.slow
def test_serve_prepares_an_empty_instance_and_serves_the_seed_content(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_INSTANCE_DIR=str(tmp_path / "instance"), KB_CONTENT_DIR=str(CONTENT_DIR))
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        health = wait_for(f"http://127.0.0.1:{port}/healthz", timeout=120)
        assert b'"index_lag":0' in health.replace(b" ", b"")
        home = wait_for(f"http://127.0.0.1:{port}/fr/", timeout=10).decode()
        assert "/fr/practices/" in home and "Pratiques municipales" in home
        assert (tmp_path / "instance" / "kb.sqlite3").exists()
        assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
