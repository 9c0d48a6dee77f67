"""The seed content is complete, bilingual, sourced, free of personal data, true to the dossier."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kb.catalogue import facts
from kb.catalogue.sources import is_unofficial_copy
from kb.catalogue.validation import EMAIL_RE, PHONE_RE
from kb.content.folder import load
from kb.text import bilingual
from tests.conftest import CONTENT_DIR

DOSSIER = CONTENT_DIR.parent.parent / "shared" / "research" / "practices_dossier.yaml"
DOSSIER_2 = DOSSIER.with_name("practices_dossier_2.yaml")
LOADED = load(CONTENT_DIR)
PRACTICES = {p.slug: p for p in LOADED.practices}
# URLs the dossier gives in a broken form, and their repaired form in the content.
TOULOUSE_DELIBERATION = "fr.scribd.com/document/503029453/Deliberation-contrat-de-securite-Toulouse"
NEWSLINE = "newsline.ccc.govt.nz"
REPAIRED_URLS = {
    f"https://1.800.gay:443/https/{TOULOUSE_DELIBERATION}": f"https://{TOULOUSE_DELIBERATION}",
    # well-known sites that serve https, given as http:// in the second dossier
    **{
        f"http://{u}": f"https://{u}"
        for u in (
            "france3-regions.francetvinfo.fr/bretagne/2014/09/18/rennes-la-mediation-au-service-des-conflits-de-voisinage-553192.html",
            "www.tvanouvelles.ca/2018/01/22/quatre-jours-de-commemorations-organises-pour-les-victimes",
            "pascal-holenweg.blogspot.com/2021/01/des-correspondants-de-nuit-geneve.html",
        )
    },
    # http where the site serves https; a mailing's tracking query; a search redirect's target.
    "http://wien.gv.at/menschen/kind-familie/servicestellen/wned.html": (
        "https://wien.gv.at/menschen/kind-familie/servicestellen/wned.html"
    ),
    "http://www.ekd.de/aktuell_presse/news_2009_04_07_1_rat_der_religionen.html": (
        "https://www.ekd.de/aktuell_presse/news_2009_04_07_1_rat_der_religionen.html"
    ),
    "https://www.nyc.gov/office-of-the-mayor/news/058-23/mayor-adams-launches-breaking-bread-"
    "building-bonds-citywide-combat-rising-hate-foster?utm_medium=email&utm_name=&utm_source="
    "govdelivery#/0": "https://www.nyc.gov/office-of-the-mayor/news/058-23/mayor-adams-launches-"
    "breaking-bread-building-bonds-citywide-combat-rising-hate-foster",
    f"http://{NEWSLINE}/search-results/searchRedirect?collection=252fda80-ea0b-43a5-a3be-"
    "5c9d0de11669~sp-christchurch-city-council---newsline&url=https%3A%2F%2Fnewsline.ccc.govt.nz"
    "%2Fnews%2Fstory%2Fchristchurch-city-council-condemns-terror-attacks&auth=6KbjFZHeJFACZqG4G"
    "HnrCw&profile=news-v1&rank=36&query=keyword%3A%22Mosque+attacks%22": (
        f"https://{NEWSLINE}/news/story/christchurch-city-council-condemns-terror-attacks"
    ),
}


def same_source(url: str) -> str:
    """A URL as the content may repair it (source hygiene): `https` for `http`, no trailing dot
    after the host, no default port. The content keeps the dossier's sources, repaired."""
    url = REPAIRED_URLS.get(url, url)
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    host = host.removesuffix(":443").removesuffix(":80").rstrip(".").lower()
    return f"https://{host}{slash}{path}"

FILES = sorted(CONTENT_DIR.rglob("*.md")) + sorted(CONTENT_DIR.glob("*.yaml"))

FRENCH = {
    "le",
    "la",
    "les",
    "des",
    "du",
    "de",
    "et",
    "une",
    "un",
    "pour",
    "dans",
    "est",
    "sur",
    "en",
    "au",
    "aux",
    "qui",
    "par",
}
ENGLISH = {
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "for",
    "is",
    "on",
    "with",
    "by",
    "its",
    "that",
    "from",
    "as",
    "an",
}


