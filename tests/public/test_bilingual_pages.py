"""A practice reads in the reader's language: translated body marked as such, names, dates."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from kb.text.typography import NNBSP

TRANSLATED: dict[str, Any] = {
    "slug": "translated-practice",
    "body": "## Context\n\nResidents meet every month in the library.\n",
    "body_translation": (
        "## Contexte\n\nLes habitants se réunissent chaque mois à la médiathèque.\n"
    ),
    "evaluation": "No published evaluation.",
    "evaluation_translation": "Aucune évaluation publiée.",
    "lessons": "Meetings need a host.",
    "lessons_translation": "Les réunions ont besoin d'un hôte.",
    "lead_organisation": "City of Testville",
    "lead_organisation_fr": "Ville de Testville",
}


def text_of(response: Any) -> str:
    assert response.status_code == 200
    return html.unescape(str(response.get_data(as_text=True)))


def test_a_french_reader_gets_the_translation_marked_as_translated_from_english(
    client: FlaskClient, make_practice: Callable[..., Any]
) -> None:
    make_practice(**TRANSLATED)
    page = text_of(client.get("/fr/practices/translated-practice"))
    assert "Traduit de l'anglais" in page
    assert re.search(r'<div class="prose" lang="fr"><h2>Contexte</h2>', page)
    assert '<div class="prose" lang="en"><h2>Context</h2>' in page  # the original, folded
    assert "Aucune évaluation publiée." in page and "Ville de Testville" in page
    assert "réunions ont besoin" in page


def test_the_evaluation_is_said_once_with_the_evidence_level_not_in_a_second_section(
    client: FlaskClient, make_practice: Callable[..., Any]
) -> None:
    make_practice(**TRANSLATED)
    page = text_of(client.get("/en/practices/translated-practice"))
    assert page.count("No published evaluation.") == 1
    assert 'id="evaluation-heading"' not in page
    assert '<p class="evidence-note">No published evaluation.</p>' in page


def test_a_name_left_in_another_language_is_marked_with_its_language(
    client: FlaskClient, make_practice: Callable[..., Any]
) -> None:
    make_practice(partners=("Groundwork London",))  # no French name given
    page = text_of(client.get("/fr/practices/test-practice"))
    assert '<dd lang="en">City of Testville</dd>' in page
    assert '<li lang="en">Groundwork London</li>' in page
    translated = make_practice(**{**TRANSLATED, "slug": "named-practice"})
    assert translated.lead_organisation_fr
    page = text_of(client.get("/fr/practices/named-practice"))
    assert "<dd>Ville de Testville</dd>" in page


def test_an_english_reader_gets_the_original_without_a_notice(
    client: FlaskClient, make_practice: Callable[..., Any]
) -> None:
    make_practice(**TRANSLATED)
    page = text_of(client.get("/en/practices/translated-practice"))
    assert "Translated from" not in page
    assert '<div class="prose" lang="en"><h2>Context</h2>' in page
    assert "City of Testville" in page and "Ville de Testville" not in page


def test_a_french_original_is_translated_from_french_for_english_readers(
    client: FlaskClient, make_practice: Callable[..., Any]
) -> None:
    make_practice(
        slug="french-practice",
        language="fr",
        body="## Contexte\n\nLes habitants se réunissent.\n",
        body_translation="## Context\n\nResidents meet.\n",
    )
    page = text_of(client.get("/en/practices/french-practice"))
    assert "Translated from French" in page
    assert '<div class="prose" lang="en"><h2>Context</h2>' in page


def test_a_practice_without_translation_says_which_language_it_is_written_in(
    client: FlaskClient, make_practice: Callable[..., Any]
) -> None:
    make_practice()
    page = text_of(client.get("/fr/practices/test-practice"))
    assert "rédigée en anglais" in page and "Traduit" not in page


def test_words_found_only_in_the_translation_find_the_practice(
    client: FlaskClient, make_practice: Callable[..., Any]
) -> None:
    make_practice(**TRANSLATED)
    data = client.get("/api/v1/search?q=médiathèque&lang=fr").get_json()
    assert [r["slug"] for r in data["results"]] == ["translated-practice"]


def test_the_api_record_carries_both_sides(
    client: FlaskClient, make_practice: Callable[..., Any]
) -> None:
    make_practice(**TRANSLATED)
    record = client.get("/api/v1/practices/translated-practice").get_json()
    assert record["translation_language"] == "fr"
    assert record["body_translation"].startswith("## Contexte")
    assert record["evaluation_translation"] == "Aucune évaluation publiée."
    assert record["lead_organisation_fr"] == "Ville de Testville"


def test_dates_are_running_text_in_the_readers_locale_never_iso(
    client: FlaskClient, make_practice: Callable[..., Any]
) -> None:
    make_practice()
    for lang, month in (("fr", r"\d{1,2} [a-zéû]+ \d{4}"), ("en", r"\d{1,2} [A-Z][a-z]+ \d{4}")):
        page = text_of(client.get(f"/{lang}/practices/test-practice"))
        visible = re.sub(r"<[^>]+>", " ", re.sub(r"<script.*?</script>", "", page, flags=re.S))
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", visible)
        assert re.search(month, visible.replace("\u00a0", " ").replace(NNBSP, " "))
        # No "last updated <import date>": only a later content change is shown as a change.
        assert "Dernière mise à jour" not in visible and "Last updated" not in visible
        assert "Dernière modification" not in visible and "Last substantive" not in visible


def test_cities_have_one_name_per_language_in_titles_filters_and_cards(
    reader: FlaskClient,
) -> None:
    page = text_of(reader.get("/fr/search?q=&city=london"))
    assert "Londres" in page and ">London<" not in page
    data = reader.get("/api/v1/search?q=shared+endeavour&lang=fr").get_json()
    assert data["results"][0]["city_names"] == ["Londres"]
    cities = {f["value"]: f["label"] for f in data["facets"]["city"]}
    assert cities["london"] == "Londres"
    english = reader.get("/api/v1/search?q=shared+endeavour&lang=en").get_json()
    assert {f["value"]: f["label"] for f in english["facets"]["city"]}["london"] == "London"


def test_copy_sites_are_marked_and_come_after_official_sources(reader: FlaskClient) -> None:
    page = text_of(reader.get("/fr/practices/greater-manchester-shared-future-commission"))
    assert "copie non officielle" in page
    record = reader.get("/api/v1/practices/greater-manchester-shared-future-commission").get_json()
    flags = [s["unofficial_copy"] for s in record["sources"]]
    assert flags == sorted(flags)  # official first
    assert "1.800.gay" not in text_of(
        reader.get("/fr/practices/toulouse-integrated-security-contract")
    )


def test_the_home_lists_recent_publications_only_when_there_are_some(
    client: FlaskClient, make_practice: Callable[..., Any], session: Any
) -> None:
    from datetime import timedelta

    from kb.models import utcnow

    first = make_practice(slug="first-practice", start_year=2010)
    make_practice(slug="second-practice", start_year=2020)
    # Both came in one import: nothing was "recently published", the home says what it shows.
    page = text_of(client.get("/fr/"))
    assert "Pratiques lancées le plus récemment" in page and "Publiées récemment" not in page
    assert page.index("second-practice") < page.index("first-practice")

    first.published_at = utcnow() - timedelta(days=3)  # the import was three days ago
    session.add(first)
    session.commit()
    page = text_of(client.get("/fr/"))
    assert "Publiées récemment" in page
    recent = page[page.index("Publiées récemment") :]
    assert "second-practice" in recent.split("</section>")[0]
    assert "first-practice" not in recent.split("</section>")[0]
