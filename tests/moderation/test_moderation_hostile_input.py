"""Hostile input to moderation: a lone surrogate, thousands of sources. Refused where it comes in,
with a message in the reader's language; never a 500, and nothing else typed is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from kb import db
from kb.catalogue.fields import MAX_SOURCES
from kb.models import Proposal
from tests.conftest import BASE_PRACTICE, bearer
from tests.people import FORM, Person, proposal_id

SURROGATE = "\ud800"
PRACTICE: dict[str, Any] = {
    **BASE_PRACTICE,
    "slug": "hostile-input",
    "cities": ["Testville"],
    "themes": ["social-cohesion"],
    "sources": [{"title": "Test source", "url": "https://example.org/source"}],
}


@pytest.fixture
def writer_api(
    app: Flask, make_account: Callable[..., Any], vocabulary_loaded: Any
) -> dict[str, str]:
    return bearer(app, make_account("contributor"))


def _stored(app: Flask, pid: int) -> dict[str, Any]:
    with Session(db.get_engine(app)) as s:
        proposal = s.get(Proposal, pid)
        assert proposal is not None
        return dict(proposal.data)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({**PRACTICE, "title_fr": f"Avant {SURROGATE} après"}, "title_fr"),
        ({**PRACTICE, "body": f"## Context\n\n{SURROGATE}"}, "body"),
        ({**PRACTICE, "cities": ["Testville", SURROGATE]}, "cities[1]"),
        (
            {**PRACTICE, "sources": [{"title": SURROGATE, "url": "https://example.org"}]},
            "sources[0].title",
        ),
        ({**PRACTICE, "note": f"{SURROGATE}!"}, "note"),
    ],
)
def test_the_api_refuses_a_lone_surrogate_naming_the_field(
    client: FlaskClient, writer_api: dict[str, str], body: dict[str, Any], path: str
) -> None:
    response = client.post("/api/v1/proposals?lang=fr", json=body, headers=writer_api)
    assert response.status_code == 422, response.get_data(as_text=True)
    fields = {e["field"]: e["message"] for e in response.get_json()["error"]["fields"]}
    assert path in fields and "substitut UTF-16" in fields[path], fields


def test_the_api_refuses_a_lone_surrogate_in_a_comment(
    client: FlaskClient, writer_api: dict[str, str]
) -> None:
    created = client.post("/api/v1/proposals", json=PRACTICE, headers=writer_api)
    assert created.status_code == 201
    pid = created.get_json()["id"]
    response = client.post(
        f"/api/v1/proposals/{pid}/comments", json={"body": SURROGATE}, headers=writer_api
    )
    assert response.status_code == 422


def test_a_lone_surrogate_in_an_imported_file_is_refused_with_the_text_kept(
    team: dict[str, Person],
) -> None:
    """YAML's escape reaches the same refusal: the line is named and the text comes back."""
    writer = team["writer"]
    text = (
        '---\nslug: hostile-import\ntitle:\n  fr: "Avant \\ud800 après"\n  en: Title\n---\n\n'
        "## Context\n\nEverything else I typed.\n"
    )
    response = writer.post("/fr/moderation/proposals/import", {"text": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 422, html[:500]
    assert "4: yaml: YAML non valide" in html and "Everything else I typed." in html


def test_a_lone_surrogates_bytes_in_a_form_keep_the_text_and_the_pages_answer(
    app: Flask, team: dict[str, Person]
) -> None:
    """The bytes a lone surrogate would be in a form field are not UTF-8: they arrive as text
    that stands for them, never as a surrogate; the review, edit and preview pages answer."""
    writer, mod = team["writer"], team["mod1"]
    typed = {
        **FORM,
        "title_en": "Before \ud800 after".encode("utf-8", "surrogatepass"),
        "action": "submit",
        "csrf_token": writer.auth.token("/fr/moderation/"),
    }
    created = writer.client.post(
        "/fr/moderation/proposals/new",
        data=urlencode(typed, doseq=True),
        content_type="application/x-www-form-urlencoded",
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:300]
    pid = proposal_id(created)
    title = _stored(app, pid)["title_en"]
    assert title.startswith("Before ") and title.endswith(" after")
    assert not any("\ud800" <= c <= "\udfff" for c in title)
    for person, page in (
        (mod, f"/fr/moderation/proposals/{pid}"),
        (writer, f"/fr/moderation/proposals/{pid}/edit"),
        (mod, f"/fr/moderation/proposals/{pid}/preview"),
    ):
        assert person.get(page).status_code == 200, page


def test_a_lone_surrogate_stored_before_it_was_refused_shows_as_a_replacement_character(
    app: Flask, team: dict[str, Person]
) -> None:
    writer, mod = team["writer"], team["mod1"]
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "submit"}))
    with Session(db.get_engine(app)) as s:
        proposal = s.get(Proposal, pid)
        assert proposal is not None
        proposal.data = {**proposal.data, "title_en": "Before \ud800 after", "body": "x \udfff y"}
        s.add(proposal)
        s.commit()
    for person, page in (
        (mod, f"/fr/moderation/proposals/{pid}"),
        (writer, f"/fr/moderation/proposals/{pid}/edit"),
        (mod, f"/fr/moderation/proposals/{pid}/preview"),
    ):
        response = person.get(page)
        assert response.status_code == 200, page
        assert "Before \ufffd after" in response.get_data(as_text=True), page


