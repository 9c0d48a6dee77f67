"""A practice's translated body is searchable in its own language."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from indexer import Change, Document, Index, Query

DOC = Document(
    id=1,
    slug="p",
    version=1,
    title_fr="Une pratique",
    title_en="A practice",
    summary_fr="Résumé.",
    summary_en="Summary.",
    body="Residents meet every month in the library.",
    language="en",
    cities=("london",),
    country="GB",
    themes=(),
    approaches=(),
    targets=(),
    evidence="none-found",
    year=2020,
    published=0.0,
    body_translation="Les habitants se réunissent chaque mois à la médiathèque.",
)


def test_a_word_found_only_in_the_translation_finds_the_practice(tmp_path: Path) -> None:
    index = Index.open(tmp_path / "index")
    try:
        index.apply([Change(id=1, doc_id=1, document=DOC)])
        assert index.search(Query(text="médiathèques", lang="fr")).total == 1
        index.apply([Change(id=2, doc_id=1, document=replace(DOC, body_translation=""))])
        assert index.search(Query(text="médiathèques", lang="fr")).total == 0
    finally:
        index.close()
