"""Benchmark: indexer (Whoosh) vs tuned SQLite FTS5 on the same corpus and queries.

Run: python -m tests.bench.bench_search [--sizes 1000,10000] [--with-100k]

Both engines run twice: with the seed taxonomy's synonyms (what `kb serve` opens its index with;
FTS5 then gets the same expanded query: each word or phrase that names a synonym group becomes
the OR of the group's words and phrases in its MATCH) and without any synonyms.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from indexer import FACETS, Change, Index, Query, SynonymGroup
from indexer.analysis import SynonymTable
from indexer.query import parse

from .corpus import BenchQuery, make_record, query_set, seed_synonyms

MP = multiprocessing.get_context("fork")
PREFIXES = [
    "pr",
    "pre",
    "prev",
    "preve",
    "preven",
    "ra",
    "rad",
    "radic",
    "ha",
    "hai",
    "hat",
    "med",
    "media",
    "po",
    "pol",
    "polar",
    "sec",
    "secu",
    "ext",
    "extre",
    "st",
    "stra",
    "strasb",
    "lyo",
    "be",
    "ber",
    "jeu",
    "you",
    "yout",
    "ed",
    "edu",
    "ec",
    "eco",
    "di",
    "dis",
    "discr",
    "co",
    "coh",
    "cohe",
    "wor",
]


def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def rss_mb() -> float:
    """Current resident set size, from /proc (stdlib only)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_s() -> float:
    """User + system CPU seconds of this process and its waited-for children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def timed(fn: Callable[[], Any]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def run_in_child(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run one phase in a fresh process, so its memory figures are its own."""
    parent, child = MP.Pipe()

    def target() -> None:
        child.send(fn(*args))

    proc = MP.Process(target=target)
    proc.start()
    child.close()  # so recv() raises EOFError instead of hanging if the child dies
    out = parent.recv()
    proc.join()
    return out  # type: ignore[no-any-return]


# -- Whoosh (indexer) ---------------------------------------------------------------------------


def synonyms_for(mode: str) -> list[SynonymGroup]:
    return seed_synonyms() if mode == "synonyms" else []


def whoosh_build(n: int, work: Path, mode: str) -> dict[str, Any]:
    records = [make_record(i) for i in range(n)]
    db = sqlite3.connect(work / "records.db")
    db.execute("CREATE TABLE IF NOT EXISTS body(id INTEGER PRIMARY KEY, text TEXT)")
    db.executemany(
        "INSERT OR REPLACE INTO body VALUES (?, ?)",
        ((r.document.id, r.document.body) for r in records),
    )
    db.commit()
    db.close()
    ix = Index.open(work / f"index-{mode}", synonyms=synonyms_for(mode))
    t0, cpu0 = time.perf_counter(), cpu_s()
    count = ix.rebuild((r.document for r in records), last_change_id=n, procs=2)
    secs, cpu = time.perf_counter() - t0, cpu_s() - cpu0
    ix.close()
    return {
        "build_s": secs,
        "docs_s": count / secs,
        # CPU seconds of the parent and its bulk-writer children: on a shared machine the wall
        # rate follows the load, this does not; count / (cpu / 2) is the rate on 2 free cores.
        "cpu_s": cpu,
        "free_docs_s": count / (cpu / 2),
        "size_mb": dir_mb((work / f"index-{mode}" / "current").resolve()),
        "peak_mb": peak_mb() + peak_mb(children=True),
    }


