"""Bounded parsing: deep JSON, out-of-range ids and header characters in `next` are 4xx, and no
route answers a 5xx to any value of its parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import BASE_PRACTICE, PASSWORD, AuthActions, bearer

HUGE = "99999999999999999999999"
PRACTICE: dict[str, Any] = {
    **BASE_PRACTICE,
    "slug": "bounded-input",
    "cities": ["Testville"],
    "themes": ["social-cohesion"],
    "sources": [{"title": "Test source", "url": "https://example.org/source"}],
}


@pytest.fixture
def writer(app: Flask, make_account: Callable[..., Any], vocabulary_loaded: Any) -> dict[str, str]:
    return bearer(app, make_account("contributor", "moderator"))


def test_json_nested_100000_deep_is_a_400(client: FlaskClient, writer: dict[str, str]) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(
        "/api/v1/proposals", data=body, content_type="application/json", headers=writer
    )
    assert response.status_code == 400
    assert response.json is not None and response.json["error"]["status"] == 400


@pytest.mark.parametrize("number", [HUGE, str(2**31), str(2**63)])
@pytest.mark.parametrize(
    "path", ["/api/v1/proposals/{n}", "/fr/moderation/proposals/{n}", "/fr/admin/users/{n}"]
)
def test_ids_beyond_any_database_column_are_a_404(
    client: FlaskClient, login: Callable[..., Any], writer: dict[str, str], path: str, number: str
) -> None:
    login("admin", "moderator")
    assert client.get(path.format(n=number), headers=writer).status_code == 404


def test_a_parent_comment_id_of_ten_to_the_thirty_is_a_400(
    client: FlaskClient, writer: dict[str, str]
) -> None:
    created = client.post("/api/v1/proposals", json=PRACTICE, headers=writer)
    assert created.status_code == 201, created.get_data(as_text=True)
    path = f"/api/v1/proposals/{created.json['id']}/comments"  # type: ignore[index]
    for parent in (10**30, 2**31, -(10**30)):
        response = client.post(path, json={"body": "a reply", "parent_id": parent}, headers=writer)
        assert 400 <= response.status_code < 500, (parent, response.get_data(as_text=True))


@pytest.mark.parametrize("target", ["/%0D%0AX:1", "/fr/account%0aSet-Cookie:x=1", "/%09/evil"])
def test_a_next_with_header_characters_after_sign_in_is_a_safe_redirect(
    client: FlaskClient, make_account: Callable[..., Any], target: str
) -> None:
    account = make_account("moderator")
    auth = AuthActions(client)
    token = auth.token("/fr/login")
    response = client.post(
        f"/fr/login?next={target}",
        data={"email": account.user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location and location.endswith("/account")


# --- fuzzing every route's parameters ----------------------------------------------------------

SEGMENT = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(min_size=1, max_size=40)
    .filter(lambda s: s not in (".", ".."))
    .map(lambda s: quote(s, safe="")),
    st.sampled_from(["fr", "en", "xx", HUGE, "%00", "%ff", "..%2f", "a" * 300]),
)
QUERY = st.dictionaries(
    st.sampled_from(
        [
            "q",
            "page",
            "per_page",
            "since",
            "limit",
            "next",
            "a",
            "b",
            "slugs",
            "theme",
            "country",
            "status",
            "format",
            "sort",
            "collection",
        ]
    ),
    st.one_of(st.text(max_size=30), st.integers(min_value=-(10**30), max_value=10**30).map(str)),
    max_size=3,
)


def _get_routes(app: Flask) -> list[tuple[str, list[str]]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and rule.endpoint != "static":
            routes.append((rule.rule, list(rule.arguments)))
    return sorted(routes)


@pytest.fixture
def signed_in_admin(seeded: Flask, make_account: Callable[..., Any]) -> FlaskClient:
    client = seeded.test_client()
    account = make_account("admin", "moderator", "curator", "contributor")
    assert AuthActions(client).login(account.user.email).status_code == 302
    return client


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_route_answers_a_5xx_to_any_value_of_its_parameters(
    seeded: Flask, signed_in_admin: FlaskClient, data: st.DataObject
) -> None:
    routes = _get_routes(seeded)
    rule, arguments = data.draw(st.sampled_from(routes))
    path = rule
    for name in arguments:
        value = data.draw(SEGMENT)
        path = path.replace(f"<{name}>", value)
        for converter in ("int", "path", "string"):
            path = path.replace(f"<{converter}:{name}>", value)
    query = data.draw(QUERY)
    client = data.draw(st.sampled_from([signed_in_admin, seeded.test_client()]))
    response = client.get(path, query_string=query)
    assert response.status_code < 500, (path, query, response.status_code)
