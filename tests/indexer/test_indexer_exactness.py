"""An index grown by edits scores every hit exactly as one rebuilt from the same documents.

Edits and removals leave deleted documents in their segments until a merge; no statistic of
the ranking may count them. The differential test over the whole app is
tests/test_search_exactness.py; this one is small and fast, on the indexer alone.
"""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from ixcorpus import CORPUS, SYNONYMS, make_document

from indexer import Change, Document, Index, Query

QUERIES = [
    # Natural queries (3+ concepts, or a question): BM25 times the rarity-weighted coverage.
    "haine polarisation discrimination",
    "comment prévenir la haine des jeunes",
    "mediators hate neighbourhoods city",
    "polarization workshops councils",
    # Keyword queries.
    "haine",
    "discriminations logement",
    '"violent extremism"',
]


def scores(ix: Index, text: str, lang: str) -> list[tuple[int, float]]:
    found = ix.search(Query(text=text, lang=lang, per_page=100))
    return [(h.id, h.score) for h in found.hits]


def test_scores_after_edits_and_removals_equal_a_fresh_rebuild(tmp_path: Path) -> None:
    rng = random.Random(7)
    docs: dict[int, Document] = {d.id: d for d in CORPUS}
    words = ["haine", "hate", "polarisation", "neighbourhoods", "youth", "city", "mediators"]
    changes: list[Change] = []
    for n in range(11, 23):
        pick = rng.choice(sorted(docs))
        if n % 4 == 0:  # a removal (an archive)
            docs.pop(pick)
            changes.append(Change(n, pick, None))
        elif n % 3 == 0:  # a new document
            new = make_document(id=100 + n, title_en=f"{rng.choice(words)} practice {n}",
                                body=" ".join(rng.sample(words, 3)))
            docs[new.id] = new
            changes.append(Change(n, new.id, new))
        else:  # an edit: the old version stays in its segment, deleted
            old = docs[pick]
            docs[pick] = replace(old, version=old.version + 1,
                                 summary_en=f"{old.summary_en} {rng.choice(words)}")
            changes.append(Change(n, pick, docs[pick]))
    with Index.open(tmp_path / "running", synonyms=SYNONYMS) as running, \
            Index.open(tmp_path / "rebuilt", synonyms=SYNONYMS) as rebuilt:
        running.rebuild(CORPUS, last_change_id=10, procs=1)
        for change in changes:  # one commit (one segment) per change, as after each write
            running.apply([change])
        rebuilt.rebuild(docs.values(), last_change_id=changes[-1].id, procs=1)
        for text in QUERIES:
            for lang in ("fr", "en"):
                got, want = scores(running, text, lang), scores(rebuilt, text, lang)
                assert [i for i, _s in got] == [i for i, _s in want], (text, lang)
                assert [s for _i, s in got] == pytest.approx([s for _i, s in want], rel=1e-9), (
                    text, lang,
                )