def whoosh_query(n: int, work: Path, mode: str) -> dict[str, Any]:
    db = sqlite3.connect(work / "records.db")

    def body_text(ids: Sequence[int]) -> Mapping[int, str]:
        marks = ",".join("?" * len(ids))
        return dict(db.execute(f"SELECT id, text FROM body WHERE id IN ({marks})", list(ids)))

    ix = Index.open(work / f"index-{mode}", synonyms=synonyms_for(mode))
    assert not ix.needs_rebuild
    queries = query_set()

    def one(q: BenchQuery) -> Any:
        return ix.search(
            Query(text=q.text, filters=dict(q.filters), per_page=20), body_text=body_text
        )

    for q in queries:  # warm-up pass
        one(q)
    times: list[float] = []
    kinds: dict[str, list[float]] = {}
    for q in queries:
        ms = timed(lambda q=q: one(q))  # type: ignore[misc]
        times.append(ms)
        kinds.setdefault(q.kind, []).append(ms)
    for p in PREFIXES:
        ix.suggest(p)
    sug = [timed(lambda p=p: ix.suggest(p)) for p in PREFIXES]  # type: ignore[misc]
    rel = [timed(lambda d=d: ix.related(d)) for d in range(1, min(n, 40))]  # type: ignore[misc]
    rss_queries = rss_mb()
    # publish -> searchable: one change applied, then the full search request finds it.
    publish: list[float] = []
    last = ix.last_change_id()
    for k in range(30):
        doc = make_record(k * 7 % n).document
        token = f"zqpub{k}"
        changed = replace(doc, version=doc.version + 1 + k, title_en=f"{doc.title_en} {token}")
        t0 = time.perf_counter()
        last = ix.apply([Change(last + 1, doc.id, changed)], timeout=5)
        found = ix.search(Query(text=token), body_text=body_text).total
        publish.append((time.perf_counter() - t0) * 1000)
        assert found == 1, token
    # Searching with the 30 one-document segments apply() left, then the off-request merge.
    segments = ix.segment_count()
    seg_times = [timed(lambda q=q: one(q)) for q in queries]  # type: ignore[misc]
    merge_ms = timed(lambda: ix.merge_segments())
    ix.close()
    return {
        "p50": pct(times, 50),
        "p95": pct(times, 95),
        "kinds": {k: pct(v, 50) for k, v in kinds.items()},
        "suggest_p50": pct(sug, 50),
        "suggest_p95": pct(sug, 95),
        "related_p50": pct(rel, 50),
        "publish_p50": pct(publish, 50),
        "publish_p95": pct(publish, 95),
        "segments": segments,
        "seg_p50": pct(seg_times, 50),
        "seg_p95": pct(seg_times, 95),
        "merge_ms": merge_ms,
        "rss_mb": rss_queries,
        "peak_mb": peak_mb(),
    }


# -- SQLite FTS5, tuned ---------------------------------------------------------------------------


def _fts_match(text: str, table: SynonymTable | None = None) -> str:
    """The FTS5 MATCH for a query; with a synonym table, the same expansion as the indexer's."""
    if table:
        return _fts_expanded(text, table)
    if text.startswith('"'):
        return text
    return " ".join('"' + w.replace('"', "") + '"' for w in text.split())


def _fts_expanded(text: str, table: SynonymTable) -> str:
    """Words and phrases AND-ed, each synonym group as the OR of its words and phrases."""
    parts: list[str] = []
    for clause in parse(text, table, lambda _facet, _value: None).clauses:
        if clause.negated or clause.kind == "facet":
            continue
        if clause.kind == "group":
            ors = ['"' + " ".join(seq) + '"' for seq in clause.group_terms]
            parts.append("(" + " OR ".join(ors) + ")")
        elif clause.kind == "prefix":
            parts.append(f'"{clause.words[0]}"*')
        else:
            parts.append('"' + " ".join(clause.words) + '"')
    return " AND ".join(parts) or '""'


def fts_build(n: int, work: Path) -> dict[str, Any]:
    records = [make_record(i) for i in range(n)]
    path = work / "fts.db"
    db = sqlite3.connect(path)
    db.executescript(
        """
        PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
        CREATE TABLE doc(id INTEGER PRIMARY KEY, slug, title_fr, title_en, summary_fr,
                         summary_en, lang, published REAL);
        CREATE VIRTUAL TABLE fts USING fts5(title, summary, body,
                                           tokenize="unicode61 remove_diacritics 2");
        CREATE TABLE facet(doc_id INTEGER, facet TEXT, value TEXT);
        """
    )
    t0, cpu0 = time.perf_counter(), cpu_s()
    for r in records:
        d = r.document
        db.execute(
            "INSERT INTO doc VALUES (?,?,?,?,?,?,?,?)",
            (
                d.id,
                d.slug,
                d.title_fr,
                d.title_en,
                d.summary_fr,
                d.summary_en,
                d.language,
                d.published,
            ),
        )
        db.execute(
            "INSERT INTO fts(rowid, title, summary, body) VALUES (?,?,?,?)",
            (
                d.id,
                f"{d.title_fr} {d.title_en}",
                f"{d.summary_fr} {d.summary_en}",
                f"{d.body} {' '.join(d.cities)} {d.extra_text}",
            ),
        )
        values = {
            "theme": d.themes,
            "country": (d.country,),
            "city": d.cities,
            "approach": d.approaches,
            "target": d.targets,
            "language": (d.language,),
            "year": (str(d.year),),
            "evidence": (d.evidence,),
        }
        db.executemany(
            "INSERT INTO facet VALUES (?,?,?)",
            [(d.id, f, v) for f, vs in values.items() for v in vs],
        )
    db.executescript(
        """
        CREATE INDEX facet_fv ON facet(facet, value, doc_id);
        CREATE INDEX facet_doc ON facet(doc_id, facet, value);
        INSERT INTO fts(fts, rank) VALUES('rank', 'bm25(2.0, 1.5, 1.0)');
        INSERT INTO fts(fts) VALUES('optimize');
        """
    )
    db.commit()
    secs, cpu = time.perf_counter() - t0, cpu_s() - cpu0
    db.close()
    return {
        "cpu_s": cpu,
        "build_s": secs,
        "docs_s": n / secs,
        "size_mb": path.stat().st_size / 1e6,
        "peak_mb": peak_mb(),
    }