def test_the_api_refuses_more_sources_than_the_stated_limit(
    client: FlaskClient, writer_api: dict[str, str]
) -> None:
    many = [{"title": f"S{i}", "url": f"https://example.org/{i}"} for i in range(5000)]
    response = client.post(
        "/api/v1/proposals?lang=fr", json={**PRACTICE, "sources": many}, headers=writer_api
    )
    assert response.status_code == 422
    fields = {e["field"]: e["message"] for e in response.get_json()["error"]["fields"]}
    assert list(fields) == ["sources"] and f"{MAX_SOURCES} sources au maximum" in fields["sources"]


def test_a_stored_proposal_with_thousands_of_sources_opens_in_the_form_with_the_limit_stated(
    app: Flask, team: dict[str, Person]
) -> None:
    """Stored before the limit was enforced: the form shows the first rows and says why."""
    writer = team["writer"]
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "save"}))
    with Session(db.get_engine(app)) as s:
        proposal = s.get(Proposal, pid)
        assert proposal is not None
        many = [{"title": f"S{i}", "url": f"https://example.org/{i}"} for i in range(5000)]
        proposal.data = {**proposal.data, "sources": many}
        s.add(proposal)
        s.commit()
    page = writer.get(f"/fr/moderation/proposals/{pid}/edit")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"{MAX_SOURCES} sources au maximum sont attendues, reçu 5000" in html
    assert f'name="sources-{MAX_SOURCES - 1}-url"' in html
    assert f'name="sources-{MAX_SOURCES}-url"' not in html
    assert f"{MAX_SOURCES} sources au maximum." in html and 'value="add_source"' not in html


def test_a_form_with_thousands_of_source_rows_is_refused_with_the_limit_stated(
    app: Flask, team: dict[str, Person]
) -> None:
    writer = team["writer"]
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "save"}))
    rows = {f"sources-{i}-url": f"https://example.org/{i}" for i in range(5000)}
    typed = {**FORM, **rows, "body": "My long text"}
    for path in ("/fr/moderation/proposals/new", f"/fr/moderation/proposals/{pid}/edit"):
        response = writer.post(path, {**typed, "action": "save"})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, path
        assert (
            f"{MAX_SOURCES} sources au maximum sont attendues, reçu 5000" in html
            and "My long text" in html
        )
    assert len(_stored(app, pid)["sources"]) == 1  # nothing half-saved
