"""Benchmark: the HTML search page and /api/v1/search via waitress at 1,000 and 10,000 practices.

Run: .venv/bin/python -m tests.bench.bench_web [--sizes 1000,10000] [--requests 400]

For each size, a generated instance (SQLite database + Whoosh index) is built through the app's one
write path (`kb.practices.create`, then `kb.search.rebuild`) and cached under
tests/bench/.cache/web-<N>/, so a rerun skips the build. The instance is served exactly as
`kb serve` does (`kb.cli.prepare`, then waitress with 8 threads) in a separate process; this
process drives the load with 8 threads, each on its own keep-alive connection, cycling through a
fixed list of 52 queries (terms, two-word, phrases, filters, browse, sorts, page 2+, typo, prefix).

Figures per size and endpoint: p50/p95/p99/max latency, throughput and errors (any non-200), each
also as a ratio to the baseline measured in the same run: the same server answering `/healthz`
(a trivial route that touches the database and the index) at the same concurrency. At the
largest size, single-client (concurrency 1) latencies show what a lone reader sees.
Targets (issue 5, at 10,000 practices): API p95 <= 50 ms, HTML search page p95 <= 60 ms.
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
TARGETS_MS = {"api": 50.0, "html_fr": 60.0, "html_en": 60.0}  # p95 at 10,000 practices
TARGET_SIZE = 10_000
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
            kb_dir / "markdown.py",
        ],
    )
    index = _digest(
        database,
        [*sorted((ROOT / "indexer").glob("*.py")), kb_dir / "search.py", kb_dir / "taxonomy.py"],
    )
    return {"database": database, "index": index}


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def practice_data(record: Record) -> Any:
    """A generated record as the app's PracticeData (taxonomy slugs, ISO country, http sources)."""
    from kb.practices import PracticeData, SourceData

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
    from kb import content, create_app, db, practices, search, taxonomy
    from kb.permissions import Actor

    root = Path(folder)
    app = create_app(app_settings(root))
    engine = db.get_engine(app)
    out: dict[str, Any] = {}
    with Session(engine, expire_on_commit=False) as session:
        if with_database:
            db.upgrade(engine)
            errors: list[Any] = []
            vocab = content.parse_taxonomy(CONTENT_DIR / "taxonomy.yaml", errors)
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


# -- serving (in a child process) ----------------------------------------------------------------


def _serve(folder: str, threads: int, conn: Any) -> None:
    """Child process: what `kb serve` does (prepare, then waitress), on a free port."""
    import logging

    import waitress

    from kb import cli, create_app

    app = create_app(app_settings(Path(folder)))
    cli.prepare(app)
    logging.getLogger("waitress").setLevel(logging.ERROR)
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads, ident="kb")
    conn.send(server.effective_port)
    conn.close()
    server.run()


class Server:
    """A waitress server in its own process, stopped (by its pid) on exit."""

    def __init__(self, folder: Path, threads: int = THREADS):
        self.folder, self.threads = folder, threads
        self.proc: Any = None
        self.port = 0

    def __enter__(self) -> Server:
        parent, child = SPAWN.Pipe()
        self.proc = SPAWN.Process(target=_serve, args=(str(self.folder), self.threads, child))
        self.proc.start()
        child.close()
        if not parent.poll(START_TIMEOUT):
            self.__exit__()
            raise SystemExit(
                f"the server did not start within {START_TIMEOUT} s (was the index rebuilt by "
                "get_index because the indexer changed after the build? rerun with --rebuild)"
            )
        self.port = parent.recv()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(10)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join()


# -- load ----------------------------------------------------------------------------------------


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    bytes: int = 0
    wall_s: float = 0.0

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
            try:
                conn.request("GET", path, headers={"Accept-Language": "fr"})
                resp = conn.getresponse()
                body = resp.read()
                status = resp.status
                if resp.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, body = 0, repr(exc).encode()
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


# -- report --------------------------------------------------------------------------------------


@dataclass
class Row:
    size: int
    endpoint: str
    concurrency: int
    stats: Stats


HEADER = (
    f"{'size':>6} {'endpoint':<8} {'conc':>4} {'n':>5} {'err':>3} {'KB/resp':>7} "
    f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'req/s':>7} | "
    f"{'p50 x':>6} {'p95 x':>6} {'p99 x':>6} {'req/s x':>7}"
)


def fmt_row(row: Row, base: Stats | None) -> str:
    s = row.stats
    line = (
        f"{row.size:>6} {row.endpoint:<8} {row.concurrency:>4} {s.count:>5} {s.errors:>3} "
        f"{s.bytes / max(1, s.count) / 1024:>7.1f} {s.pct(50):>7.1f} {s.pct(95):>7.1f} "
        f"{s.pct(99):>7.1f} {max(s.latencies_ms, default=float('nan')):>7.1f} "
        f"{s.throughput:>7.1f} |"
    )
    if base is None or row.endpoint == "healthz" and row.concurrency == CONCURRENCY:
        return line + f" {'(baseline)':>29}"
    return line + (
        f" {s.pct(50) / base.pct(50):>6.1f} {s.pct(95) / base.pct(95):>6.1f} "
        f"{s.pct(99) / base.pct(99):>6.1f} {s.throughput / base.throughput:>7.2f}"
    )


