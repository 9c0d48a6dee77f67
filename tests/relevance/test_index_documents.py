"""What kb indexes of a practice beyond its words (place names in both languages) and what it
leaves out (sentences saying no evaluation was found)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from indexer import Query
from kb.search import index_sync as search
from kb.search.negation import without_negated_evaluation
from kb.search.places import PlaceNames, country_groups

UNTRANSLATED = (
    "## Context\n\nAfter several young residents left for Syria, the city worked with "
    "partners in London and Antwerp.\n"
)


def slugs(session: Session, index: Any, text: str, lang: str) -> list[str]:
    query = Query(text=text, lang=lang)
    return [p.slug for p in search.search(session=session, index=index, query=query).practices]


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Syrie", "fr"), ("Londres", "fr"), ("Anvers", "fr"), ("Syria", "en"), ("London", "en")],
)
def test_a_place_named_in_one_language_is_found_by_its_name_in_the_other(
    make_practice: Callable[..., Any], session: Session, index: Any, text: str, lang: str
) -> None:
    # Written in English, no translation yet: only the index knows « Syrie » and « Londres ».
    make_practice(slug="returnees", body=UNTRANSLATED)
    assert slugs(session, index, text, lang) == ["returnees"]


def test_a_french_text_naming_a_country_is_found_in_english(
    make_practice: Callable[..., Any], session: Session, index: Any
) -> None:
    body = "## Contexte\n\nLa ville s'inspire d'un programme mené en Allemagne et aux Pays-Bas.\n"
    make_practice(slug="inspired", language="fr", body=body)
    assert slugs(session, index, "Germany", "en") == ["inspired"]
    assert slugs(session, index, "Netherlands", "en") == ["inspired"]


def test_only_capitalised_mentions_of_a_place_count() -> None:
    places = PlaceNames([("Nice", "Nizza"), *country_groups()])
    assert places.other_names("a nice day, not Nice in Syria") == ["Nizza", "Syrie"]


def test_places_spelled_alike_in_both_languages_add_nothing() -> None:
    assert PlaceNames([("Berlin", "Berlin")]).other_names("Berlin") == []


NO_EVALUATION = (
    "## Results and evaluation\n\nThe city reports 40 meetings a year. No independent "
    "evaluation was found; the sources do not say whether it still runs.\n"
)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("independent evaluation", "en"),
        ("évaluation indépendante", "fr"),
        ('"independent evaluation"', "en"),
        ("programmes évalués de façon indépendante", "fr"),
    ],
)
def test_saying_no_evaluation_was_found_does_not_match_evaluation_queries(
    make_practice: Callable[..., Any], session: Session, index: Any, text: str, lang: str
) -> None:
    make_practice(slug="unevaluated", body=NO_EVALUATION, evidence_level="none-found")
    make_practice(slug="evaluated", evidence_level="independent-evaluation")
    assert slugs(session, index, text, lang) == ["evaluated"]


def test_the_rest_of_a_results_section_stays_searchable(
    make_practice: Callable[..., Any], session: Session, index: Any
) -> None:
    make_practice(slug="unevaluated", body=NO_EVALUATION)
    assert slugs(session, index, "meetings", "en") == ["unevaluated"]


@pytest.mark.parametrize(
    "sentence",
    [
        "An independent evaluation (2019) found fewer referrals.",
        "L'évaluation indépendante publiée en 2019 ne relève aucun effet négatif.",
        "The evaluation found no effect on attitudes.",
    ],
)
def test_a_sentence_about_an_existing_evaluation_is_kept(sentence: str) -> None:
    assert without_negated_evaluation(sentence) == sentence


@pytest.mark.parametrize(
    "sentence",
    [
        "No independent evaluation was found.",
        "Aucune évaluation publiée du programme n'a été trouvée.",
        "The scheme has not been independently evaluated.",
        "Le dispositif n'a jamais été évalué.",
        "Il n'existe pas d'évaluation externe.",
        "This is a reported figure, not the finding of an evaluation.",
    ],
)
def test_a_sentence_saying_an_evaluation_is_missing_is_left_out(sentence: str) -> None:
    assert without_negated_evaluation(f"Before. {sentence} After.") == "Before. After."
