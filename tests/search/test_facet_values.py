"""Long facet lists: the filters beside the results show each facet's most frequent values and
link to the facet's own page, where every value can be chosen (a plain form, no JavaScript)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask.testing import FlaskClient

from kb.public import presenting as catalogue

LIMIT = 3


@pytest.fixture(autouse=True)
def short_sidebar(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed content has a few dozen cities; three values per facet make the lists long."""
    monkeypatch.setattr(catalogue, "SIDEBAR_VALUES", LIMIT)


def page_of(reader: FlaskClient, url: str) -> str:
    response = reader.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def sidebar_values(page: str, facet: str) -> list[tuple[str, bool]]:
    form = page.split('<form class="filters"', 1)[1].split("</form>", 1)[0]
    return re.findall(
        rf'<input type="checkbox" id="f-{facet}-m?\d+" name="{facet}" value="([^"]*)"( checked)?',
        form,
    )


def all_values_link(page: str, facet: str) -> str | None:
    found = re.search(rf'<p class="facet-all"><a href="(/\w\w/search/filters/{facet}[^"]*)">', page)
    return found.group(1) if found else None


def test_the_sidebar_lists_the_most_frequent_values_and_links_to_all_of_them(
    reader: FlaskClient,
) -> None:
    page = page_of(reader, "/fr/search?q=jeunes&sort=newest")
    assert len(sidebar_values(page, "city")) == LIMIT
    link = all_values_link(page, "city")
    assert link is not None
    assert dict(parse_qsl(urlsplit(link).query)) == {"q": "jeunes", "sort": "newest"}
    assert re.search(r"Les \d+ valeurs de «\u202fVille\u202f»", page)
    assert "The 3" not in page
    # A facet with few values has no such link.
    assert all_values_link(page, "language") is None


def test_a_selected_value_past_the_limit_stays_in_the_sidebar_checked(
    reader: FlaskClient,
) -> None:
    values = page_of(reader, "/fr/search/filters/city?q=jeunes")
    cities = re.findall(r'name="city" value="([^"]*)"', values)
    rare = cities[-1]
    assert len(cities) > LIMIT
    page = page_of(reader, f"/fr/search?q=jeunes&city={rare}")
    shown = sidebar_values(page, "city")
    assert (rare, " checked") in shown
    assert len(shown) == LIMIT + 1


def test_the_values_page_offers_every_value_and_keeps_the_rest_of_the_search(
    reader: FlaskClient,
) -> None:
    page = page_of(reader, "/fr/search/filters/city?q=jeunes&country=FR&sort=newest&page=2")
    assert "<h1>Ville\u202f: toutes les valeurs</h1>" in page
    assert '<meta name="robots" content="noindex">' in page
    form = page.split('<form class="facet-values"', 1)[1].split("</form>", 1)[0]
    assert 'action="/fr/search#results"' in form
    hidden = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form)
    assert hidden == [("q", "jeunes"), ("country", "FR"), ("sort", "newest")]
    options = re.findall(
        r'name="city" value="([^"]*)"[^>]*>\s*<label[^>]*>[^<]*<span class="count">\((\d+)\)', form
    )
    counts = [int(n) for _v, n in options]
    assert len(options) > LIMIT
    assert counts == sorted(counts, reverse=True)
    api = reader.get("/api/v1/search?q=jeunes&country=FR&lang=fr").get_json()
    assert {f["value"]: f["count"] for f in api["facets"]["city"]} == {
        v: int(n) for v, n in options
    }
    assert "Retour aux résultats" in page


def test_choosing_on_the_values_page_filters_the_results(reader: FlaskClient) -> None:
    values = page_of(reader, "/fr/search/filters/city?q=jeunes")
    first, second = re.findall(r'name="city" value="([^"]*)"', values)[:2]
    results = reader.get(
        "/api/v1/search", query_string={"q": "jeunes", "city": [first, second], "lang": "fr"}
    ).get_json()
    cities = {c for r in results["results"] for c in r["cities"]}
    assert cities & {first, second} and results["total"] > 0
    page = page_of(reader, f"/fr/search/filters/city?q=jeunes&city={second}")
    assert re.search(rf'name="city" value="{re.escape(second)}" checked', page)


def test_the_values_page_sorts_alphabetically_on_request(reader: FlaskClient) -> None:
    page = page_of(reader, "/en/search/filters/country?order=az")
    labels = re.findall(r'<label for="v-\d+">([^<]*) <span class="count">', page)
    assert labels == sorted(labels, key=lambda s: s.casefold())
    assert '<strong aria-current="true">alphabetical</strong>' in page
    assert "order=count" in page


def test_an_unknown_facet_is_a_clear_404_in_the_readers_language(reader: FlaskClient) -> None:
    response = reader.get("/fr/search/filters/colour")
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in response.get_data(as_text=True)


def test_what_was_typed_is_shown_back_escaped(reader: FlaskClient) -> None:
    response = reader.get("/fr/search/filters/city", query_string={"q": "<script>x</script>"})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<script>x</script>" not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body
