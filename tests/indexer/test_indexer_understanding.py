"""Needs, not only names: filler does not restrict matching; sentences rank by concepts covered."""

from __future__ import annotations

from typing import Any

import pytest
from ixcorpus import make_document

from indexer import Index, Query, SynonymGroup
from indexer import query as qmod
from indexer.analysis import SynonymTable
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
        ("what works for preventing hate", "hate"),  # every practice here prevents something
        ("how to reduce polarization in our city", "polarization"),
        ("prévenir la radicalisation", "la radicalisation"),
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


# -- words inside synonym runs and words that name nothing -----------

TABLE = SynonymTable(
    [
        SynonymGroup(("numéro d'écoute", "helpline"), "approach", "family-support"),
        SynonymGroup(("coordination", "partnership"), "approach", "multi-agency"),
        SynonymGroup(("hate crimes", "haine"), "theme", "hate"),
    ]
)


def parsed(text: str) -> list[tuple[str, tuple[str, ...], str]]:
    clauses = qmod.parse(text, TABLE, lambda facet, value: None).clauses
    return [(c.kind, c.words, c.value) for c in clauses]


def test_a_compound_word_joins_the_words_before_it_to_name_a_synonym_group() -> None:
    # "d'ecoute" is one token read as a phrase; with "numero" it is the member "numéro d'écoute".
    assert parsed("numero d'ecoute") == [
        ("group", ("numero", "d", "ecoute"), "family-support")
    ]


def test_a_quoted_phrase_is_not_joined_to_the_words_around_it() -> None:
    assert parsed('numero "d\'ecoute"')[0] == ("word", ("numero",), "")


def test_stop_words_at_the_ends_of_a_synonym_run_are_not_part_of_what_was_typed() -> None:
    # Stems skip stop words, so "to hate crimes" finds the group; what was typed is "hate crimes".
    assert ("group", ("hate", "crimes"), "hate") in parsed("response to hate crimes")


@pytest.mark.parametrize(
    "text",
    ["conflits entre voisins après les élections", "conflits entre voisins apres les élections"],
)
def test_articles_and_prepositions_missing_from_the_stop_lists_restrict_nothing(text: str) -> None:
    assert [words for _kind, words, _v in parsed(text)] == [
        ("conflits",), ("voisins",), ("élections",)
    ]


def test_a_synonym_with_the_typed_words_stems_counts_as_typed(index_path: Any) -> None:
    # "coordinate" is not a member, but "coordination" has its stem: it counts fully, and the
    # practice that names it ranks above one that only uses the synonym, even several times.
    group = SynonymGroup(("coordination", "partnership"), "approach", "multi-agency")
    ix = Index.open(index_path, synonyms=[group])
    named = make_document(id=1, body="Coordination of the services. " + "Other words. " * 30)
    synonym = make_document(id=2, body="Partnership, partnership and partnership.")
    ix.rebuild([named, synonym], last_change_id=1, procs=1)
    try:
        assert ids(ix, "coordinate") == [1, 2]
    finally:
        ix.close()
