"""Rate limits hold across the workers of a real `kb serve --workers N`: the default SQLite
counters in the instance folder, and Redis when one answers."""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import CONTENT_DIR, ROOT, csrf_token_of
from tests.nodes import free_port, wait_for

LIMIT = 5
ATTEMPTS = 24  # more than LIMIT × 4 workers: with per-worker counters, more than LIMIT pass
REDIS_URL = os.environ.get("KB_TEST_REDIS_URL", "")


def _redis_answers() -> bool:
    if not REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _accepted_sign_ins(port: int) -> tuple[int, list[int]]:
    """Wrong-password sign-ins for one account, in parallel on fresh connections: how many were
    judged (401) rather than refused by the limit (429). The account is new to each run, since
    Redis keeps counters from one run to the next."""
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/en/login", timeout=30) as page:
        token = csrf_token_of(page.read().decode())
    form = urllib.parse.urlencode(
        {
            "email": f"victim-{uuid.uuid4().hex}@example.org",
            "password": "not the password!",
            "csrf_token": token,
        }
    ).encode()

    def attempt(_: int) -> int:
        try:
            with opener.open(f"{base}/en/login", data=form, timeout=60) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as refused:
            return int(refused.code)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, range(ATTEMPTS)))
    return statuses.count(401), statuses


def _serve(tmp_path: Path, workers: int, **settings: str) -> tuple[int, list[int], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(
        KB_INSTANCE_DIR=str(tmp_path / "instance"),
        KB_CONTENT_DIR=str(CONTENT_DIR),
        KB_RATELIMIT_ACCOUNT=f"{LIMIT} per minute",
        KB_RATELIMIT_LOGIN="1000 per minute",  # every attempt comes from 127.0.0.1
        **settings,
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "serve", "--port", str(port),
             "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for(f"http://127.0.0.1:{port}/healthz", timeout=180)
            accepted, statuses = _accepted_sign_ins(port)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return accepted, statuses, log_path.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 4])
def test_sign_ins_per_account_accepted_by_every_worker_together_equal_the_limit(
    tmp_path: Path, workers: int
) -> None:
    accepted, statuses, output = _serve(tmp_path, workers)
    assert output.count("Booting worker") == workers
    assert accepted == LIMIT, statuses
    assert statuses.count(429) == ATTEMPTS - LIMIT, statuses
    assert (tmp_path / "instance" / "ratelimits.sqlite3").exists()


@pytest.mark.slow
@pytest.mark.skipif(
    not _redis_answers(),
    reason="no Redis: set KB_TEST_REDIS_URL (.ci/detect-services finds one on 127.0.0.1:6379)",
)
def test_with_redis_the_workers_share_the_limit_too(tmp_path: Path) -> None:
    accepted, statuses, _ = _serve(tmp_path, 4, KB_RATELIMIT_STORAGE_URL=REDIS_URL)
    assert accepted == LIMIT, statuses
    assert not (tmp_path / "instance" / "ratelimits.sqlite3").exists()
