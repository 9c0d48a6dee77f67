"""The served app: the public list, health, and errors as HTML pages or JSON under /api/."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient


def test_home_lists_published_practices(reader: FlaskClient) -> None:
    page = reader.get("/", follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "The Aarhus model" in html or "Aarhus" in html
    assert "Montréal" in html or "Montreal" in html


def test_health_reports_database_and_index(reader: FlaskClient) -> None:
    data = reader.get("/healthz").get_json()
    assert data["status"] == "ok" and data["index_lag"] == 0 and data["index_documents"] > 0


def test_an_unknown_page_is_an_html_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_an_unknown_api_path_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_an_unknown_practice_in_the_api_is_a_json_404(reader: FlaskClient) -> None:
    response = reader.get("/api/v1/practices/no-such-practice")
    assert (
        response.status_code == 404
        and "no-such-practice" in response.get_json()["error"]["message"]
    )


def test_the_api_returns_a_full_public_record(reader: FlaskClient) -> None:
    record = reader.get("/api/v1/practices/aarhus-model").get_json()
    assert record["slug"] == "aarhus-model" and record["country"] == "DK"
    assert record["sources"] and record["sources"][0]["url"].startswith("http")


def test_an_unexpected_error_is_a_500_page_without_details(app: Flask) -> None:
    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.get_data(as_text=True)
