"""Real kb nodes for drills and load tests: `kb serve` (waitress) or gunicorn processes on one
database, each with its own index folder, started, health-checked, killed and restarted."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.conftest import CONTENT_DIR, ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def node_env(database_url: str, index_dir: Path, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(
        KB_DATABASE_URL=database_url,
        KB_INDEX_DIR=str(index_dir),
        KB_INSTANCE_DIR=str(instance),
        KB_CONTENT_DIR=str(CONTENT_DIR),
        KB_LOG_LEVEL="WARNING",
        # Load clients all come from 127.0.0.1: they measure the nodes, not the API's limit.
        KB_RATELIMIT_API_ANONYMOUS="1000000 per minute",
        PYTHONPATH=str(ROOT),
    )
    return env


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """One GET on a fresh connection: (status, body); status 0 when nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    except (OSError, http.client.HTTPException):  # refused, or cut mid-answer by a kill -9
        return 0, b""
    finally:
        conn.close()


def get_json(port: int, path: str) -> tuple[int, Any]:
    status, body = get(port, path)
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, None


@dataclass
class Node:
    """One serving process (or gunicorn master) of kb."""

    name: str
    kind: str  # "waitress" (kb serve) or "gunicorn"
    database_url: str
    folder: Path
    port: int = field(default_factory=free_port)
    workers: int = 2
    threads: int = 8
    process: subprocess.Popen[bytes] | None = None

    @property
    def index_dir(self) -> Path:
        return self.folder / "index"

    @property
    def env(self) -> dict[str, str]:
        return node_env(self.database_url, self.index_dir, self.folder / "instance")

    def command(self) -> list[str]:
        if self.kind == "gunicorn":
            gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
            assert gunicorn, "gunicorn is not installed"
            return [
                gunicorn, "-w", str(self.workers), "--threads", str(self.threads),
                "-b", f"127.0.0.1:{self.port}",
                "--log-level", "warning", "wsgi:app",
            ]  # fmt: skip
        return [
            sys.executable, "-m", "kb.cli", "serve", "--port", str(self.port),
            "--threads", str(self.threads),
        ]  # fmt: skip

    def start(self, wait: float = 180.0) -> Node:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        self.wait_healthy(wait)
        return self

    def wait_healthy(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status, body = get_json(self.port, "/healthz")
            if status == 200:
                return dict(body)
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log_tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not healthy: {status} {body} {self.log_tail()}")
            time.sleep(0.2)

    def rss_mb(self) -> float:
        """Resident memory of the node's processes (master and workers), in MB."""
        assert self.process is not None
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        total = 0
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                continue
        return total / 1024

    def kill9(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def log_tail(self) -> str:
        path = self.folder / f"{self.name}.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run a `kb` command against this node's database and index folder."""
        return subprocess.run(
            [sys.executable, "-m", "kb.cli", *args], cwd=ROOT, env=self.env,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip


def wait_for(url: str, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return bytes(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
