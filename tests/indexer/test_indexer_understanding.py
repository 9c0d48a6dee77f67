"""Needs, not only names: filler does not restrict matching; sentences rank by concepts covered."""

from __future__ import annotations

from typing import Any

import pytest

from indexer import Query
from indexer.query import _TOKEN_RE
from indexer.understand import strip_filler


def ids(index: Any, text: str) -> list[int]:
    return [h.id for h in index.search(Query(text=text)).hits]


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("est-ce qu'il existe des médiateurs", "des médiateurs"),
        ("quelles actions pour les écoles", "pour les écoles"),
        ("comment lutter contre la haine dans ma ville", "la haine"),
        ("what works for preventing hate", "preventing hate"),
        ("how to reduce polarization in our city", "reduce polarization"),
        ("Is there an observatory?", "an observatory?"),
    ],
)
def test_question_words_and_filler_are_removed(text: str, left: str) -> None:
    assert strip_filler(text, _TOKEN_RE) == (left, True)


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("comment", "comment"),  # nothing else would be left
        ("how to", "how to"),
        ('"comment faire" médiateurs', '"comment faire" médiateurs'),  # quoted
        ("city:comment médiateurs", "city:comment médiateurs"),  # a field filter
        ("comment -haine", "comment -haine"),  # only an exclusion would be left
    ],
)
def test_filler_is_kept_when_quoted_filtered_or_alone(text: str, left: str) -> None:
    assert strip_filler(text, _TOKEN_RE) == (left, False)


def test_a_question_finds_what_its_content_words_find(index: Any) -> None:
    assert ids(index, "est-ce qu'il existe un observatoire") == ids(index, "observatoire")


def test_a_sentence_matches_practices_covering_only_some_of_its_concepts(index: Any) -> None:
    # No practice holds all four words; under all-words matching the result would be empty.
    results = index.search(Query(text="mentors observatoire polarisation workshops"))
    assert {h.id for h in results.hits} >= {2, 3, 4}
    assert results.relaxed


def test_covering_more_concepts_ranks_first(index: Any) -> None:
    # Practice 2 covers workshops, pupils and polarisation; the others one of them at most.
    assert ids(index, "workshops for pupils against polarisation")[0] == 2


def test_two_plain_words_still_must_all_match(index: Any) -> None:
    assert ids(index, "workshops pupils") == [2]