def fts_search(
    db: sqlite3.Connection, q: BenchQuery, table: SynonymTable | None = None
) -> tuple[int, list[Any], dict[str, Any]]:
    """Top 20 + exact total + all facet counts (own selection ignored) + 20 snippets."""
    match = _fts_match(q.text, table)
    filt, args = "", [match]
    for facet, values in q.filters:
        marks = ",".join("?" * len(values))
        filt += f" AND +rowid IN (SELECT doc_id FROM facet WHERE facet=? AND value IN ({marks}))"
        args += [facet, *values]
    db.execute("DELETE FROM m_all")
    db.execute("DELETE FROM m")
    db.execute("INSERT INTO m_all SELECT rowid FROM fts WHERE fts MATCH ?", [match])
    db.execute(f"INSERT INTO m SELECT rowid FROM fts WHERE fts MATCH ?{filt}", args)
    total = db.execute("SELECT count(*) FROM m").fetchone()[0]
    ids = [
        r[0]
        for r in db.execute(
            f"SELECT rowid FROM fts WHERE rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?{filt} "
            "ORDER BY rank LIMIT 20)",
            args,
        )
    ]
    selected = {f for f, _v in q.filters}
    facets: dict[str, Any] = {}
    for facet in FACETS:
        source = "m_all" if facet in selected else "m"
        facets[facet] = db.execute(
            f"SELECT value, count(*) FROM facet JOIN {source} ON facet.doc_id = {source}.id "
            "WHERE facet = ? GROUP BY value ORDER BY 2 DESC",
            [facet],
        ).fetchall()
    rows: list[Any] = []
    if ids:
        marks = ",".join("?" * len(ids))
        rows = db.execute(
            "SELECT d.slug, highlight(fts, 0, '<mark>', '</mark>'), "
            "highlight(fts, 1, '<mark>', '</mark>'), snippet(fts, 2, '<mark>', '</mark>', '…', 24) "
            f"FROM fts JOIN doc d ON d.id = fts.rowid WHERE fts MATCH ? AND fts.rowid IN ({marks})",
            [match, *ids],
        ).fetchall()
    return total, rows, facets


def fts_query(n: int, work: Path, mode: str) -> dict[str, Any]:
    table = SynonymTable(synonyms_for(mode))
    db = sqlite3.connect(work / "fts.db")
    db.execute("CREATE TEMP TABLE m_all(id INTEGER PRIMARY KEY)")
    db.execute("CREATE TEMP TABLE m(id INTEGER PRIMARY KEY)")
    queries = query_set()
    for q in queries:
        fts_search(db, q, table)
    times: list[float] = []
    kinds: dict[str, list[float]] = {}
    for q in queries:
        ms = timed(lambda q=q: fts_search(db, q, table))  # type: ignore[misc]
        times.append(ms)
        kinds.setdefault(q.kind, []).append(ms)
    sug = [
        timed(
            lambda p=p: db.execute(  # type: ignore[misc]
                "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 8", [f'title : "{p}"*']
            ).fetchall()
        )
        for p in PREFIXES
    ]
    publish: list[float] = []
    for k in range(30):
        token = f"zqpub{k}"
        doc_id = k * 7 % n + 1
        t0 = time.perf_counter()
        db.execute("UPDATE fts SET title = title || ' ' || ? WHERE rowid = ?", [token, doc_id])
        db.commit()
        total, _rows, _f = fts_search(db, BenchQuery("term", token))
        publish.append((time.perf_counter() - t0) * 1000)
        assert total == 1
    rss = rss_mb()
    db.close()
    return {
        "p50": pct(times, 50),
        "p95": pct(times, 95),
        "kinds": {k: pct(v, 50) for k, v in kinds.items()},
        "suggest_p50": pct(sug, 50),
        "suggest_p95": pct(sug, 95),
        "publish_p50": pct(publish, 50),
        "publish_p95": pct(publish, 95),
        "rss_mb": rss,
        "peak_mb": peak_mb(),
    }