def bench_size(
    size: int, requests: int, warmup: int, max_seconds: float, *, solo: bool, rebuild: bool
) -> list[Row]:
    folder = ensure_instance(size, rebuild=rebuild)
    rows: list[Row] = []
    t0 = time.perf_counter()
    with Server(folder) as server:
        port = server.port
        print(
            f"[{size}] waitress (threads={THREADS}) on 127.0.0.1:{port}, started in "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )
        health = fetch_json(port, "/healthz")
        if health.get("index_documents") != size or health.get("index_lag"):
            raise SystemExit(f"unexpected /healthz: {health}")
        totals = [fetch_json(port, p)["total"] for p in ENDPOINTS["api"]]
        print(
            f"[{size}] query mix: {len(QUERIES)} queries; API totals min/median/max = "
            f"{min(totals)}/{sorted(totals)[len(totals) // 2]}/{max(totals)}; "
            f"{sum(1 for t in totals if t == 0)} with no result",
            flush=True,
        )
        # One pass over every page at full concurrency: searcher, facet arrays, templates loaded.
        for paths in ENDPOINTS.values():
            run_load(
                port,
                paths,
                concurrency=CONCURRENCY,
                requests=len(paths),
                max_seconds=max_seconds / 4,
            )
        plan = [(name, CONCURRENCY) for name in ENDPOINTS]
        if solo:
            plan += [("api", 1), ("html_fr", 1)]
        for name, conc in plan:
            n = requests if conc == CONCURRENCY else max(50, requests // 2)
            run_load(
                port,
                ENDPOINTS[name],
                concurrency=conc,
                requests=warmup,
                max_seconds=max_seconds / 4,
            )
            stats = run_load(
                port, ENDPOINTS[name], concurrency=conc, requests=n, max_seconds=max_seconds
            )
            capped = f" (stopped by the {max_seconds:.0f} s cap)" if stats.count < n else ""
            rows.append(Row(size, name, conc, stats))
            print(
                f"[{size}] {name} c={conc}: {stats.count} requests in {stats.wall_s:.1f} s"
                f"{capped}; load average {load_average()}",
                flush=True,
            )
    return rows


def print_table(rows: Sequence[Row]) -> None:
    print()
    print(
        "Latency in ms; 'x' columns are ratios to /healthz on the same server at concurrency "
        f"{CONCURRENCY} (the baseline)."
    )
    print(HEADER)
    print("-" * len(HEADER))
    for size in dict.fromkeys(r.size for r in rows):
        base = next(r.stats for r in rows if r.size == size and r.endpoint == "healthz")
        for row in rows:
            if row.size == size:
                print(fmt_row(row, base))
    errors = [(r, e) for r in rows for e in r.stats.error_samples]
    for row, sample in errors[:10]:
        print(f"error [{row.size} {row.endpoint}]: {sample}")
    print(flush=True)


def load_average() -> str:
    """Other work on the machine skews every figure: show it next to them."""
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="practice counts (comma-separated)")
    parser.add_argument("--requests", type=int, default=400, help="measured requests per endpoint")
    parser.add_argument("--warmup", type=int, default=40, help="unmeasured requests first")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="cap per measured phase")
    parser.add_argument("--rebuild", action="store_true", help="ignore the cached instances")
    parser.add_argument(
        "--cache-size",
        type=int,
        default=0,
        help="server's KB_SEARCH_CACHE_SIZE (default 0: every request searches)",
    )
    args = parser.parse_args(argv)
    os.environ["KB_BENCH_CACHE_SIZE"] = str(args.cache_size)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
        f"{load_average()}; {len(QUERIES)} queries, concurrency {CONCURRENCY}, "
        f"{args.requests} requests per endpoint after {args.warmup} warm-up, "
        f"at most {args.max_seconds:.0f} s each",
        flush=True,
    )
    rows: list[Row] = []
    for size in sizes:
        rows += bench_size(
            size,
            args.requests,
            args.warmup,
            args.max_seconds,
            solo=size == max(sizes),
            rebuild=args.rebuild,
        )
        print_table([r for r in rows if r.size == size])  # now, in case a later size fails
    print("\nAll sizes:")
    print_table(rows)
    print()
    target_rows = [r for r in rows if r.size == TARGET_SIZE and r.concurrency == CONCURRENCY]
    for row in target_rows:
        if row.endpoint in TARGETS_MS:
            target, p95 = TARGETS_MS[row.endpoint], row.stats.pct(95)
            verdict = "met" if p95 <= target else "NOT met"
            print(
                f"target {row.endpoint} p95 <= {target:.0f} ms at {TARGET_SIZE}: "
                f"{p95:.1f} ms -> {verdict}"
            )
    if not target_rows:
        print(f"(targets apply at {TARGET_SIZE} practices; not measured in this run)")
    total_errors = sum(r.stats.errors for r in rows)
    if total_errors:
        print(f"{total_errors} error(s): every request must answer 200")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
