"""Query language: AND, relaxed OR, phrases, exclusions, field:value, hostile input."""

from __future__ import annotations

from typing import Any

import pytest

from indexer import Query


def search(index: Any, text: str, **kw: Any) -> Any:
    return index.search(Query(text=text, **kw))


def ids(index: Any, text: str, **kw: Any) -> set[int]:
    return {h.id for h in search(index, text, **kw).hits}


def test_plain_words_must_all_match(index: Any) -> None:
    assert ids(index, "workshops pupils") == {2}


def test_all_terms_falling_back_to_any_term_is_flagged_relaxed(index: Any) -> None:
    results = search(index, "mentors observatoire")
    assert results.relaxed
    assert {h.id for h in results.hits} == {3, 4}


def test_a_query_matching_all_terms_is_not_relaxed(index: Any) -> None:
    assert not search(index, "workshops pupils").relaxed


def test_quoted_phrase_requires_adjacent_words(index: Any) -> None:
    assert ids(index, '"leave violent extremist"') == {3}
    assert ids(index, '"extremist leave"') == set()


def test_excluded_word_removes_documents(index: Any) -> None:
    assert ids(index, "polarization -schools") == {5}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("city:Lyon", {2}),
        ("city:lyon", {2}),
        ("country:de", {3}),
        ("theme:discrimination", {4}),
        ("approach:mediation", {1, 6}),
        ("target:teachers", {2}),
        ("year:2015", {3}),
        ("quartiers country:FR", {1, 2, 6}),
        ('city:"Strasbourg" haine', {1}),
        ("-country:FR", {3, 5}),
    ],
)
def test_field_value_restricts_to_the_facet(index: Any, text: str, expected: set[int]) -> None:
    assert ids(index, text) == expected


def test_trailing_wildcard_expands_a_prefix(index: Any) -> None:
    assert ids(index, "observat*") == {4}


def test_short_wildcard_degrades_to_a_plain_word_with_a_message(index: Any) -> None:
    results = search(index, "ob*")
    assert results.error


HOSTILE = [
    '"unbalanced quote',
    'haine "',
    "*",
    "?",
    "**?*",
    "field:",
    "city:",
    "city:*",
    ":::",
    "(((",
    ")))",
    "AND OR NOT",
    "-",
    "--haine",
    "a" * 5000,
    "haine " * 1000,
    "x*" * 300,
    "\x00\x01\x02\x1b[31m",
    "\u202e\u200bhaine",
    "😀🔥 haine 🇫🇷",
    "<script>alert('x')</script>",
    "title:<b>x</b>",
    "\\",
    "%s %d {0}",
    "' OR 1=1 --",
    "year:abc",
    "theme:",
    '""',
    '"" ""',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_raise(index: Any, text: str, body_text: Any) -> None:
    results = index.search(Query(text=text), body_text=body_text)
    assert results.total >= 0
    assert len(results.hits) <= 20


def test_an_overlong_query_is_cut_and_says_so(index: Any) -> None:
    assert search(index, "haine " * 1000).error


def test_empty_text_and_no_filters_browses_everything(index: Any) -> None:
    assert search(index, "").total == 6


def test_stop_words_of_either_language_do_not_break_and(index: Any) -> None:
    assert ids(index, "prévention de la haine") == {1}
