"""Taxonomy synonyms expand queries across languages and spellings."""

from __future__ import annotations

from typing import Any

import pytest

from indexer import Query


def ids(index: Any, text: str) -> set[int]:
    return {h.id for h in index.search(Query(text=text)).hits}


@pytest.mark.parametrize("text", ["polarization", "polarisation", "Polarisations"])
def test_both_spellings_find_polarisation_practices(index: Any, text: str) -> None:
    assert ids(index, text) == {2, 5}


def test_a_french_word_finds_english_practices_tagged_with_the_group_facet(index: Any) -> None:
    # Practice 2 is in English and says "hatred"; practice 1 is tagged hate.
    assert ids(index, "haine") >= {1, 2}


@pytest.mark.parametrize("text", ["extremisme violent", "extrémisme violent", "violent extremism"])
def test_a_multiword_synonym_is_expanded_as_a_group(index: Any, text: str) -> None:
    assert ids(index, text) == {3}


def test_a_quoted_synonym_phrase_is_expanded(index: Any) -> None:
    assert ids(index, '"discours de haine"') >= {1, 2}


def test_synonym_facet_term_finds_tagged_practices_without_the_word(index_path: Any) -> None:
    from ixcorpus import make_document

    from indexer import Index, SynonymGroup

    ix = Index.open(index_path, synonyms=[SynonymGroup(("racisme", "racism"), "theme", "racism")])
    ix.rebuild([make_document(id=9, themes=("racism",))], last_change_id=1, procs=1)
    try:
        assert [h.id for h in ix.search(Query(text="racisme")).hits] == [9]
    finally:
        ix.close()