# -- report ---------------------------------------------------------------------------------------


def report(
    n: int, wb: dict[str, Any], wq: dict[str, Any], fb: dict[str, Any], fq: dict[str, Any]
) -> str:
    rows = [
        ("rebuild docs/s", wb["docs_s"], fb["docs_s"]),
        ("rebuild CPU s (incl. children)", wb["cpu_s"], fb.get("cpu_s", float("nan"))),
        ("index size MB", wb["size_mb"], fb["size_mb"]),
        ("build peak RSS MB (incl. children)", wb["peak_mb"], fb["peak_mb"]),
        ("full search p50 ms", wq["p50"], fq["p50"]),
        ("full search p95 ms", wq["p95"], fq["p95"]),
        *[(f"  p50 {k} ms", wq["kinds"][k], fq["kinds"][k]) for k in wq["kinds"]],
        ("publish->searchable p50 ms", wq["publish_p50"], fq["publish_p50"]),
        ("publish->searchable p95 ms", wq["publish_p95"], fq["publish_p95"]),
        (f"full search p50 ms, {wq['segments']} segments", wq["seg_p50"], fq["p50"]),
        (f"full search p95 ms, {wq['segments']} segments", wq["seg_p95"], fq["p95"]),
        ("merge_segments() ms (off request)", wq["merge_ms"], float("nan")),
        ("suggest p50 ms", wq["suggest_p50"], fq["suggest_p50"]),
        ("suggest p95 ms", wq["suggest_p95"], fq["suggest_p95"]),
        ("related p50 ms", wq["related_p50"], float("nan")),
        ("query worker RSS MB", wq["rss_mb"], fq["rss_mb"]),
        ("query worker peak RSS MB", wq["peak_mb"], fq["peak_mb"]),
    ]
    lines = [
        f"\n### {n:,} practices\n",
        "| metric | indexer (Whoosh) | FTS5 tuned | ratio |",
        "|---|---:|---:|---:|",
    ]
    for name, ours, theirs in rows:
        ratio = ours / theirs if theirs and theirs == theirs else float("nan")
        lines.append(f"| {name} | {ours:,.1f} | {theirs:,.1f} | {ratio:,.2f} |")
    return "\n".join(lines)


FIGURES = Path(__file__).resolve().parent / ".cache" / "search-figures.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--with-100k", action="store_true")
    parser.add_argument("--modes", default="synonyms,plain", help="synonyms and/or plain")
    parser.add_argument("--keep", help="work directory to keep (default: a temp dir)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.with_100k:
        sizes.append(100_000)
    base = Path(args.keep or tempfile.mkdtemp(prefix="kb-bench-"))
    print(f"cpus={os.cpu_count()} load={os.getloadavg()[0]:.1f} work={base}")
    figures: dict[str, Any] = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
    try:
        for n in sizes:
            work = base / str(n)
            work.mkdir(parents=True, exist_ok=True)
            fb = run_in_child(fts_build, n, work)
            for mode in args.modes.split(","):
                wb = run_in_child(whoosh_build, n, work, mode)
                wq = run_in_child(whoosh_query, n, work, mode)
                fq = run_in_child(fts_query, n, work, mode)
                print(f"\n#### {mode}" + (" (seed taxonomy synonyms, same expansion in FTS5)"
                                            if mode == "synonyms" else " (no synonyms)"))
                print(report(n, wb, wq, fb, fq), flush=True)
                figures[f"{n}-{mode}"] = {"whoosh_build": wb, "whoosh_query": wq,
                                          "fts_build": fb, "fts_query": fq,
                                          "load": os.getloadavg()[0]}
                FIGURES.parent.mkdir(parents=True, exist_ok=True)
                FIGURES.write_text(json.dumps(figures, indent=1))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
