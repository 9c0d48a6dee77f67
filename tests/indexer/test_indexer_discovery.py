"""Did-you-mean, related practices and as-you-type suggestions."""

from __future__ import annotations

from typing import Any

import pytest

from indexer import Query


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("polarisaton", "polarisation"),
        ("extremsme", "extremisme"),
        ("Strasburg", "strasbourg"),
        ("haine Strasburg", "haine strasbourg"),
    ],
)
def test_misspelled_words_get_a_real_word_suggestion(
    index: Any, typed: str, suggested: str
) -> None:
    assert index.search(Query(text=typed)).suggestion == suggested


@pytest.mark.parametrize("text", ["polarisation", "discriminations", "securite", ""])
def test_known_words_get_no_suggestion(index: Any, text: str) -> None:
    assert index.search(Query(text=text)).suggestion is None


def test_related_practices_share_terms_and_themes(index: Any) -> None:
    related = index.related(2)
    assert related[0] == 5  # polarisation theme and neighbourhoods
    assert 2 not in related


def test_related_of_an_unknown_document_is_empty(index: Any) -> None:
    assert index.related(999) == []


def test_suggest_proposes_practice_titles_in_the_readers_language(index: Any) -> None:
    found = index.suggest("observ", lang="fr")
    assert [(s.kind, s.value, s.label) for s in found] == [
        ("practice", "practice-4", "Observatoire local des discriminations")
    ]


def test_suggest_matches_accentless_prefixes_of_any_word(index: Any) -> None:
    assert [s.value for s in index.suggest("securi", lang="fr")] == ["practice-6"]


def test_suggest_proposes_cities(index: Any) -> None:
    found = index.suggest("stras")
    assert found[0].kind == "city" and found[0].value == "Strasbourg"


def test_suggest_respects_the_limit(index: Any) -> None:
    assert len(index.suggest("l", limit=2)) <= 2
    assert len(index.suggest("la", limit=2)) <= 2


def test_suggest_of_nothing_is_empty(index: Any) -> None:
    assert index.suggest("  ") == []
