"""Benchmark clients in their own processes, each response checked for duplicate results.

Why processes: the first benchmark ran its 8 clients as threads of one Python process, so a
response could wait for that process's GIL before its time was taken, and the 8 clients together
could never use more than one core's worth of client CPU. Each client here is a forked process
with one keep-alive connection; they take request numbers from one shared counter. The old
thread clients stay in `bench_web.run_load` (`--clients threads`) for comparison.

Every HTML search response is also read for its result list: a practice listed twice on one
page is a consistency violation (an index that kept a replaced version), counted in
`Stats.violations`.
"""

from __future__ import annotations

import http.client
import multiprocessing
import re
import time
from collections.abc import Sequence
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

FORK = multiprocessing.get_context("fork")

# A result card's title link, inside the result list of /<lang>/search (public/_macros.html).
RESULT_LIST = re.compile(r'<ol class="result-list".*?</ol>', re.S)
CARD_LINK = re.compile(r'<h3 class="card-title"><a href="/(?:fr|en)/practices/([^"?#]+)"')


def result_slugs(html: str) -> list[str]:
    """The practices a search page lists, in order (empty when it lists none)."""
    found = RESULT_LIST.search(html)
    return [str(s) for s in CARD_LINK.findall(found.group(0))] if found else []


def duplicates(html: str) -> list[str]:
    """Slugs listed more than once on one results page."""
    slugs = result_slugs(html)
    return sorted({s for s in slugs if slugs.count(s) > 1})


def get(
    conn: http.client.HTTPConnection, port: int, path: str
) -> tuple[http.client.HTTPConnection, int, bytes]:
    """GET `path` on a keep-alive connection: (the connection to go on with, status, body);
    a failed request is status 0 with the error as its body, on a new connection."""
    try:
        conn.request("GET", path, headers={"Accept-Language": "fr"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.will_close:
            conn.close()
        return conn, resp.status, body
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        return HTTPConnection("127.0.0.1", port, timeout=60), 0, repr(exc).encode()


def _client(
    port: int,
    paths: Sequence[str],
    counter: Any,
    requests: int,
    deadline: float,
    ready: Any,
    go: Any,
    out: Any,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies: list[float] = []
    errors: list[str] = []
    violations: list[str] = []
    size = 0
    ready.release()
    go.wait()
    while True:
        with counter.get_lock():
            i = counter.value
            if i >= requests or time.perf_counter() > deadline:
                break
            counter.value += 1
        path = paths[i % len(paths)]
        t0 = time.perf_counter()
        conn, status, body = get(conn, port, path)
        latencies.append((time.perf_counter() - t0) * 1000)
        size += len(body)
        if status != 200:
            errors.append(f"{status} {path}: {body[:120]!r}")
        elif "/search" in path and not path.startswith("/api/"):
            twice = duplicates(body.decode("utf-8", "replace"))
            if twice:
                violations.append(f"{path}: listed twice {twice}")
    conn.close()
    out.send((latencies, errors, violations, size))
    out.close()


def run_load_procs(
    port: int, paths: Sequence[str], *, concurrency: int, requests: int, max_seconds: float
) -> Any:
    """`requests` GETs cycling through `paths` from `concurrency` client processes."""
    from .bench_web import Stats

    counter = FORK.Value("l", 0)
    ready, go = FORK.Semaphore(0), FORK.Event()
    deadline = time.perf_counter() + max_seconds + 5.0
    pipes, procs = [], []
    for _ in range(concurrency):
        parent, child = FORK.Pipe(duplex=False)
        proc = FORK.Process(
            target=_client,
            args=(port, list(paths), counter, requests, deadline, ready, go, child),
        )
        proc.start()
        child.close()
        pipes.append(parent)
        procs.append(proc)
    for _ in procs:  # every client connected and waiting: start them together
        ready.acquire()
    stats = Stats()
    t0 = time.perf_counter()
    go.set()
    for pipe in pipes:
        latencies, errors, violations, size = pipe.recv()
        stats.latencies_ms.extend(latencies)
        stats.errors += len(errors)
        stats.error_samples.extend(errors[:3])
        stats.violations += len(violations)
        stats.violation_samples.extend(violations[:3])
        stats.bytes += size
    stats.wall_s = time.perf_counter() - t0
    for proc in procs:
        proc.join()
    return stats


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU of these processes so far (from /proc; 0 for one that is gone)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total
