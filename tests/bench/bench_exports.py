"""Benchmark: exports of 1,000 and 10,000 practices stream with bounded memory.

Run: .venv/bin/python -m tests.bench.bench_exports [--sizes 1000,10000]

The instances hold the web benchmark's generated practices (same records, sources and taxonomy
terms), bulk-inserted in SQL (the write path is not what is measured here, and going through
`kb.practices.create` takes minutes per 1,000 on a shared machine), cached under
tests/bench/.cache/exports-<N>/. The search index is left empty (the search-export row only
runs with --with-index, which rebuilds it). Each export runs in a fresh spawned process
through the app's own route (the test client, reading the streamed body chunk by chunk and
throwing it away, as a slow client would), and reports wall time, output size, throughput and
memory: the process's peak RSS (VmHWM) minus its RSS just before the request. "Bounded" means
that growth stays far below the output size and about the same at 1,000 and 10,000 practices.

Targets (issue 10, at 10,000 practices): each whole-catalogue export finishes in <= 60 s, and its
memory growth stays <= 64 MB whatever the size.
"""

from __future__ import annotations

import argparse
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kb.content.taxonomy_file import parse_taxonomy

from .bench_web import CACHE, CONTENT_DIR, SPAWN, app_settings, practice_data
from .corpus import make_record

EXPORTS = (
    ("json (catalogue)", "/en/search/export.json"),
    ("csv (catalogue)", "/fr/search/export.csv"),
    ("csv excel-fr", "/fr/search/export.csv?dialect=excel-fr"),
    ("zip (catalogue)", "/en/search/export.zip"),
)
SEARCH_EXPORT = ("json (search)", "/fr/search/export.json?q=jeunes")
TARGET_SECONDS = 60.0
TARGET_GROWTH_MB = 64.0


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0).
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _run(folder: str, url: str, conn: Any) -> None:
    from kb import create_app

    app = create_app(app_settings(Path(folder)))
    client = app.test_client()
    client.get("/api/v1/suggest?q=warm")  # open the index, load the vocabulary
    _reset_peak()
    before = _status_kb("VmRSS")
    t0 = time.perf_counter()
    response = client.get(url, buffered=False)
    size = chunks = 0
    for chunk in response.response:
        size += len(chunk)
        chunks += 1
    response.close()
    seconds = time.perf_counter() - t0
    peak = _status_kb("VmHWM")
    conn.send(
        {
            "status": response.status_code,
            "seconds": seconds,
            "bytes": size,
            "chunks": chunks,
            "growth_mb": (peak - before) / 1024,
            "base_mb": before / 1024,
        }
    )


def _build(size: int, folder: str, with_index: bool, conn: Any) -> None:
    """Child process: a database of `size` published practices, inserted in bulk."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from indexer import Index
    from kb import create_app, db
    from kb.catalogue import taxonomy
    from kb.catalogue.fields import SCALAR_FIELDS, TERM_FIELDS
    from kb.models import Practice, PracticeTerm, Source, utcnow
    from kb.search import index_sync as search

    app = create_app(app_settings(Path(folder)))
    engine = db.get_engine(app)
    db.upgrade(engine)
    t0 = time.perf_counter()
    with Session(engine) as session:
        errors: list[Any] = []
        taxonomy.save(
            session=session,
            vocabulary=parse_taxonomy(CONTENT_DIR / "taxonomy.yaml", errors),
        )
        session.commit()
        term_ids = taxonomy.term_ids(session)
        now = utcnow()
        for start in range(0, size, 500):
            rows, sources, terms = [], [], []
            for i in range(start, min(size, start + 500)):
                data = practice_data(make_record(i))
                pid = i + 1
                rows.append(
                    {name: getattr(data, name) for name in SCALAR_FIELDS}
                    | {"id": pid, "cities": list(data.cities), "partners": list(data.partners),
                       "body_text": "", "state": "published", "version": 1,
                       "created_at": now, "updated_at": now, "published_at": now}
                )  # fmt: skip
                sources += [
                    {"practice_id": pid, "position": n, **vars(src)}
                    for n, src in enumerate(data.sources)
                ]
                position = 0
                for name, kind in TERM_FIELDS.items():
                    for slug in getattr(data, name):
                        terms.append(
                            {"practice_id": pid, "term_id": term_ids[(kind, slug)],
                             "position": position}
                        )  # fmt: skip
                        position += 1
            session.execute(insert(Practice), rows)
            session.execute(insert(Source), sources)
            session.execute(insert(PracticeTerm), terms)
            session.commit()
        insert_s = time.perf_counter() - t0
        synonyms = taxonomy.synonym_groups(taxonomy.load(session))
        with Index.open(app.config["KB_INDEX_DIR"], synonyms=synonyms) as index:
            if with_index:
                search.rebuild(session=session, index=index, procs=2)
            else:
                index.rebuild([], last_change_id=0, procs=1)
    engine.dispose()
    conn.send({"insert_s": insert_s})


def ensure_instance(size: int, *, with_index: bool) -> Path:
    folder = CACHE / f"exports-{size}{'-indexed' if with_index else ''}"
    marker = folder / "built.json"
    if marker.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    t0 = time.perf_counter()
    parent, child = SPAWN.Pipe()
    proc = SPAWN.Process(target=_build, args=(size, str(folder), with_index, child))
    proc.start()
    child.close()
    try:
        info = parent.recv()
    finally:
        proc.join()
    marker.write_text(f"{info}")
    print(f"[{size}] built {folder.name} in {time.perf_counter() - t0:.1f} s", flush=True)
    return folder


def measure(folder: Path, url: str) -> dict[str, Any]:
    parent, child = SPAWN.Pipe()
    proc = SPAWN.Process(target=_run, args=(str(folder), url, child))
    proc.start()
    child.close()
    try:
        out: dict[str, Any] = parent.recv()
    finally:
        proc.join()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--with-index", action="store_true", help="also export a search")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    exports = (*EXPORTS, SEARCH_EXPORT) if args.with_index else EXPORTS
    rows = []
    for size in sizes:
        folder = ensure_instance(size, with_index=args.with_index)
        for label, url in exports:
            out = measure(folder, url)
            rows.append((size, label, out))
            print(f"[{size}] {label}: {out}", flush=True)
    print()
    print("| practices | export | s | MB out | MB/s | RSS growth MB | targets |")
    print("|---:|---|---:|---:|---:|---:|---|")
    ok = True
    for size, label, out in rows:
        mb = out["bytes"] / 1e6
        meets = out["status"] == 200 and out["growth_mb"] <= TARGET_GROWTH_MB
        if size >= 10_000 and "catalogue" in label:
            meets = meets and out["seconds"] <= TARGET_SECONDS
        ok = ok and meets
        print(
            f"| {size:,} | {label} | {out['seconds']:.1f} | {mb:.1f} | {mb / out['seconds']:.1f} "
            f"| {out['growth_mb']:.1f} | <= {TARGET_SECONDS:.0f} s, <= {TARGET_GROWTH_MB:.0f} MB: "
            f"{'yes' if meets else 'NO'} |"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
