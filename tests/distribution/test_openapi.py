"""The OpenAPI document covers every public route, and the app honours it (schemathesis)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from kb.catalogue import fields
from kb.distribution import openapi
from kb.distribution.export_views import EXPORT_FORMATS


def _openapi_paths(app: Flask, prefixes: tuple[str, ...]) -> set[str]:
    """The app's GET routes under `prefixes`, written as OpenAPI paths."""
    out = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or not rule.rule.startswith(prefixes):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        if "{fmt}" in path:
            out.update(path.replace("{fmt}", fmt) for fmt in EXPORT_FORMATS)
        else:
            out.add(path)
    return out


def test_every_api_route_is_described(seeded_app: Flask, reader: FlaskClient) -> None:
    spec = reader.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert _openapi_paths(seeded_app, ("/api/v1",)) <= set(spec["paths"])


def test_every_export_and_feed_route_is_described(seeded_app: Flask, reader: FlaskClient) -> None:
    spec = reader.get("/api/v1/openapi.json").get_json()
    routes = {
        p
        for p in _openapi_paths(seeded_app, ("/<lang>",))
        # The admins' audit download is a page behind a sign-in, not part of the public API.
        if p.endswith((".json", ".csv", ".zip", ".atom")) and "/admin/" not in p
    }
    assert routes and routes <= set(spec["paths"])
    assert set(spec["paths"]) <= _openapi_paths(seeded_app, ("/api/v1", "/<lang>"))


def test_the_practice_schema_comes_from_the_field_declarations(reader: FlaskClient) -> None:
    spec = reader.get("/api/v1/openapi.json").get_json()
    practice = spec["components"]["schemas"]["Practice"]
    names = [f.name for f in fields.carried_by("json")]
    assert practice["required"] == names and set(practice["properties"]) == set(names)
    assert practice["properties"]["lead_organisation"]["description"]


def test_the_api_page_renders_the_document_for_people(reader: FlaskClient) -> None:
    html = reader.get("/fr/api").get_data(as_text=True)
    assert "GET /api/v1/changes" in html and "Paramètres" in html
    assert "Organisation porteuse" in html


def test_records_are_conditional_with_etags(reader: FlaskClient) -> None:
    first = reader.get("/api/v1/practices/aarhus-model")
    assert first.headers["ETag"]
    again = reader.get(
        "/api/v1/practices/aarhus-model", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and not again.data


def test_search_pages_link_the_next_and_previous_pages(reader: FlaskClient) -> None:
    response = reader.get("/api/v1/search?theme=hate&per_page=2&page=2")
    data = response.get_json()
    assert data["next"].endswith("theme=hate&per_page=2&page=3")
    assert data["previous"].endswith("theme=hate&per_page=2&page=1")
    assert f'<{data["next"]}>; rel="next"' in response.headers["Link"]
    last = reader.get("/api/v1/search?theme=hate&per_page=100").get_json()
    assert last["next"] is None and last["previous"] is None


def test_any_origin_may_read_the_api(reader: FlaskClient) -> None:
    response = reader.get("/api/v1/search?q=haine", headers={"Origin": "https://example.org"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = reader.options("/api/v1/changes", headers={"Origin": "https://example.org"})
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in reader.get("/fr/").headers


EXAMPLES_PER_OPERATION = 12


def test_the_app_honours_its_openapi_document(seeded_app: Flask) -> None:
    """schemathesis: generated requests to every operation; no 5xx, every response as described."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", seeded_app)
    checks = [
        schemathesis.checks.not_a_server_error,
        schemathesis.checks.status_code_conformance,
        schemathesis.checks.content_type_conformance,
        schemathesis.checks.response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    described = {op.path for op in openapi.ROUTES} - {"/api/v1/openapi.json"}  # loaded above
    assert {op.path for op in operations} == described
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(checks=checks)

        check()
