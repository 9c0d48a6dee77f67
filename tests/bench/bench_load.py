"""Bounded load test: 16 concurrent clients on the seed content, through waitress and gunicorn.

Run: .venv/bin/python -m tests.bench.bench_load [--clients 16] [--requests 60] [--max-seconds 60]

One SQLite instance with the seed content is built in a temporary folder (`kb import`), then served
in turn by `kb serve` (waitress, 8 threads, as `make run`) and by `gunicorn -w 2 --threads 4`
(gthread), each with its own index folder. Each client thread keeps one keep-alive connection and
sends `--requests` requests drawn from a fixed mix (search pages FR/EN with and without filters,
practice pages, home, the search API, suggestions), stopping early after `--max-seconds`.
Figures per server: throughput, p50/p95/p99/max latency, errors (any status but 200), and the
resident memory of the server's processes before and after the load.
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tests.conftest import CONTENT_DIR, ROOT
from tests.nodes import Node, get_json, node_env

SEARCHES = [
    "haine", "hate", "jeunes", "youth", "polarisation", "radicalisation", "dialogue",
    "discrimination", "extrémisme violent", "prevention", "Strasbourg", "école", "sport",
    "online", '"social cohesion"', "mediation -police",
]  # fmt: skip


def urls(port: int) -> list[str]:
    status, found = get_json(port, "/api/v1/search?per_page=100")
    assert status == 200 and found, "cannot list the seed practices"
    slugs = [r["slug"] for r in found["results"]]
    mix: list[str] = []
    for q in SEARCHES:
        mix += [f"/fr/search?q={q}", f"/en/search?q={q}", f"/api/v1/search?q={q}&lang=fr"]
    mix += ["/fr/search?theme=hate", "/en/search?country=FR&sort=newest", "/fr/", "/en/"]
    mix += [f"/{lang}/practices/{slug}" for slug in slugs[:20] for lang in ("fr", "en")]
    mix += ["/api/v1/suggest?q=ha&lang=fr", "/api/v1/suggest?q=yo&lang=en"]
    return mix


def client(
    port: int, mix: list[str], count: int, deadline: float, out: list[float], errors: Counter[str]
) -> None:
    rng = random.Random()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        path = quote(rng.choice(mix), safe="/?=&-")
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        except OSError as exc:
            status = 0
            errors[type(exc).__name__] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out.append(time.perf_counter() - started)
        if status != 200:
            errors[str(status)] += 1
    conn.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load(node: Node, clients: int, requests: int, max_seconds: float) -> dict[str, Any]:
    mix = urls(node.port)
    for path in mix[:10]:  # warm-up: templates, the searcher, the result cache's first misses
        get_json(node.port, path)
    rss_before = node.rss_mb()
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    deadline = time.monotonic() + max_seconds
    threads = [
        threading.Thread(
            target=client, args=(node.port, mix, requests, deadline, latencies, errors)
        )
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "server": node.kind,
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": percentile(latencies, 95) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "max": max(latencies) * 1000,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "rss_before": rss_before,
        "rss_after": node.rss_mb(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=60, help="per client")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="per server")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kb-load-") as tmp:
        base = Path(tmp)
        database = f"sqlite:///{base / 'kb.sqlite3'}"
        env = node_env(database, base / "import-index", base / "instance")
        done = subprocess.run(
            [sys.executable, "-m", "kb.cli", "import", str(CONTENT_DIR)],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        rows = []
        for kind, workers, threads in (("waitress", 1, 8), ("gunicorn", 2, 4)):
            node = Node(
                f"load-{kind}", kind, database, base / kind, workers=workers, threads=threads
            )
            node.start()
            try:
                rows.append(load(node, args.clients, args.requests, args.max_seconds))
            finally:
                node.stop()
    print(f"\n{args.clients} clients, up to {args.requests} requests each, seed content")
    print(
        "| server | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors "
        "| RSS MB before → after |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['server']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
            f"| {r['p99']:.0f} | {r['max']:.0f} | {r['errors']} {r['error_kinds'] or ''} "
            f"| {r['rss_before']:.0f} → {r['rss_after']:.0f} |"
        )


if __name__ == "__main__":
    main()
