"""Moderation through the browser's forms: write, review, publish, history, archive, hostile input.

Every form works without JavaScript; nothing typed is lost on a validation error, an edit
conflict or an ended session; hostile input gets a clear 4xx, never a 500.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from kb import db
from kb.models import Practice, Proposal
from kb.reviews import CHECKLIST
from tests.conftest import CONTENT_DIR, AuthActions

FORM: dict[str, Any] = {
    "slug": "dialogue-evenings",
    "title_fr": "Soirées de dialogue entre voisins",
    "title_en": "Neighbourhood dialogue evenings",
    "summary_fr": "La ville réunit chaque mois des habitants pour parler du vivre-ensemble.",
    "summary_en": "The city brings residents together every month to talk about living together.",
    "language": "en",
    "cities": "Testville",
    "country": "FR",
    "themes": ["social-cohesion"],
    "lead_organisation": "City of Testville",
    "status": "ongoing",
    "evidence_level": "none-found",
    "body": "## Context\n\nResidents meet every month.\n",
    "sources-0-title": "City page",
    "sources-0-url": "https://example.org/dialogue",
}


class Person:
    def __init__(self, app: Flask, account: Any) -> None:
        self.account, self.client = account, app.test_client()
        self.auth = AuthActions(self.client)
        assert self.auth.login(account.user.email).status_code == 302

    def post(self, path: str, data: dict[str, Any], page: str = "/fr/moderation/") -> Any:
        return self.auth.post(path, data, page=page)

    def get(self, path: str) -> Any:
        return self.client.get(path)


@pytest.fixture
def team(app: Flask, make_account: Callable[..., Any], vocabulary_loaded: Any) -> dict[str, Person]:
    return {
        role: Person(app, make_account(*roles, email=f"{role}@example.org", name=role.title()))
        for role, roles in (
            ("writer", ("contributor",)),
            ("mod1", ("moderator",)),
            ("mod2", ("moderator",)),
            ("admin", ("admin",)),
        )
    }


def proposal_id(response: Any) -> int:
    match = re.search(r"/proposals/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def approve(person: Person, pid: int, **extra: Any) -> Any:
    data = {"decision": "approve", "checklist": list(CHECKLIST), **extra}
    return person.post(f"/fr/moderation/proposals/{pid}/decision", data)


def test_a_spotlight_goes_from_the_form_to_the_public_search(
    app: Flask, team: dict[str, Person]
) -> None:
    writer, mod = team["writer"], team["mod1"]
    created = writer.post("/fr/moderation/proposals/new", {**FORM, "action": "submit"})
    assert created.status_code == 302
    pid = proposal_id(created)
    queue = mod.get("/fr/moderation/").get_data(as_text=True)
    assert "Soirées de dialogue" in queue and 'class="badge"' in queue
    review = mod.get(f"/fr/moderation/proposals/{pid}").get_data(as_text=True)
    assert "Neighbourhood dialogue evenings" in review and "Liste de contrôle" in review
    sent_back = mod.post(
        f"/fr/moderation/proposals/{pid}/decision",
        {"decision": "request_changes", "comment": "Ajoutez l'année de début."},
    )
    assert sent_back.status_code == 302
    revised = writer.post(
        f"/fr/moderation/proposals/{pid}/edit",
        {**FORM, "start_year": "2022", "action": "submit"},
    )
    assert revised.status_code == 302
    assert approve(mod, pid).status_code == 302
    results = app.test_client().get("/en/search?q=dialogue+evenings").get_data(as_text=True)
    assert "/en/practices/dialogue-evenings" in results


def test_the_author_cannot_approve_their_own_proposal(team: dict[str, Person]) -> None:
    mod = team["mod1"]
    pid = proposal_id(mod.post("/fr/moderation/proposals/new", {**FORM, "action": "submit"}))
    page = mod.get(f"/fr/moderation/proposals/{pid}").get_data(as_text=True)
    assert "quatre yeux" in page and 'name="decision"' not in page
    assert approve(mod, pid).status_code == 403


def test_a_validation_error_keeps_everything_typed_and_saves_the_draft(
    app: Flask, team: dict[str, Person]
) -> None:
    writer = team["writer"]
    typed = {**FORM, "title_fr": "", "start_year": "vingt", "themes": ["no-such-theme"]}
    response = writer.post("/fr/moderation/proposals/new", {**typed, "action": "save"})
    assert response.status_code == 302  # a draft may be incomplete
    pid = proposal_id(response)
    again = writer.post(f"/fr/moderation/proposals/{pid}/edit", {**typed, "action": "submit"})
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    assert 'aria-invalid="true"' in html and "vingt" in html and FORM["summary_fr"] in html
    with Session(db.get_engine(app)) as s:
        assert s.get(Proposal, pid).data["start_year"] == "vingt"  # type: ignore[union-attr]


def test_source_rows_are_added_and_removed_without_javascript(team: dict[str, Person]) -> None:
    writer = team["writer"]
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "save"}))
    grown = writer.post(f"/fr/moderation/proposals/{pid}/edit", {**FORM, "action": "add_source"})
    assert 'name="sources-1-url"' in grown.get_data(as_text=True)
    data = {**FORM, "sources-1-title": "Second", "sources-1-url": "https://example.org/2"}
    shrunk = writer.post(
        f"/fr/moderation/proposals/{pid}/edit", {**data, "action": "remove_source-0"}
    )
    html = shrunk.get_data(as_text=True)
    assert "https://example.org/2" in html and "https://example.org/dialogue" not in html


def test_an_edit_conflict_shows_the_form_as_typed(team: dict[str, Person]) -> None:
    writer, mod = team["writer"], team["mod1"]
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "submit"}))
    approve(mod, pid)
    late = writer.post(
        f"/fr/moderation/proposals/{pid}/edit", {**FORM, "title_en": "My late change"}
    )
    assert late.status_code == 409 and "My late change" in late.get_data(as_text=True)


def test_a_form_sent_after_the_sign_in_ended_comes_back_as_typed(
    app: Flask, team: dict[str, Person]
) -> None:
    writer = team["writer"]
    token = writer.auth.token("/fr/moderation/")
    with writer.client.session_transaction() as session:
        session.pop("_user_id", None)  # the sign-in ended; the CSRF token is still valid
    response = writer.client.post(
        "/fr/moderation/proposals/new", data={**FORM, "body": "My long text", "csrf_token": token}
    )
    assert response.status_code == 401 and "My long text" in response.get_data(as_text=True)


def test_the_preview_uses_the_public_template_marked_not_published(
    team: dict[str, Person],
) -> None:
    writer = team["writer"]
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "preview"}))
    html = writer.get(f"/fr/moderation/proposals/{pid}/preview").get_data(as_text=True)
    assert "Aperçu — non publié" in html and 'name="robots" content="noindex"' in html
    assert "Soirées de dialogue entre voisins" in html and "Sources" in html


def test_a_markdown_file_is_imported_as_a_draft_and_errors_name_their_line(
    team: dict[str, Person],
) -> None:
    writer = team["writer"]
    text = next((CONTENT_DIR / "practices").glob("*.md")).read_text(encoding="utf-8")
    ok = writer.post(
        "/fr/moderation/proposals/import", {"text": text.replace("slug: ", "slug: x-", 1)}
    )
    assert ok.status_code == 302
    broken = writer.post(
        "/fr/moderation/proposals/import", {"text": "---\ntitle: [unclosed\n---\n"}
    )
    html = broken.get_data(as_text=True)
    assert broken.status_code == 422 and "3: yaml: invalid YAML" in html and "[unclosed" in html
    no_front = writer.post("/fr/moderation/proposals/import", {"text": "just text"})
    assert no_front.status_code == 422


def test_history_shows_versions_their_diff_and_restoring_goes_through_review(
    team: dict[str, Person],
) -> None:
    writer, mod = team["writer"], team["mod1"]
    first = proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "submit"}))
    approve(mod, first)
    edit = writer.post(
        "/fr/moderation/proposals/new",
        {
            **FORM,
            "title_en": "Dialogue evenings, second version",
            "base_slug": FORM["slug"],
            "action": "submit",
        },
    )
    approve(mod, proposal_id(edit))
    page = writer.get("/fr/moderation/practices/dialogue-evenings/history?a=1&b=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Version 2" in html and "<ins>" in html
    restored = writer.post("/fr/moderation/practices/dialogue-evenings/history/1/restore", {})
    assert restored.status_code == 302 and "/edit" in restored.headers["Location"]


def test_an_archived_practice_answers_410_in_the_readers_language(
    app: Flask, team: dict[str, Person], make_practice: Callable[..., Any]
) -> None:
    make_practice(slug="old-practice")
    admin = team["admin"]
    assert admin.post("/fr/moderation/practices/old-practice/archive", {}).status_code == 302
    gone = app.test_client().get("/en/practices/old-practice")
    assert gone.status_code == 410 and "archived" in gone.get_data(as_text=True)
    assert "archivée" in app.test_client().get("/fr/practices/old-practice").get_data(as_text=True)
    assert (
        team["mod1"].post("/fr/moderation/practices/old-practice/unarchive", {}).status_code == 403
    )


HOSTILE = [
    {
        "title_en": "<script>alert(1)</script>",
        "body": "<script>alert(1)</script>\n[x](javascript:alert(1))",
    },
    {"body": "x" * 1_000_000},
    {"themes": ["<img src=x onerror=alert(1)>"], "evidence_level": "proven!!", "status": "maybe"},
    {"country": "ZZ", "start_year": "99999999999999999999", "sources-0-url": "javascript:alert(1)"},
    {"sources-99999-title": "far away", "slug": "../../etc/passwd"},
    {"title_en": "nul\x00byte", "sources-0-title": "\x00"},  # PostgreSQL text cannot hold NUL
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_input_gets_a_clear_answer_never_a_500(
    team: dict[str, Person], hostile: dict[str, Any]
) -> None:
    writer = team["writer"]
    response = writer.post("/fr/moderation/proposals/new", {**FORM, **hostile, "action": "submit"})
    assert response.status_code in (302, 413, 422), response.status_code
    if response.status_code == 302:
        pid = proposal_id(response)
        for path in ("", "/edit", "/preview"):
            page = writer.get(f"/fr/moderation/proposals/{pid}{path}")
            assert page.status_code in (200, 302, 422)
            assert "<script>alert(1)</script>" not in page.get_data(as_text=True)


def test_hostile_comments_and_decisions_are_refused_or_sanitised(team: dict[str, Person]) -> None:
    writer, mod = team["writer"], team["mod1"]
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "submit"}))
    base = f"/fr/moderation/proposals/{pid}"
    assert mod.post(f"{base}/comments", {"body": "<script>alert(1)</script>ok"}).status_code == 302
    assert "<script>alert(1)" not in mod.get(base).get_data(as_text=True)
    assert mod.post(f"{base}/comments", {"body": "x" * 20_000}).status_code == 422
    assert mod.post(f"{base}/comments", {"body": "  "}).status_code == 422
    assert mod.post(f"{base}/comments", {"body": "hi", "parent_id": "999"}).status_code == 422
    assert mod.post(f"{base}/decision", {"decision": "nuke"}).status_code == 422
    refused = mod.post(f"{base}/decision", {"decision": "reject", "comment": ""})
    assert refused.status_code == 422 and "indiquez le motif" in refused.get_data(as_text=True)
    assert (
        mod.post("/fr/moderation/proposals/999999/decision", {"decision": "reject"}).status_code
        == 404
    )
    no_csrf = mod.client.post(f"{base}/comments", data={"body": "sans jeton"})
    assert no_csrf.status_code == 400 and "sans jeton" in no_csrf.get_data(as_text=True)


def test_a_contributor_sees_only_their_own_proposals(team: dict[str, Person], app: Flask) -> None:
    pid = proposal_id(team["mod1"].post("/fr/moderation/proposals/new", {**FORM, "action": "save"}))
    assert team["writer"].get(f"/fr/moderation/proposals/{pid}").status_code == 403
    assert team["admin"].get("/fr/moderation/").status_code == 403
    assert app.test_client().get("/fr/moderation/").status_code == 302
    with Session(db.get_engine(app)) as s:
        assert s.exec(select(Practice)).all() == []


# --- from the public side --------------------------------------------------------------------

SUGGESTION = {
    "city": "Lyon",
    "title": "Cafés de quartier",
    "description": "Des cafés où les habitants débattent.",
    "links": "https://example.org/cafes",
    "email": "habitante@example.org",
}


def test_anyone_suggests_a_practice_and_a_moderator_turns_it_into_a_draft(
    app: Flask, team: dict[str, Person]
) -> None:
    public = AuthActions(app.test_client())
    sent = public.post("/fr/propose", SUGGESTION, page="/fr/propose")
    assert sent.status_code == 302
    mod = team["mod1"]
    queue = mod.get("/fr/moderation/").get_data(as_text=True)
    assert "Cafés de quartier" in queue and "habitante@example.org" in queue
    assert "habitante@example.org" not in app.test_client().get("/fr/").get_data(as_text=True)
    from kb.models import Suggestion

    with Session(db.get_engine(app)) as s:
        sid = s.exec(select(Suggestion.id)).one()
    drafted = mod.post(f"/fr/moderation/suggestions/{sid}/draft", {})
    assert drafted.status_code == 302 and "/edit" in drafted.headers["Location"]
    with Session(db.get_engine(app)) as s:
        row = s.get(Suggestion, sid)
        assert row is not None and row.status == "closed" and row.email is None


def test_the_honeypot_and_the_limits_keep_bots_and_floods_out(app: Flask) -> None:
    from kb.models import Suggestion

    public = AuthActions(app.test_client())
    bot = public.post("/fr/propose", {**SUGGESTION, "website": "spam"}, page="/fr/propose")
    assert bot.status_code == 302
    too_big = public.post(
        "/fr/propose", {**SUGGESTION, "description": "x" * 100_000}, page="/fr/propose"
    )
    assert too_big.status_code == 422 and "Lyon" in too_big.get_data(as_text=True)
    bad_mail = public.post("/fr/propose", {**SUGGESTION, "email": "nope"}, page="/fr/propose")
    assert bad_mail.status_code == 422
    with Session(db.get_engine(app)) as s:
        assert s.exec(select(Suggestion)).all() == []
    statuses = [
        public.post("/fr/propose", SUGGESTION, page="/fr/propose").status_code for _ in range(4)
    ]
    assert statuses[-1] == 429


def test_an_error_is_reported_from_a_practice_page(
    app: Flask, team: dict[str, Person], make_practice: Callable[..., Any]
) -> None:
    make_practice(slug="reported")
    reader = AuthActions(app.test_client())
    page = app.test_client().get("/fr/practices/reported").get_data(as_text=True)
    assert "/fr/practices/reported/report" in page and "Signaler une erreur" in page
    sent = reader.post(
        "/fr/practices/reported/report",
        {"description": "La date est fausse."},
        page="/fr/practices/reported/report",
    )
    assert sent.status_code == 302
    assert "La date est fausse." in team["mod1"].get("/fr/moderation/").get_data(as_text=True)
    history = team["mod1"].get("/fr/moderation/practices/reported/history")
    assert "La date est fausse." in history.get_data(as_text=True)
    assert app.test_client().get("/fr/practices/nope/report").status_code == 404


def test_a_stale_proposal_shows_what_changed_and_is_rebased_on_screen(
    team: dict[str, Person],
) -> None:
    writer, mod = team["writer"], team["mod1"]
    approve(
        mod, proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "submit"}))
    )
    edits = [
        proposal_id(
            writer.post(
                "/fr/moderation/proposals/new",
                {**FORM, "title_en": title, "base_slug": FORM["slug"], "action": "submit"},
            )
        )
        for title in ("First edit", "Second edit")
    ]
    approve(mod, edits[0])
    refused = approve(mod, edits[1])
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "First edit" in html and "Repartir de la version" in html
    assert writer.post(f"/fr/moderation/proposals/{edits[1]}/rebase", {}).status_code == 302
    assert approve(mod, edits[1]).status_code == 302


FUZZED_FIELDS = (
    "slug",
    "title_fr",
    "summary_en",
    "cities",
    "country",
    "themes",
    "start_year",
    "evidence_level",
    "sources-0-url",
    "sources-3-date",
    "body",
    "note",
    "action",
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.dictionaries(
        st.sampled_from(FUZZED_FIELDS),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
        max_size=6,
    )
)
def test_any_form_input_gets_a_page_or_a_clear_error(
    team: dict[str, Person], fuzzed: dict[str, str]
) -> None:
    writer = team["writer"]
    response = writer.post("/fr/moderation/proposals/new", {**FORM, **fuzzed})
    assert response.status_code in (200, 302, 409, 413, 422), response.status_code
    if response.status_code == 302 and "/proposals/" in response.headers["Location"]:
        pid = proposal_id(response)
        for path in ("", "/edit", "/preview"):
            assert writer.get(f"/fr/moderation/proposals/{pid}{path}").status_code in (200, 422)


def test_saving_the_form_keeps_what_it_does_not_show(seeded: Flask) -> None:
    """An edit through the form keeps the translation, French names and facts of the practice."""
    from kb import practices as practices_mod
    from kb.web import spotlight

    with Session(db.get_engine(seeded)) as s:
        base = practices_mod.to_data(s, practices_mod.get_by_slug(s, "aarhus-model"))
    typed = dataclasses.replace(
        base, body_translation="", lead_organisation_fr=None, facts={}, title_en="Edited"
    )
    kept = spotlight.carry_over(typed, base)
    assert kept.title_en == "Edited"
    assert kept.body_translation == base.body_translation != ""
    assert kept.lead_organisation_fr == base.lead_organisation_fr
    assert kept.facts == base.facts
