"""What kb indexes of a practice beyond its words: place names in both languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from indexer import Query
from kb.search import index_sync as search
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
