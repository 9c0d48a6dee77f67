"""Benchmark: the HTML search page and /api/v1/search through the real server, `kb serve`.

Run: .venv/bin/python -m tests.bench.bench_web [--sizes seed,10000] [--workers 1,2]

Two instances: the seed content (imported by `kb serve` into an empty database) and 10,000
generated practices, built through the app's one write path (`kb.practices.create`, then
`kb.search.rebuild`) and cached under tests/bench/.cache/web-<N>/. Each is served by
`kb serve --workers 1` and `--workers 2` (gunicorn, 8 threads per worker), cold (the result
cache off: every request searches) and warm (KB_SEARCH_CACHE_SIZE=256, as deployed). After a
warm-up pass, the HTML page and the API are measured at 1 and 8 keep-alive clients cycling
through a fixed list of 52 queries; during the 8-client HTML run one more client polls
/healthz. Figures: p50/p95/p99, requests/s, /healthz p95 under load, each worker's RSS after the
runs; written to tests/bench/.cache/web-figures.json for tests/bench/targets.py.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import multiprocessing
import os
import random
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from kb.content.taxonomy_file import parse_taxonomy

from .corpus import Record, make_record

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CACHE = HERE / ".cache"
CONTENT_DIR = ROOT / "content"
SPAWN = multiprocessing.get_context("spawn")
BUILD_VERSION = "1"  # bump when the mapping below changes, to invalidate cached instances
BATCH = 500
THREADS = 8  # waitress threads, as `kb serve` defaults to
CONCURRENCY = 8
START_TIMEOUT = 300  # seconds for `kb.cli.prepare` + waitress to listen

# The corpus generator's tags, mapped onto the slugs of content/taxonomy.yaml.
THEME_MAP = {
    "hate": "hate",
    "violent-extremism": "violent-extremism",
    "polarisation": "polarisation",
    "discrimination": "discrimination",
    "social-cohesion": "social-cohesion",
    "local-democracy": "local-democracy",
    "online-harms": "online-harms",
    "youth": "radicalisation",
    "gender": "discrimination",
    "antisemitism": "hate",
    "anti-muslim-hatred": "hate",
    "racism": "discrimination",
    "lgbtiq": "hate",
    "conspiracy-theories": "online-harms",
    "school-violence": "radicalisation",
    "prisons": "radicalisation",
    "sport": "social-cohesion",
    "housing": "local-democracy",
}
APPROACH_MAP = {
    "education": "awareness-education",
    "mediation": "mediation",
    "mentoring": "mentoring",
    "participation": "participatory-bodies",
    "research": "research-evaluation",
    "training": "frontline-training",
    "communication": "counter-narratives",
    "exit-work": "case-management",
    "sport": "community-dialogue",
    "culture": "community-dialogue",
    "victim-support": "victim-support",
    "policing": "community-policing",
}
TARGET_MAP = {
    "youth": "young-people",
    "teachers": "schools",
    "parents": "families",
    "residents": "residents",
    "young-adults": "young-people",
    "police": "frontline-professionals",
    "victims": "victims",
    "social-workers": "frontline-professionals",
    "elected-officials": "local-officials",
    "journalists": "civil-society",
}
EVIDENCE_MAP = {
    "anecdotal": "none-found",
    "promising": "activity-data",
    "evaluated": "internal-evaluation",
    "proven": "independent-evaluation",
}

# The fixed request mix: what practitioners type and click (query strings without `lang`).
QUERIES: list[list[tuple[str, str]]] = [
    # single terms, French and English, some typed without accents
    [("q", "radicalisation")],
    [("q", "prévention")],
    [("q", "prevention")],
    [("q", "médiation")],
    [("q", "jeunesse")],
    [("q", "racisme")],
    [("q", "laïcité")],
    [("q", "harcèlement")],
    [("q", "hatred")],
    [("q", "school")],
    [("q", "mentoring")],
    [("q", "polarization")],
    [("q", "discrimination")],
    [("q", "volunteers")],
    # two words (AND)
    [("q", "prévention radicalisation")],
    [("q", "médiation quartier")],
    [("q", "formation enseignants")],
    [("q", "youth violence")],
    [("q", "school bullying")],
    [("q", "police trust")],
    [("q", "rumeurs complot")],
    [("q", "online reporting")],
    # phrases
    [("q", '"discours de haine"')],
    [("q", '"extrémisme violent"')],
    [("q", '"cohésion sociale"')],
    [("q", '"hate speech"')],
    [("q", '"violent extremism"')],
    [("q", '"conspiracy theories"')],
    # filters (several values of one facet = OR, across facets = AND)
    [("q", "radicalisation"), ("theme", "violent-extremism")],
    [("q", "médiation"), ("country", "FR")],
    [("theme", "hate"), ("country", "FR")],
    [("theme", "polarisation"), ("country", "DE")],
    [("q", "school"), ("theme", "discrimination"), ("theme", "hate")],
    [("q", "dialogue"), ("approach", "mediation")],
    [("q", "jeunesse"), ("target", "young-people")],
    [("country", "BE"), ("language", "fr")],
    [("q", "prevention"), ("year", "2015")],
    [("city", "Lyon")],
    [("q", "training"), ("evidence", "independent-evaluation")],
    [("theme", "online-harms"), ("approach", "counter-narratives"), ("country", "GB")],
    # browse (empty query) and sorts
    [],
    [("sort", "newest")],
    [("sort", "title")],
    [("theme", "social-cohesion"), ("sort", "newest")],
    # further pages
    [("q", "prévention"), ("page", "2")],
    [("q", "youth"), ("page", "2")],
    [("theme", "hate"), ("page", "2")],
    [("page", "3")],
    # typo (did-you-mean), prefix, rare word, exclusion
    [("q", "radicalsation")],
    [("q", "préven*")],
    [("q", "mot1234")],
    [("q", "haine -racisme")],
]


def _qs(params: list[tuple[str, str]], extra: Sequence[tuple[str, str]] = ()) -> str:
    query = urlencode([*params, *extra])
    return f"?{query}" if query else ""


ENDPOINTS: dict[str, list[str]] = {
    "healthz": ["/healthz"],
    "api": [f"/api/v1/search{_qs(p, [('lang', 'fr')])}" for p in QUERIES],
    "html_fr": [f"/fr/search{_qs(p)}" for p in QUERIES],
    "html_en": [f"/en/search{_qs(p)}" for p in QUERIES],
}


# -- building the instance (in a child process) --------------------------------------------------


def app_settings(folder: Path) -> dict[str, Any]:
    """The instance's settings: production-like (no TESTING), quiet logs."""
    return {
        "KB_INSTANCE_DIR": str(folder / "instance"),
        "KB_DATABASE_URL": f"sqlite:///{folder / 'instance' / 'kb.sqlite3'}",
        "KB_INDEX_DIR": str(folder / "instance" / "index"),
        "KB_CONTENT_DIR": str(CONTENT_DIR),
        "KB_LOG_LEVEL": "WARNING",
        # Every benchmark client is 127.0.0.1: measure the server, not the API's per-address limit.
        "KB_RATELIMIT_API_ANONYMOUS": "1000000 per minute",
        # 0 by default: every measured request runs a real search (the cache would answer the
        # 52 repeated queries after one pass); --cache-size measures the deployed setting.
        "KB_SEARCH_CACHE_SIZE": int(os.environ.get("KB_BENCH_CACHE_SIZE", "0")),
    }


