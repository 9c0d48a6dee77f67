"""Highlighting: whole words and whole phrases are marked, and the memory it keeps is bounded."""

from __future__ import annotations

import pytest

from indexer import highlight as hl
from indexer.analysis import term_of


def terms(*words: str) -> set[str]:
    """The indexed terms of French words, as the query side computes them."""
    return {t for w in words if (t := term_of("fr", w)) is not None}


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    hl._ANALYSES.clear()


def test_words_are_marked_by_their_indexed_term_in_every_form() -> None:
    marked = hl.highlight("Les Jeunes, et les jeunes du quartier", "fr", terms("jeune"), ())
    assert marked == "Les <mark>Jeunes</mark>, et les <mark>jeunes</mark> du quartier"


def test_a_phrase_is_marked_only_where_its_words_follow_each_other() -> None:
    spec = [((term_of("fr", "discours") or "", term_of("fr", "haine") or ""), 1)]
    text = "Contre les discours de haine. Un discours sur la ville, et la haine ailleurs."
    marked = hl.highlight(text, "fr", set(), (), phrases=spec)
    # "de" is a stop word: it holds no position, so the two words are adjacent.
    assert marked.startswith("Contre les <mark>discours</mark> de <mark>haine</mark>.")
    assert marked.count("<mark>") == 2


def test_a_snippet_is_cut_around_the_best_window_and_escaped() -> None:
    text = "<b>Intro</b> " + "mot " * 200 + "la médiation sociale réussit " + "fin " * 100
    found = hl.snippet(text, "fr", terms("médiation", "sociale"), ())
    assert "<mark>médiation</mark> <mark>sociale</mark>" in found
    assert found.startswith("… ") and found.endswith(" …")
    assert "<b>" not in hl.snippet("<b>médiation</b>", "fr", terms("médiation"), ())


def test_the_analysis_cache_stays_within_its_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hl, "ANALYSIS_CACHE_BYTES", 20_000)
    for i in range(200):
        hl.highlight(f"Texte numéro {i} sur la médiation " * 20, "fr", terms("médiation"), ())
        assert hl._ANALYSES._bytes <= 20_000
    assert 0 < len(hl._ANALYSES._entries) < 200
