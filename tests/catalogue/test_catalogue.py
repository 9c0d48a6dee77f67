"""The practitioners' catalogue: bilingual pages, search, facets, practice pages, URL contract."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient

from tests.conftest import CONTENT_DIR

SLUGS = sorted(p.stem for p in (CONTENT_DIR / "practices").glob("*.md"))


def html(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("fr-FR,fr;q=0.9", "/fr/"), ("en-GB,en;q=0.8", "/en/"), ("de-DE", "/fr/"), ("", "/fr/")],
)
def test_the_root_redirects_by_accept_language_french_when_in_doubt(
    reader: FlaskClient, accept: str, expected: str
) -> None:
    response = reader.get("/", headers={"Accept-Language": accept})
    assert response.status_code == 302 and response.headers["Location"].endswith(expected)


def test_the_chosen_language_is_remembered(reader: FlaskClient) -> None:
    reader.get("/en/about")
    response = reader.get("/", headers={"Accept-Language": "fr"})
    assert response.headers["Location"].endswith("/en/")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_home_shows_search_themes_recent_practices_and_places(
    reader: FlaskClient, lang: str
) -> None:
    page = html(reader.get(f"/{lang}/"))
    assert f'<html lang="{lang}">' in page
    assert 'role="search"' in page
    assert f'href="/{lang}/themes/violent-extremism"' in page
    assert f'href="/{lang}/countries/FR"' in page
    assert f'href="/{lang}/about"' in page
    assert ("Pratiques municipales" in page) == (lang == "fr")


@pytest.mark.parametrize(
    "path",
    [
        "/fr/",
        "/en/search?q=haine",
        "/fr/practices/aarhus-model",
        "/en/themes/hate",
        "/fr/countries/DK",
        "/en/about",
    ],
)
def test_every_page_links_to_its_twin_in_the_other_language(reader: FlaskClient, path: str) -> None:
    lang, other = path[1:3], "en" if path[1:3] == "fr" else "fr"
    page = html(reader.get(path))
    twin = path.replace(f"/{lang}/", f"/{other}/", 1)
    assert f'hreflang="{other}"' in page and twin.replace("&", "&amp;") in page


def test_a_french_query_finds_an_english_practice_on_the_theme(reader: FlaskClient) -> None:
    page = html(reader.get("/fr/search?q=haine"))
    assert "/fr/practices/la-county-la-vs-hate" in page
    assert "<mark>" in page


def test_search_shows_exact_total_and_facet_counts(reader: FlaskClient) -> None:
    data = reader.get("/api/v1/search?q=radicalisation&lang=fr").get_json()
    page = html(reader.get("/fr/search?q=radicalisation"))
    assert f"{data['total']} pratiques" in page
    theme_counts = {f["value"]: f["count"] for f in data["facets"]["theme"]}
    assert theme_counts["radicalisation"] == data["total"] or theme_counts["radicalisation"] > 0


def test_filters_within_a_facet_are_or_and_across_facets_are_and(reader: FlaskClient) -> None:
    one = reader.get("/api/v1/search?country=FR").get_json()["total"]
    two = reader.get("/api/v1/search?country=FR&country=DK").get_json()
    assert two["total"] > one
    both = reader.get("/api/v1/search?country=FR&theme=local-democracy").get_json()
    assert both["total"] <= one
    assert all(r["country"] == "FR" for r in both["results"])
    countries = {f["value"]: f for f in two["facets"]["country"]}
    assert countries["FR"]["selected"] and countries["DK"]["selected"]
    assert "BE" in countries  # a facet's own selection does not hide its alternatives


def test_active_filters_are_removable_chips(reader: FlaskClient) -> None:
    page = html(reader.get("/en/search?q=youth&theme=hate&country=US"))
    chips = re.findall(r'<a class="chip" href="([^"]+)"', page)
    assert any("theme=hate" not in c and "country=US" in c for c in chips)
    assert any("country=US" not in c and "theme=hate" in c for c in chips)


def test_an_empty_query_with_filters_browses(reader: FlaskClient) -> None:
    data = reader.get("/api/v1/search?theme=local-democracy").get_json()
    assert data["total"] >= 1 and data["results"]


def test_did_you_mean_offers_a_corrected_query_when_asked_not_to_correct(
    reader: FlaskClient,
) -> None:
    page = html(reader.get("/en/search?q=polarisaton&exact=1"))
    assert "Did you mean" in page and "polarisation" in page


def test_an_empty_result_suggests_what_to_try(reader: FlaskClient) -> None:
    page = html(reader.get("/fr/search?q=zzzqqqxxx"))
    assert "Aucune pratique ne correspond" in page
    assert "Parcourir par thème" in page and "Vérifiez l'orthographe" in page


@pytest.mark.parametrize("sort", ["relevance", "newest", "title"])
def test_results_can_be_sorted(reader: FlaskClient, sort: str) -> None:
    data = reader.get(f"/api/v1/search?sort={sort}&per_page=100&lang=en").get_json()
    assert data["sort"] == sort and len(data["results"]) == data["total"] == len(SLUGS)
    if sort == "title":
        titles = [r["title"].casefold() for r in data["results"]]
        assert titles == sorted(titles)


def test_pagination_splits_results(reader: FlaskClient) -> None:
    first = reader.get("/api/v1/search?per_page=10&page=1").get_json()
    second = reader.get("/api/v1/search?per_page=10&page=2").get_json()
    assert len(first["results"]) == 10
    assert not {r["slug"] for r in first["results"]} & {r["slug"] for r in second["results"]}
    assert 'rel="next"' in html(reader.get("/en/search?per_page=10"))


@pytest.mark.parametrize("slug", SLUGS)
def test_every_practice_page_shows_its_record(reader: FlaskClient, slug: str) -> None:
    response = reader.get(f"/fr/practices/{slug}")
    assert response.status_code == 200
    page = html(response)
    assert "Sources" in page and 'rel="nofollow noopener noreferrer"' in page
    assert "Citer cette pratique" in page and "Niveau de preuve" in page
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert ld and json.loads(ld.group(1))["url"].endswith(f"/fr/practices/{slug}")
    assert response.headers["ETag"] and response.headers["Last-Modified"]


def test_a_practice_page_answers_304_when_unchanged(reader: FlaskClient) -> None:
    etag = reader.get("/en/practices/aarhus-model").headers["ETag"]
    assert (
        reader.get("/en/practices/aarhus-model", headers={"If-None-Match": etag}).status_code == 304
    )


def test_a_practice_page_lists_related_practices(reader: FlaskClient) -> None:
    page = html(reader.get("/en/practices/aarhus-model"))
    assert "Related practices" in page
    assert len(re.findall(r'class="card-title"', page)) >= 1


def test_the_body_language_is_marked_when_it_differs_from_the_interface(
    reader: FlaskClient,
) -> None:
    page = html(reader.get("/fr/practices/aarhus-model"))
    # The French translation is shown, marked as such; the English original is marked lang="en".
    assert "Traduit de l&#39;anglais" in page and 'lang="en"' in page


def test_theme_and_country_pages_browse_their_practices(reader: FlaskClient) -> None:
    theme = html(reader.get("/fr/themes/local-democracy"))
    assert (
        "Démocratie locale" in theme
        and "/fr/practices/strasbourg-foreign-residents-council" in theme
    )
    country = html(reader.get("/en/countries/DK"))
    assert "Denmark" in country and "/en/practices/aarhus-model" in country


def test_about_is_served_from_content_in_both_languages(reader: FlaskClient) -> None:
    assert "Strasbourg" in html(reader.get("/fr/about")) and "Strasbourg" in html(
        reader.get("/en/about")
    )


def test_sitemap_and_robots(reader: FlaskClient) -> None:
    sitemap = html(reader.get("/sitemap.xml"))
    assert sitemap.count("<url>") >= 2 * len(SLUGS)
    assert "Sitemap:" in html(reader.get("/robots.txt"))


def test_security_headers_are_set(reader: FlaskClient) -> None:
    headers = reader.get("/fr/").headers
    csp = headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp
        and "frame-ancestors 'none'" in csp
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"]


@pytest.mark.parametrize(
    "path", ["/fr/", "/fr/search?q=haine", "/fr/practices/montreal-cprmv", "/fr/about"]
)
def test_pages_have_no_inline_script_or_style(reader: FlaskClient, path: str) -> None:
    page = html(reader.get(path))
    assert not re.search(r"<script(?![^>]*(src=|application/ld\+json))", page)
    assert " style=" not in page and "<style" not in page and "onclick" not in page


def test_the_search_api_follows_its_contract(reader: FlaskClient) -> None:
    data = reader.get("/api/v1/search?q=jeunes&lang=fr&per_page=5").get_json()
    assert set(data) >= {"query", "total", "page", "per_page", "suggestion", "results", "facets"}
    assert set(data["facets"]) >= {
        "theme",
        "country",
        "city",
        "approach",
        "target",
        "language",
        "year",
    }
    first = data["results"][0]
    assert set(first) >= {
        "slug",
        "title",
        "summary",
        "city",
        "country",
        "themes",
        "language",
        "url",
        "snippet",
    }
    assert first["url"].startswith("http") and "/fr/practices/" in first["url"]
    labels = {f["value"]: f["label"] for f in data["facets"]["theme"]}
    assert labels.get("violent-extremism", "Extrémisme violent") == "Extrémisme violent"


def test_suggest_returns_practices_cities_and_themes(reader: FlaskClient) -> None:
    kinds = {
        s["kind"] for s in reader.get("/api/v1/suggest?q=mont&lang=fr").get_json()["suggestions"]
    }
    assert {"city", "practice"} <= kinds
    themes = reader.get("/api/v1/suggest?q=pola&lang=en").get_json()["suggestions"]
    assert themes[0] == {"kind": "theme", "value": "polarisation", "label": "Polarisation"}
