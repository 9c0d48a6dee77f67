"""The graded judgment set (topical.yaml) and nDCG@10, for the test floor and the benchmark.

Two rankers answer the same needs over the same seed content: kb's real search (through
`kb.search.search`, as the pages call it) and plain BM25 with SQLite FTS5 (an OR of the query's
words, no stemming, no synonyms, equal column weights).
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).parent
JUDGMENTS = HERE / "topical.yaml"
CONTENT_DIR = HERE.parent.parent / "content"
K = 10
SPLITS = ("tuning", "held-back")


@dataclass(frozen=True)
class Need:
    """One practitioner need: the query as typed, its language, and the graded practices."""

    query: str
    lang: str
    grades: Mapping[str, int]
    why: Mapping[str, str] = field(default_factory=dict)
    trap: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    gap: bool = False
    # "tuning" or "held-back": the held-back half is measured, never tuned on (topical.yaml).
    split: str = "tuning"


def load_needs(path: Path = JUDGMENTS) -> list[Need]:
    """Read the judgment set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    needs = []
    for item in data["needs"]:
        grades = {g["slug"]: int(g["grade"]) for g in item["grades"]}
        why = {g["slug"]: str(g["why"]) for g in item["grades"] if g.get("why")}
        needs.append(
            Need(
                query=item["query"],
                lang=item["lang"],
                grades=grades,
                why=why,
                trap=tuple(item.get("trap") or ()),
                tags=tuple(item.get("tags") or ()),
                gap=bool(item.get("gap", False)),
                split=str(item.get("split", "tuning")),
            )
        )
    return needs


def dcg(gains: Sequence[int]) -> float:
    """Discounted cumulative gain with exponential gain (2^grade - 1)."""
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg(ranked: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """nDCG@k of a ranked list of slugs against graded judgments (unlisted = 0)."""
    ideal = dcg(sorted(grades.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([grades.get(slug, 0) for slug in ranked[:k]]) / ideal


Ranker = Callable[[Need], list[str]]


def evaluate(needs: Sequence[Need], ranker: Ranker, k: int = K) -> list[float]:
    """nDCG@k of each need under one ranker, in the order of `needs`."""
    return [ndcg(ranker(need), need.grades, k) for need in needs]


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


# -- kb's search --------------------------------------------------------------------------------


def kb_ranker(app: object, k: int = K) -> Ranker:
    """Rank through the real app search (kb.search.search) on `app`'s database and index."""
    from flask import Flask
    from sqlmodel import Session

    from indexer import Query
    from kb import db
    from kb.search import index_sync as search
    from kb.search.service import get_index

    assert isinstance(app, Flask)

    def rank(need: Need) -> list[str]:
        with Session(db.get_engine(app)) as session:
            index = get_index(session, app)
            query = Query(text=need.query, lang=need.lang, per_page=k)
            found = search.search(session=session, index=index, query=query)
            return [p.slug for p in found.practices]

    return rank


# -- plain BM25 with SQLite FTS5 ----------------------------------------------------------------

_WORD = re.compile(r"\w+")


def fts_ranker(content_dir: Path = CONTENT_DIR, k: int = K) -> Ranker:
    """Plain BM25: FTS5 over titles, summaries and bodies (unicode61, no stemming), OR of words."""
    from kb.content.folder import load

    content = load(content_dir)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(slug UNINDEXED, title, summary, body)")
    db.executemany(
        "INSERT INTO fts(slug, title, summary, body) VALUES (?, ?, ?, ?)",
        [
            (
                p.slug,
                f"{p.title_fr}\n{p.title_en}",
                f"{p.summary_fr}\n{p.summary_en}",
                p.body,
            )
            for p in content.practices
        ],
    )

    def rank(need: Need) -> list[str]:
        terms = dict.fromkeys(w.lower() for w in _WORD.findall(need.query))
        if not terms:
            return []
        match = " OR ".join(f'"{t}"' for t in terms)
        rows = db.execute(
            "SELECT slug FROM fts WHERE fts MATCH ? ORDER BY bm25(fts) LIMIT ?", (match, k)
        )
        return [slug for (slug,) in rows]

    return rank