def share(text: str, words: set[str]) -> float:
    tokens = re.findall(r"[a-zà-ÿ']+", text.lower())
    return sum(t in words for t in tokens) / max(1, len(tokens))


def _entries(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {p["id"]: p for p in data["practices"]}


@pytest.fixture(scope="module")
def dossier() -> dict[str, Any]:
    if not DOSSIER.exists():
        pytest.skip(f"research dossier not found at {DOSSIER} (shared/ is laid beside the repo)")
    entries = _entries(DOSSIER)
    if DOSSIER_2.exists():
        entries |= _entries(DOSSIER_2)
    return entries


def test_every_dossier_practice_has_exactly_one_content_file(dossier: dict[str, Any]) -> None:
    assert set(PRACTICES) == set(dossier)


@pytest.mark.parametrize("slug", sorted(PRACTICES))
def test_each_practice_is_bilingual_sourced_and_themed(slug: str) -> None:
    p = PRACTICES[slug]
    assert (
        p.title_fr.strip() and p.title_en.strip() and p.summary_fr.strip() and p.summary_en.strip()
    )
    assert p.sources and all(s.url.startswith(("http://", "https://")) for s in p.sources)
    assert p.themes


@pytest.mark.parametrize("slug", sorted(PRACTICES))
def test_french_fields_are_french_and_english_fields_english(slug: str) -> None:
    p = PRACTICES[slug]
    for text in (p.summary_fr,):
        assert share(text, FRENCH) > share(text, ENGLISH), text
    for text in (p.summary_en,):
        assert share(text, ENGLISH) > share(text, FRENCH), text
    body_words = FRENCH if p.language == "fr" else ENGLISH
    other = ENGLISH if p.language == "fr" else FRENCH
    assert share(p.body, body_words) > share(p.body, other)


@pytest.mark.parametrize("slug", sorted(PRACTICES))
def test_each_body_has_the_sections_of_its_own_language(slug: str) -> None:
    p = PRACTICES[slug]
    assert bilingual.headings(p.body) == bilingual.HEADINGS[p.language]
    if p.body_translation:
        other = bilingual.other(p.language)
        assert bilingual.headings(p.body_translation) == bilingual.HEADINGS[other]
        assert share(p.body_translation, FRENCH if other == "fr" else ENGLISH) > share(
            p.body_translation, ENGLISH if other == "fr" else FRENCH
        )


@pytest.mark.parametrize("slug", sorted(PRACTICES))
def test_a_translated_evaluation_or_lessons_has_its_original(slug: str) -> None:
    p = PRACTICES[slug]
    assert not p.evaluation_translation or p.evaluation
    assert not p.lessons_translation or p.lessons


def test_every_practice_has_its_body_evaluation_and_lessons_in_both_languages() -> None:
    missing = sorted(
        f"content/practices/{p.slug}.md: {', '.join(gaps)}"
        for p in PRACTICES.values()
        if (
            gaps := [
                name
                for name, original, translation in (
                    ("body", p.body, p.body_translation),
                    ("evaluation", p.evaluation, p.evaluation_translation),
                    ("lessons", p.lessons, p.lessons_translation),
                )
                if original and not translation
            ]
        )
    )
    assert not missing, "no translation yet:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CONTENT_DIR)))
def test_no_file_holds_an_email_address_or_phone_number(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not EMAIL_RE.search(text) and not PHONE_RE.search(text)


@pytest.mark.parametrize("slug", sorted(PRACTICES))
def test_status_year_sources_and_events_follow_the_dossier(
    slug: str, dossier: dict[str, Any]
) -> None:
    p, d = PRACTICES[slug], dossier[slug]
    assert p.status == d["status"]
    if isinstance(d["started"], int):
        assert p.start_year == d["started"]
    assert {same_source(s.url) for s in p.sources} == {same_source(s["url"]) for s in d["sources"]}
    presented = d["presented_at_strasbourg_2024"] is True
    assert ("strasbourg-2024" in p.events) == presented


def _amount_forms(amount: float) -> set[str]:
    """How the dossier may write an amount: 875,000 / 1.3 million / 1 million."""
    forms = {f"{amount:,.0f}"}
    if amount >= 1_000_000:
        forms.add(f"{amount / 1_000_000:g} million")
    return forms


@pytest.mark.parametrize("slug", sorted(s for s, p in PRACTICES.items() if p.facts))
def test_every_fact_field_is_traceable_to_a_dossier_source(
    slug: str, dossier: dict[str, Any]
) -> None:
    p, d = PRACTICES[slug], dossier[slug]
    dossier_urls = {same_source(s["url"]) for s in d["sources"]}
    practice_urls = {s.url for s in p.sources}
    for url in facts.sources_of(p.facts):
        assert same_source(url) in dossier_urls and url in practice_urls, url
    stated = " ".join(d["key_facts"])
    budget = p.facts.get("budget")
    if budget:
        assert budget["currency"] in stated
        assert any(form in stated for form in _amount_forms(budget["amount"])), budget
    staffing = p.facts.get("staffing")
    if staffing:
        assert "full-time" in stated  # the only staffing the dossier states


def test_blank_stays_blank_facts_appear_only_where_the_dossier_states_them() -> None:
    with_budget = {s for s, p in PRACTICES.items() if p.facts.get("budget")}
    assert with_budget <= {s for s, p in PRACTICES.items() if p.sources}
    assert all(
        not p.facts or set(p.facts) <= {"budget", "website", "staffing"} for p in PRACTICES.values()
    )


@pytest.mark.parametrize("slug", sorted(PRACTICES))
def test_official_sources_come_before_unofficial_copies(slug: str) -> None:
    flags = [is_unofficial_copy(s.url) for s in PRACTICES[slug].sources]
    assert flags == sorted(flags)


def test_no_copy_site_url_is_left_unmarked_by_the_copy_site_list() -> None:
    hosts = {"scribd", "pdfslide", "docslib", "fdokumen"}
    for p in PRACTICES.values():
        for s in p.sources:
            if any(h in s.url for h in hosts):
                assert is_unofficial_copy(s.url), s.url


def test_no_practice_claims_a_check_date_the_dossier_does_not_give() -> None:
    # The dossier says sources came from a stored index "of varying age", not when: none shown.
    assert all(p.checked_on is None for p in PRACTICES.values())


def test_every_city_id_has_a_french_and_an_english_name() -> None:
    cities = {t.slug: t for t in LOADED.vocabulary.terms["city"]}
    for p in PRACTICES.values():
        for city in p.cities:
            assert cities[city].label_fr and cities[city].label_en
    assert cities["london"].label_fr == "Londres"
    assert cities["greater-manchester"].label_fr == "Grand Manchester"


def test_greater_manchester_lists_no_partner_the_dossier_does_not_tie_to_the_commission() -> None:
    assert PRACTICES["greater-manchester-shared-future-commission"].partners == ()


def test_about_exists_in_both_languages_with_sources() -> None:
    about = {page.language: page for page in LOADED.pages if page.slug == "about"}
    assert set(about) == {"fr", "en"}
    assert all(page.sources for page in about.values())
    assert "13" in about["en"].body and "14" in about["en"].body  # the date discrepancy is stated


def test_the_taxonomy_covers_the_required_themes_with_spelling_variants() -> None:
    themes = {t.slug: t for t in LOADED.vocabulary.terms["theme"]}
    required = {
        "hate",
        "violent-extremism",
        "polarisation",
        "discrimination",
        "social-cohesion",
        "local-democracy",
        "online-harms",
        "radicalisation",
    }
    assert required <= set(themes)
    assert "polarization" in themes["polarisation"].synonyms_en
    assert "radicalization" in themes["radicalisation"].synonyms_en
    assert "young-people" in {t.slug for t in LOADED.vocabulary.terms["target"]}
