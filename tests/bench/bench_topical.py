"""Benchmark: topical relevance (nDCG@10) of kb's search beside plain BM25 (SQLite FTS5).

Run: python -m tests.bench.bench_topical [--content DIR] [--judgments FILE]

Imports the seed content into a fresh app (SQLite file and index in a temporary folder), runs
every need of tests/relevance/topical.yaml through the real app search and through FTS5 (OR of
the words, no stemming, no synonyms), and prints one row per need and both means.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from kb import create_app
from kb.search.service import reset
from tests.relevance.topical import (
    CONTENT_DIR,
    JUDGMENTS,
    K,
    evaluate,
    fts_ranker,
    kb_ranker,
    load_needs,
    mean,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--content", type=Path, default=CONTENT_DIR)
    parser.add_argument("--judgments", type=Path, default=JUDGMENTS)
    args = parser.parse_args()
    needs = load_needs(args.judgments)
    with tempfile.TemporaryDirectory(prefix="kb-topical-") as tmp:
        base = Path(tmp)
        app = create_app(
            {
                "TESTING": True,
                "KB_INSTANCE_DIR": str(base / "instance"),
                "KB_DATABASE_URL": f"sqlite:///{base / 'kb.sqlite3'}",
                "KB_INDEX_DIR": str(base / "index"),
                "KB_CONTENT_DIR": str(args.content),
                "KB_SEARCH_CACHE_SIZE": 0,
            }
        )
        result = app.test_cli_runner().invoke(args=["import", str(args.content)])
        assert result.exit_code == 0, result.output
        started = time.perf_counter()
        ours = evaluate(needs, kb_ranker(app))
        elapsed = time.perf_counter() - started
        reset(app)
    bm25 = evaluate(needs, fts_ranker(args.content))
    width = max(len(n.query) for n in needs)
    print(f"\nTopical relevance, nDCG@{K}: {len(needs)} needs, {args.judgments.name}\n")
    print(f"| {'need':<{width}} | lang | kb | FTS5 BM25 | diff |")
    print(f"|{'-' * (width + 2)}|------|---:|---:|---:|")
    for need, a, b in zip(needs, ours, bm25, strict=True):
        mark = " (gap)" if need.gap else ""
        text = f"{need.query}{mark}"
        print(f"| {text:<{width}} | {need.lang} | {a:.3f} | {b:.3f} | {a - b:+.3f} |")
    for lang in ("fr", "en"):
        pairs = [(a, b) for n, a, b in zip(needs, ours, bm25, strict=True) if n.lang == lang]
        print(
            f"| mean, {lang} ({len(pairs)}) | | {mean([a for a, _ in pairs]):.3f} "
            f"| {mean([b for _, b in pairs]):.3f} | |"
        )
    mo, mb = mean(ours), mean(bm25)
    print(f"| **mean** | | **{mo:.3f}** | **{mb:.3f}** | **{mo - mb:+.3f}** |")
    print(f"\nkb: {1000 * elapsed / len(needs):.1f} ms per need through kb.search.search")


if __name__ == "__main__":
    main()