def _digest(label: str, files: Sequence[Path]) -> str:
    digest = hashlib.sha256(label.encode())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fingerprints(size: int) -> dict[str, str]:
    """What a cached database and a cached index depend on (each rebuilt only when it changed).

    The database depends on the generated data (a sample of the records, so reformatting
    corpus.py does not force a rebuild), the taxonomy, the schema and the Markdown stripping;
    the index also on the indexer and on how kb turns practices into documents.
    """
    kb_dir = ROOT / "kb"
    sample = sorted({*range(0, size, max(1, size // 200)), size - 1})
    records = "\n".join(repr(practice_data(make_record(i))) for i in sample)
    database = _digest(
        f"{BUILD_VERSION}:{size}:{records}",
        [
            CONTENT_DIR / "taxonomy.yaml",
            *sorted((kb_dir / "migrations" / "versions").glob("*.py")),
            kb_dir / "text" / "markdown.py",
        ],
    )
    index = _digest(
        database,
        [
            *sorted((ROOT / "indexer").glob("*.py")),
            kb_dir / "search" / "documents.py",
            kb_dir / "search" / "index_sync.py",
            kb_dir / "catalogue" / "taxonomy.py",
        ],
    )
    return {"database": database, "index": index}


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def practice_data(record: Record) -> Any:
    """A generated record as the app's PracticeData (taxonomy slugs, ISO country, http sources)."""
    from kb.catalogue.data import PracticeData, SourceData

    doc = record.document
    rng = random.Random(f"web-{doc.id}")  # string seeds are deterministic
    city = doc.cities[0]
    roll = rng.random()
    status, end_year = "ongoing", None
    if doc.year is not None and roll < 0.4:
        status, end_year = "ended", min(2025, doc.year + rng.randint(0, 6))
    elif roll < 0.5:
        status = "unknown"
    organisation = f"Ville de {city}" if doc.language == "fr" else f"City of {city}"
    partners = tuple(
        rng.choice(
            [
                "Association Ancrages",
                "Regional Youth Network",
                "Université locale",
                "Community Foundation",
                "Centre social",
                "Local schools",
            ]
        )
        for _ in range(rng.randint(0, 2))
    )
    return PracticeData(
        slug=doc.slug,
        title_fr=doc.title_fr,
        title_en=doc.title_en,
        summary_fr=doc.summary_fr,
        summary_en=doc.summary_en,
        language=doc.language,
        cities=doc.cities,
        country=doc.country,
        themes=_unique([THEME_MAP[t] for t in doc.themes]),
        approaches=_unique([APPROACH_MAP[a] for a in doc.approaches]),
        target_groups=_unique([TARGET_MAP[t] for t in doc.targets]),
        lead_organisation=organisation,
        partners=_unique(partners),
        status=status,
        start_year=doc.year,
        end_year=end_year,
        evidence_level=EVIDENCE_MAP[doc.evidence],
        sources=(
            SourceData(
                title=f"{doc.title_en} (report)",
                url=f"https://example.org/{doc.country.lower()}/{doc.slug}",
                publisher=organisation,
                date=str(doc.year),
                language=doc.language,
            ),
        ),
        body=record.markdown,
    )


def _build(size: int, folder: str, with_database: bool, conn: Any) -> None:
    """Child process: (fresh database with `size` published practices, then) a fresh index."""
    from sqlmodel import Session

    from indexer import Index
    from kb import create_app, db
    from kb.catalogue import practices, taxonomy
    from kb.permissions import Actor
    from kb.search import index_sync as search

    root = Path(folder)
    app = create_app(app_settings(root))
    engine = db.get_engine(app)
    out: dict[str, Any] = {}
    with Session(engine, expire_on_commit=False) as session:
        if with_database:
            db.upgrade(engine)
            errors: list[Any] = []
            vocab = parse_taxonomy(CONTENT_DIR / "taxonomy.yaml", errors)
            if errors:
                raise SystemExit("\n".join(map(str, errors)))
            taxonomy.save(session=session, vocabulary=vocab)
            session.commit()
            vocabulary = taxonomy.load(session)
            t0 = time.perf_counter()
            for i in range(size):
                practices.create(
                    session=session,
                    actor=Actor.system("bench"),
                    data=practice_data(make_record(i)),
                    vocabulary=vocabulary,
                    state="published",
                )
                if (i + 1) % BATCH == 0:
                    session.commit()
            session.commit()
            out["insert_s"] = time.perf_counter() - t0
        # The index the app would open (same folder, same synonyms), rebuilt as `kb index
        # rebuild` does; opened directly so that get_index does not first rebuild it with procs=1.
        shutil.rmtree(app.config["KB_INDEX_DIR"], ignore_errors=True)
        synonyms = taxonomy.synonym_groups(taxonomy.load(session))
        with Index.open(app.config["KB_INDEX_DIR"], synonyms=synonyms) as index:
            t0 = time.perf_counter()
            out["count"] = search.rebuild(session=session, index=index, procs=2)
            out["index_s"] = time.perf_counter() - t0
        with Index.open(app.config["KB_INDEX_DIR"], synonyms=synonyms) as index:
            if index.needs_rebuild:
                raise SystemExit("the rebuilt index still reports needs_rebuild")
    engine.dispose()
    conn.send(out)


def ensure_instance(size: int, *, rebuild: bool = False) -> Path:
    """The cached instance for `size`; what is missing or outdated is rebuilt in a child process."""
    folder = CACHE / f"web-{size}"
    marker = folder / "built.json"
    expected = fingerprints(size)
    info: dict[str, Any] = json.loads(marker.read_text()) if marker.exists() else {}
    if rebuild:
        info = {}
    same_db = info.get("fingerprints", {}).get("database") == expected["database"]
    same_index = info.get("fingerprints", {}).get("index") == expected["index"]
    where = folder.relative_to(ROOT)
    if same_db and same_index:
        print(
            f"[{size}] cached instance {where} (built in {info['insert_s']:.1f} s inserting, "
            f"{info['index_s']:.1f} s indexing)",
            flush=True,
        )
        return folder
    if not same_db:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"[{size}] building database and index in {where} ...", flush=True)
    else:
        print(f"[{size}] indexer or kb.search changed: rebuilding the index in {where} ...")
    marker.unlink(missing_ok=True)
    built = _run_child(_build, size, str(folder), not same_db)
    if built["count"] != size:
        raise SystemExit(f"index holds {built['count']} practices, expected {size}")
    info = {**info, **built, "fingerprints": expected}
    marker.write_text(json.dumps(info))
    print(
        f"[{size}] built: {info['insert_s']:.1f} s inserting through practices.create"
        f"{'' if not same_db else ' (cached)'}, {info['index_s']:.1f} s search.rebuild(procs=2)",
        flush=True,
    )
    return folder


def _run_child(fn: Any, *args: Any) -> Any:
    parent, child = SPAWN.Pipe()
    proc = SPAWN.Process(target=fn, args=(*args, child))
    proc.start()
    child.close()
    try:
        out = parent.recv()
    except EOFError:
        raise SystemExit(f"{fn.__name__} failed (exit code {proc.exitcode})") from None
    finally:
        proc.join()
    return out


# -- serving: the real `kb serve --workers N` in its own process ---------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class Server:
    """`kb serve --workers N` on a free port, stopped (by its pid) on exit."""

    def __init__(self, folder: Path, *, workers: int, cache_size: int, threads: int = THREADS):
        self.folder, self.workers, self.threads = folder, workers, threads
        self.cache_size = cache_size
        self.proc: Any = None
        self.port = 0

    def __enter__(self) -> Server:
        import subprocess
        import urllib.request

        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
        env.update({k: str(v) for k, v in app_settings(self.folder).items()})
        env["KB_SEARCH_CACHE_SIZE"] = str(self.cache_size)
        self.log = (self.folder / "serve.log").open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "serve", "--port", str(self.port),
             "--workers", str(self.workers), "--threads", str(self.threads)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=30):
                    break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.__exit__()
                    log = self.folder / "serve.log"
                    raise SystemExit(f"kb serve did not start; see {log}") from None
                time.sleep(0.3)
        return self

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process (the master itself when there is none)."""
        pids = _children(self.proc.pid) or [self.proc.pid]
        return [_rss_mb(p) for p in pids]

    def __exit__(self, *_exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except Exception:  # noqa: BLE001 - then kill it
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None) is not None:
            self.log.close()


# -- load ----------------------------------------------------------------------------------------


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    bytes: int = 0
    wall_s: float = 0.0
    violations: int = 0  # results listed twice, stale edits (consistency.py)
    violation_samples: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.count / self.wall_s if self.wall_s else float("nan")

    def pct(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return float("nan")
        k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
        return ordered[k]


def run_load(
    port: int, paths: Sequence[str], *, concurrency: int, requests: int, max_seconds: float
) -> Stats:
    """`requests` GETs cycling through `paths`, from `concurrency` keep-alive clients."""
    from .web_clients import get

    stats = Stats()
    lock = threading.Lock()
    next_i = [0]
    deadline = time.perf_counter() + max_seconds

    def take() -> int | None:
        with lock:
            i = next_i[0]
            if i >= requests or time.perf_counter() > deadline:
                return None
            next_i[0] += 1
            return i

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies: list[float] = []
        errors: list[str] = []
        size = 0
        while (i := take()) is not None:
            path = paths[i % len(paths)]
            t0 = time.perf_counter()
            conn, status, body = get(conn, port, path)
            latencies.append((time.perf_counter() - t0) * 1000)
            size += len(body)
            if status != 200:
                errors.append(f"{status} {path}: {body[:120]!r}")
        conn.close()
        with lock:
            stats.latencies_ms.extend(latencies)
            stats.errors += len(errors)
            stats.error_samples.extend(errors[:3])
            stats.bytes += size

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats.wall_s = time.perf_counter() - t0
    return stats


def fetch_json(port: int, path: str) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            raise SystemExit(f"{path} answered {resp.status}: {body[:300]!r}")
        return json.loads(body)
    finally:
        conn.close()


# -- the matrix ----------------------------------------------------------------------------------

WORKERS = (1, 2)
MODES = {"cold": 0, "warm": 256}  # KB_SEARCH_CACHE_SIZE: result cache off, or as deployed
CLIENTS = (1, CONCURRENCY)
MEASURED = ("html_fr", "api")
PAGES = ("home", "practice")  # one client each: what one page costs
CLIENTS_AS = ["processes"]  # --clients: processes or threads (set once by main)
FIGURES = CACHE / "web-figures.json"


@dataclass
class Row:
    size: str
    workers: int
    mode: str
    endpoint: str
    clients: int
    stats: Stats
    healthz: Stats | None = None
    rss_mb: list[float] = field(default_factory=list)
    cpu_ms: float = float("nan")  # the server's CPU (all its processes) per request
    edits: Any = None  # consistency.EditReport of the run with a publisher

    def figures(self) -> dict[str, Any]:
        s = self.stats
        out: dict[str, Any] = {
            "size": self.size, "workers": self.workers, "mode": self.mode,
            "endpoint": self.endpoint, "clients": self.clients, "n": s.count,
            "errors": s.errors, "p50": s.pct(50), "p95": s.pct(95), "p99": s.pct(99),
            "rps": s.throughput, "rss_mb": self.rss_mb, "cpu_ms": self.cpu_ms,
            "clients_as": CLIENTS_AS[0], "load": os.getloadavg()[0],
            "violations": s.violations,
        }
        if self.edits is not None:
            out["violations"] += len(self.edits.violations)
            out["edits"], out["checks"] = self.edits.edits, self.edits.checks
            out["visible_p95"] = _pct(self.edits.visible_ms, 95)
        if self.healthz is not None:
            out["healthz_p95"] = self.healthz.pct(95)
            out["healthz_n"] = self.healthz.count
        return out


def run_with_health(
    port: int, paths: Sequence[str], *, concurrency: int, requests: int, max_seconds: float
) -> tuple[Stats, Stats]:
    """The load, with one more client polling /healthz every 50 ms meanwhile."""
    stop = threading.Event()
    health = Stats()

    def poll() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                conn.request("GET", "/healthz")
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    health.errors += 1
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                health.errors += 1
            health.latencies_ms.append((time.perf_counter() - t0) * 1000)
            stop.wait(0.05)
        conn.close()

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        stats = load(
            port, paths, concurrency=concurrency, requests=requests, max_seconds=max_seconds
        )
    finally:
        stop.set()
        poller.join()
    return stats, health


def seed_instance() -> Path:
    """A fresh instance folder: `kb serve` imports the seed content into its empty database."""
    folder = CACHE / "web-seed"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def load(
    port: int, paths: Sequence[str], *, concurrency: int, requests: int, max_seconds: float
) -> Stats:
    """The load with the chosen clients: processes (the default) or threads (the first method)."""
    from .web_clients import run_load_procs

    run = run_load_procs if CLIENTS_AS[0] == "processes" else run_load
    stats: Stats = run(
        port, paths, concurrency=concurrency, requests=requests, max_seconds=max_seconds
    )
    return stats


def _pct(values: Sequence[float], p: float) -> float:
    return Stats(latencies_ms=list(values)).pct(p)


def page_paths(port: int) -> dict[str, list[str]]:
    """Home pages and the first 50 practices' pages (FR and EN), found through the API."""
    found = fetch_json(port, "/api/v1/search?sort=title&per_page=50&lang=fr")
    slugs = [r["slug"] for r in found["results"]]
    return {
        "home": ["/fr/", "/en/"],
        "practice": [f"/{lang}/practices/{slug}" for slug in slugs for lang in ("fr", "en")],
    }


def edited_slugs(port: int) -> list[str]:
    """What the publisher edits: practices the load's own queries list (so a duplicate shows)."""
    found = fetch_json(port, "/api/v1/search?q=radicalisation&per_page=5&lang=fr")
    return [r["slug"] for r in found["results"]]


def bench_config(
    label: str, folder: Path, workers: int, mode: str, requests: int, max_seconds: float
) -> list[Row]:
    from .consistency import Publisher
    from .web_clients import cpu_seconds

    rows: list[Row] = []
    t0 = time.perf_counter()
    with Server(folder, workers=workers, cache_size=MODES[mode]) as server:
        port = server.port
        pids = [server.proc.pid, *_children(server.proc.pid)]
        print(
            f"[{label} w={workers} {mode}] kb serve on 127.0.0.1:{port}, up in "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        endpoints = {**ENDPOINTS, **page_paths(port)}
        # Warm-up: every path twice at full concurrency, so each worker has opened its
        # searcher, filled its caches and compiled its templates.
        for name in (*MEASURED, *PAGES):
            paths = endpoints[name]
            load(port, paths, concurrency=CONCURRENCY, requests=2 * len(paths) * workers,
                 max_seconds=max_seconds)

        def measure(name: str, clients: int, n: int, *, edits: bool = False) -> None:
            health, report = None, None
            cpu0 = cpu_seconds(pids)
            if edits:
                with Publisher(folder, port, edited_slugs(port)) as publisher:
                    stats = load(port, endpoints["html_fr"], concurrency=clients,
                                 requests=n, max_seconds=max_seconds)
                report = publisher.report
            elif clients == CONCURRENCY and name == "html_fr":
                stats, health = run_with_health(
                    port, endpoints[name], concurrency=clients, requests=n,
                    max_seconds=max_seconds,
                )
            else:
                stats = load(port, endpoints[name], concurrency=clients, requests=n,
                             max_seconds=max_seconds)
            row = Row(label, workers, mode, name, clients, stats, health, edits=report)
            # The publisher's own searches are server work too, but few (2 per edit).
            row.cpu_ms = (cpu_seconds(pids) - cpu0) * 1000 / max(1, stats.count)
            rows.append(row)
            print(
                f"[{label} w={workers} {mode}] {name} c={clients}: {stats.count} req, "
                f"p50 {stats.pct(50):.1f} p95 {stats.pct(95):.1f} ms, "
                f"{stats.throughput:.1f} req/s, server CPU {row.cpu_ms:.1f} ms/req"
                + (f", /healthz p95 {health.pct(95):.1f} ms" if health else "")
                + (f", {report.edits} edits, {len(report.violations)} + {stats.violations}"
                   " violations" if report else "")
                + f"; load {load_average()}",
                flush=True,
            )

        for name in MEASURED:
            for clients in CLIENTS:
                measure(name, clients, requests if clients == CONCURRENCY
                        else max(52, requests // 2))
        for name in PAGES:
            measure(name, 1, max(52, requests // 2))
        measure("html_fr_edits", CONCURRENCY, 2 * requests, edits=True)
        rss = server.worker_rss_mb()
    for row in rows:
        row.rss_mb = rss
    return rows


def print_table(rows: Sequence[Row]) -> None:
    print()
    print(
        f"{'size':>6} {'workers':>7} {'mode':<5} {'endpoint':<8} {'clients':>7} {'n':>5} "
        f"{'err':>3} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'req/s':>7} "
        f"{'healthz p95':>11} {'CPU ms/req':>10} {'violations':>10} {'worker RSS MB':>14}"
    )
    for r in rows:
        s = r.stats
        health = f"{r.healthz.pct(95):.1f}" if r.healthz else ""
        rss = "/".join(f"{x:.0f}" for x in r.rss_mb)
        print(
            f"{r.size:>6} {r.workers:>7} {r.mode:<5} {r.endpoint:<8} {r.clients:>7} "
            f"{s.count:>5} {s.errors:>3} {s.pct(50):>7.1f} {s.pct(95):>7.1f} "
            f"{s.pct(99):>7.1f} {s.throughput:>7.1f} {health:>11} {r.cpu_ms:>10.1f} "
            f"{r.figures()['violations']:>10} {rss:>14}"
        )
    for r in rows:
        samples = [*r.stats.error_samples[:2], *r.stats.violation_samples[:2],
                   *(r.edits.violations[:2] if r.edits else [])]
        for sample in samples:
            print(f"error [{r.size} w={r.workers} {r.mode} {r.endpoint}]: {sample}")
    print(flush=True)


def load_average() -> str:
    """Other work on the machine skews every figure: show it next to them."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="seed,10000", help="'seed' and/or practice counts")
    parser.add_argument("--workers", default="1,2", help="kb serve --workers values")
    parser.add_argument("--modes", default="cold,warm", help="cold (result cache off), warm")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per run")
    parser.add_argument("--max-seconds", type=float, default=40.0, help="cap per measured run")
    parser.add_argument("--rebuild", action="store_true", help="ignore the cached instances")
    parser.add_argument("--clients", choices=("processes", "threads"), default="processes",
                        help="client processes (default) or threads of this process (the first"
                        " method, kept for comparison)")
    parser.add_argument("--figures", help="write all figures to this file instead of "
                        f"{FIGURES.relative_to(ROOT)}-<size>.json (one per size, for targets)")
    args = parser.parse_args(argv)
    CLIENTS_AS[0] = args.clients
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{load_average()}; {len(QUERIES)} queries; {args.requests} requests per run",
        flush=True,
    )
    rows: list[Row] = []
    for size in sizes:
        for workers in (int(w) for w in args.workers.split(",")):
            for mode in args.modes.split(","):
                folder = (
                    seed_instance() if size == "seed"
                    else ensure_instance(int(size.replace("_", "")), rebuild=args.rebuild)
                )
                rows += bench_config(size, folder, workers, mode, args.requests,
                                     args.max_seconds)
    print_table(rows)
    outputs = (
        {Path(args.figures): rows} if args.figures
        else {FIGURES.with_name(f"{FIGURES.stem}-{size}.json"): [r for r in rows if r.size == size]
              for size in sizes}
    )
    for path, chosen in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps([r.figures() for r in chosen], indent=1))
        print(f"figures written to {path}")
    total_errors = sum(r.stats.errors for r in rows)
    if total_errors:
        print(f"{total_errors} error(s): every request must answer 200")
        return 1
    violations = sum(r.figures()["violations"] for r in rows)
    if violations:
        print(f"{violations} consistency violation(s): there must be none")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
