"""A typo still finds: zero results plus a did-you-mean that matches show the corrected results."""

from __future__ import annotations

import html

from flask.testing import FlaskClient


def test_a_misspelt_word_shows_the_results_of_the_corrected_word(reader: FlaskClient) -> None:
    right = reader.get("/api/v1/search?q=radicalisation&lang=fr").get_json()
    typo = reader.get("/api/v1/search?q=radicalisaton&lang=fr").get_json()
    assert typo["total"] == right["total"] > 0
    assert typo["corrected_from"] == "radicalisaton"
    assert [r["slug"] for r in typo["results"]] == [r["slug"] for r in right["results"]]


def test_the_page_says_it_corrected_and_offers_the_typed_words(reader: FlaskClient) -> None:
    page = html.unescape(reader.get("/fr/search?q=radicalisaton").get_data(as_text=True))
    assert "Résultats pour «\u202fradicalisation\u202f»" in page
    assert "Rechercher plutôt «\u202fradicalisaton\u202f»" in page
    assert "q=radicalisaton&exact=1" in page


def test_asking_for_the_typed_words_does_not_correct_them(reader: FlaskClient) -> None:
    data = reader.get("/api/v1/search?q=radicalisaton&lang=fr&exact=1").get_json()
    assert data["total"] == 0 and data["corrected_from"] is None
    assert data["suggestion"] == "radicalisation"


def test_a_query_with_results_is_never_corrected(reader: FlaskClient) -> None:
    data = reader.get("/api/v1/search?q=haine&lang=fr").get_json()
    assert data["total"] > 0 and data["corrected_from"] is None


def test_a_city_filter_in_the_query_accepts_either_languages_name(reader: FlaskClient) -> None:
    by_id = reader.get("/api/v1/search?q=city:london&lang=fr").get_json()
    for name in ("city:Londres", "city:London", 'city:"Grand Manchester"'):
        data = reader.get(f"/api/v1/search?q={name}&lang=fr").get_json()
        assert data["total"] >= 1, name
    assert reader.get("/api/v1/search?q=city:Londres&lang=fr").get_json()["total"] == by_id["total"]
