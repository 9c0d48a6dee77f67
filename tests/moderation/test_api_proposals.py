"""The moderation API: the same flow and the same refusals as the screens, as JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from kb import db
from kb.accounts import tokens as api_tokens
from kb.moderation.reviews import CHECKLIST
from kb.permissions import Actor
from tests.conftest import BASE_PRACTICE

PRACTICE: dict[str, Any] = {
    **BASE_PRACTICE,
    "slug": "api-spotlight",
    "cities": ["Testville"],
    "themes": ["social-cohesion"],
    "sources": [{"title": "Test source", "url": "https://example.org/source"}],
}
CHECKED = dict.fromkeys(CHECKLIST, True)


class ApiUser:
    def __init__(self, app: Flask, client: FlaskClient, account: Any) -> None:
        with Session(db.get_engine(app)) as s:
            _token, plain = api_tokens.create_token(
                session=s, actor=Actor.system("tests"), user_id=account.id, name="api"
            )
            s.commit()
        self.client, self.headers = client, {"Authorization": f"Bearer {plain}"}

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        return self.client.open(
            f"/api/v1{path}", method=method, json=body, headers=self.headers, **kw
        )


@pytest.fixture
def api(
    app: Flask, client: FlaskClient, make_account: Callable[..., Any], vocabulary_loaded: Any
) -> dict[str, ApiUser]:
    return {
        name: ApiUser(app, client, make_account(*roles))
        for name, roles in (
            ("writer", ("contributor",)),
            ("mod1", ("moderator",)),
            ("mod2", ("moderator",)),
        )
    }


def test_the_whole_flow_through_the_api(api: dict[str, ApiUser], client: FlaskClient) -> None:
    writer, mod1, mod2 = api["writer"], api["mod1"], api["mod2"]
    created = writer.call("POST", "/proposals", PRACTICE)
    assert created.status_code == 201
    pid = created.get_json()["id"]
    assert writer.call("POST", f"/proposals/{pid}/submit").get_json()["status"] == "submitted"
    assert [
        p["id"] for p in mod1.call("GET", "/proposals?status=submitted").get_json()["proposals"]
    ] == [pid]
    sent_back = mod1.call(
        "POST", f"/proposals/{pid}/decision", {"decision": "request_changes", "comment": "Year?"}
    )
    assert sent_back.get_json()["status"] == "changes_requested"
    revised = writer.call("PUT", f"/proposals/{pid}", {**PRACTICE, "start_year": 2020})
    assert revised.status_code == 200 and revised.get_json()["practice"]["start_year"] == 2020
    writer.call("POST", f"/proposals/{pid}/submit")
    approved = mod2.call(
        "POST", f"/proposals/{pid}/decision", {"decision": "approve", "checklist": CHECKED}
    )
    assert approved.status_code == 200 and approved.get_json()["status"] == "published"
    assert client.get("/api/v1/practices/api-spotlight").get_json()["start_year"] == 2020
    hist = writer.call("GET", "/practices/api-spotlight/history").get_json()
    assert [v["version"] for v in hist["versions"]] == [1]


def test_the_author_cannot_approve_through_the_api(api: dict[str, ApiUser]) -> None:
    mod1 = api["mod1"]
    pid = mod1.call("POST", "/proposals", PRACTICE).get_json()["id"]
    mod1.call("POST", f"/proposals/{pid}/submit")
    refused = mod1.call(
        "POST", f"/proposals/{pid}/decision", {"decision": "approve", "checklist": CHECKED}
    )
    assert refused.status_code == 403
    assert "four eyes" in refused.get_json()["error"]["message"]


def test_a_stale_edit_is_refused_with_what_changed(api: dict[str, ApiUser]) -> None:
    writer, mod1 = api["writer"], api["mod1"]
    pid = writer.call("POST", "/proposals", PRACTICE).get_json()["id"]
    writer.call("POST", f"/proposals/{pid}/submit")
    mod1.call("POST", f"/proposals/{pid}/decision", {"decision": "approve", "checklist": CHECKED})
    edits = [
        writer.call(
            "POST", "/proposals", {**PRACTICE, "title_en": t, "base_slug": "api-spotlight"}
        ).get_json()["id"]
        for t in ("First change", "Second change")
    ]
    for e in edits:
        writer.call("POST", f"/proposals/{e}/submit")
    mod1.call(
        "POST", f"/proposals/{edits[0]}/decision", {"decision": "approve", "checklist": CHECKED}
    )
    stale = mod1.call(
        "POST", f"/proposals/{edits[1]}/decision", {"decision": "approve", "checklist": CHECKED}
    )
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "stale_base"
    assert [c["field"] for c in error["changed_since_base"] if c["before"] != c["after"]] == [
        "title_en"
    ]
    assert writer.call("GET", f"/proposals/{edits[1]}").get_json()["status"] == "submitted"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/proposals", "not json", 400),
        ("POST", "/proposals", [1, 2], 400),
        ("POST", "/proposals", {**PRACTICE, "themes": "hate"}, 422),
        ("POST", "/proposals", {**PRACTICE, "body": "x" * 1_000_000}, 422),
        ("POST", "/proposals", {**PRACTICE, "base_slug": "no-such-practice"}, 404),
        ("POST", "/proposals", {**PRACTICE, "evil": "<script>"}, 422),
        ("GET", "/proposals?status=bogus", None, 400),
        ("GET", "/proposals/99999", None, 404),
        ("POST", "/proposals/99999/decision", {"decision": "approve"}, 404),
    ],
)
def test_hostile_api_input_gets_a_clear_json_4xx(
    api: dict[str, ApiUser], method: str, path: str, body: Any, status: int
) -> None:
    kw: dict[str, Any] = {}
    if isinstance(body, str):
        response = api["writer"].client.open(
            f"/api/v1{path}",
            method=method,
            data=body,
            headers={**api["writer"].headers, "Content-Type": "application/json"},
        )
    else:
        response = api["writer"].call(method, path, body, **kw)
    assert response.status_code == status
    assert "error" in response.get_json()


def test_a_submission_with_blocking_problems_names_the_fields(api: dict[str, ApiUser]) -> None:
    writer = api["writer"]
    pid = writer.call(
        "POST", "/proposals", {**PRACTICE, "summary_en": "Write to jane@example.org"}
    ).get_json()["id"]
    refused = writer.call("POST", f"/proposals/{pid}/submit")
    assert refused.status_code == 422
    assert {f["field"] for f in refused.get_json()["error"]["fields"]} == {"summary.en"}


def test_without_a_token_the_moderation_api_answers_401(client: FlaskClient) -> None:
    assert client.post("/api/v1/proposals", json=PRACTICE).status_code == 401
    assert client.get("/api/v1/practices/x/history").status_code == 401


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=6,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.dictionaries(st.sampled_from([*PRACTICE, "base_slug", "note", "x"]), JSON_VALUES, max_size=5)
)
def test_any_json_gets_a_clear_answer(api: dict[str, ApiUser], fuzzed: dict[str, Any]) -> None:
    writer = api["writer"]
    created = writer.call("POST", "/proposals", {**PRACTICE, **fuzzed})
    assert created.status_code in (201, 400, 404, 422), created.status_code
    if created.status_code == 201:
        pid = created.get_json()["id"]
        assert writer.call("GET", f"/proposals/{pid}").status_code == 200
        assert writer.call("POST", f"/proposals/{pid}/submit").status_code in (200, 422)
