"""Synonym groups are indexed as concept terms: same results as expanding them at query time."""

from __future__ import annotations

from pathlib import Path

import pytest
from ixcorpus import CORPUS, SYNONYMS, make_document

from indexer import Change, Index, Query, SynonymGroup

QUERIES = [
    "haine",
    "hate",
    "discours de haine",
    '"hate speech"',
    "violent extremism",
    "extrémisme violent",
    "radicalisation violente Lyon",
    "polarization",
    "discrimination",
    "inégalité de traitement",
    "haine -strasbourg",
    "haine polarisation",
    "sécurité",
    '"discours de haine" médiateurs',
]


def answers(ix: Index, text: str) -> tuple[int, list[tuple[int, float]], bool]:
    results = ix.search(Query(text=text, per_page=50))
    return results.total, [(h.id, round(h.score, 9)) for h in results.hits], results.relaxed


def expanded_at_query_time(folder: Path) -> Index:
    """The corpus written without concept terms, searched with the synonym table."""
    with Index.open(folder) as plain:
        plain.rebuild(CORPUS, last_change_id=10, procs=1)
    ix = Index.open(folder, synonyms=SYNONYMS)
    assert ix.needs_rebuild  # the concepts were not written for this table
    return ix


@pytest.mark.parametrize("text", QUERIES)
def test_concept_terms_find_and_rank_exactly_what_query_time_expansion_does(
    index: Index, tmp_path: Path, text: str
) -> None:
    with expanded_at_query_time(tmp_path / "plain") as reference:
        assert answers(index, text) == answers(reference, text)


def test_a_changed_taxonomy_asks_for_a_rebuild_and_is_served_correctly_meanwhile(
    index: Index, index_path: Path
) -> None:
    changed = (*SYNONYMS, SynonymGroup(("médiateurs", "mediators")))
    with Index.open(index_path, synonyms=changed) as ix:
        assert ix.needs_rebuild
        english = {h.id for h in ix.search(Query(text="mediators")).hits}
        ix.rebuild(CORPUS, last_change_id=10, procs=1)
        assert english == {h.id for h in ix.search(Query(text="mediators")).hits} >= {1}
    with Index.open(index_path, synonyms=changed) as reopened:
        assert not reopened.needs_rebuild


def test_a_published_document_is_found_through_its_concept_right_away(index: Index) -> None:
    doc = make_document(id=50, title_en="Answering hatred at school", language="en")
    index.apply([Change(11, 50, doc)])
    assert 50 in {h.id for h in index.search(Query(text="haine", per_page=50)).hits}


def test_documents_written_with_another_table_fall_back_to_query_time_expansion(
    index: Index, index_path: Path
) -> None:
    with Index.open(index_path) as other:  # another process without the synonyms
        other.apply([Change(11, 51, make_document(id=51, title_en="Hatred online"))])
    assert 51 in {h.id for h in index.search(Query(text="haine", per_page=50)).hits}
