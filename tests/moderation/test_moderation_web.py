"""Moderation through the browser's forms: write, review, publish, history, archive, hostile input.

Every form works without JavaScript; nothing typed is lost on a validation error, an edit
conflict or an ended session; hostile input gets a clear 4xx, never a 500.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select
from werkzeug.datastructures import MultiDict

from kb import db
from kb.catalogue.reads import to_data
from kb.models import Practice, Proposal
from tests.conftest import CONTENT_DIR, AuthActions
from tests.people import FORM, Person, approve, proposal_id


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
    assert broken.status_code == 422 and "3: yaml: YAML non valide" in html and "[unclosed" in html
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
        {"description": "La date est fausse.", "email": "lectrice@example.org"},
        page="/fr/practices/reported/report",
    )
    assert sent.status_code == 302
    queue = team["mod1"].get("/fr/moderation/").get_data(as_text=True)
    assert "La date est fausse." in queue
    assert re.search(r"Erreurs signalées par des lecteurs\W*<strong>1</strong>", queue)
    history = team["mod1"].get("/fr/moderation/practices/reported/history")
    assert "La date est fausse." in history.get_data(as_text=True)
    assert "lectrice@example.org" not in app.test_client().get("/fr/practices/reported").get_data(
        as_text=True
    )
    assert app.test_client().get("/fr/practices/nope/report").status_code == 404


def test_a_moderator_closes_an_error_report_from_the_history_and_the_e_mail_is_erased(
    app: Flask, team: dict[str, Person], make_practice: Callable[..., Any]
) -> None:
    from kb.models import AuditEvent, Suggestion

    make_practice(slug="reported")
    AuthActions(app.test_client()).post(
        "/fr/practices/reported/report",
        {"description": "Le lien est mort.", "email": "lectrice@example.org"},
        page="/fr/practices/reported/report",
    )
    with Session(db.get_engine(app)) as s:
        sid = s.exec(select(Suggestion.id)).one()
    closed = team["mod1"].post(
        f"/fr/moderation/suggestions/{sid}/close",
        {"back": "history"},
        page="/fr/moderation/practices/reported/history",
    )
    assert closed.headers["Location"].endswith("/fr/moderation/practices/reported/history")
    history = team["mod1"].get("/fr/moderation/practices/reported/history").get_data(as_text=True)
    assert "Le lien est mort." not in history
    with Session(db.get_engine(app)) as s:
        row = s.get(Suggestion, sid)
        assert row is not None and row.status == "closed" and row.email is None
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "suggestion.close")).first()
    again = team["mod1"].post(f"/fr/moderation/suggestions/{sid}/close", {})
    assert again.status_code == 409
    assert team["writer"].post(f"/fr/moderation/suggestions/{sid}/close", {}).status_code == 403


@pytest.mark.parametrize(
    "hostile",
    [
        {"description": "<script>alert(1)</script>"},
        {"description": "x" * 1_000_000},
        {"description": "ok", "email": "<script>@x"},
        {"description": "ok\x00nul"},
    ],
)
def test_hostile_error_reports_are_refused_or_escaped(
    app: Flask, team: dict[str, Person], make_practice: Callable[..., Any], hostile: dict[str, str]
) -> None:
    make_practice(slug="reported")
    sent = AuthActions(app.test_client()).post(
        "/fr/practices/reported/report", hostile, page="/fr/practices/reported/report"
    )
    assert sent.status_code in (302, 413, 422), sent.status_code
    for path in ("/fr/moderation/", "/fr/moderation/practices/reported/history"):
        page = team["mod1"].get(path)
        assert page.status_code == 200 and "<script>alert(1)</script>" not in page.get_data(
            as_text=True
        )


def test_an_error_report_without_its_csrf_token_is_refused_and_kept_on_screen(
    app: Flask, make_practice: Callable[..., Any]
) -> None:
    make_practice(slug="reported")
    sent = app.test_client().post(
        "/fr/practices/reported/report", data={"description": "Le titre est faux."}
    )
    assert 400 <= sent.status_code < 500
    assert "Le titre est faux." in sent.get_data(as_text=True)


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
    "body_translation",
    "partners_fr",
    "events",
    "facts_budget_amount",
    "facts_budget_qualifier",
    "facts_staffing_source",
    "sources-0-note_fr",
    "checked_on",
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


class FormValues(HTMLParser):
    """What a browser would send back from a page's spotlight form, untouched."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: list[tuple[str, str]] = []
        self._text: tuple[str, list[str]] | None = None
        self._select: str | None = None
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._inside = "spotlight-form" in a.get("class", "")
        if not self._inside or not a.get("name") and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("submit", "file"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.values.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._text = (a["name"], [])
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._text is not None:
            name, parts = self._text
            self.values.append((name, "".join(parts).removeprefix("\r\n").removeprefix("\n")))
            self._text = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._inside = False


def form_values(html: str) -> dict[str, list[str]]:
    parser = FormValues()
    parser.feed(html)
    values = MultiDict([(k, v) for k, v in parser.values if k != "csrf_token"])
    return values.to_dict(flat=False)


def test_every_field_of_every_seed_practice_survives_the_form(
    seeded: Flask, make_account: Callable[..., Any]
) -> None:
    """The translation, French names, facts, events and source notes are on the form: an edit
    sent back as shown proposes no change at all."""

    mod = Person(seeded, make_account("moderator", email="m@example.org", name="M"))
    with Session(db.get_engine(seeded)) as s:
        live = {p.slug: to_data(s, p).snapshot() for p in s.exec(select(Practice))}
    for slug, snapshot in live.items():
        page = mod.get(f"/en/moderation/proposals/new?from={slug}").get_data(as_text=True)
        values = form_values(page)
        values["action"] = ["save"]
        response = mod.post("/en/moderation/proposals/new", values, page="/en/moderation/")
        assert response.status_code == 302, (slug, response.get_data(as_text=True)[:2000])
        with Session(db.get_engine(seeded)) as s:
            proposed = s.get(Proposal, proposal_id(response)).data  # type: ignore[union-attr]
        changed = {k for k in snapshot if snapshot[k] != proposed.get(k)}
        assert not changed, (slug, {k: (snapshot[k], proposed.get(k)) for k in changed})


def test_fields_beyond_the_basics_are_checked_next_to_their_field(
    team: dict[str, Person],
) -> None:
    writer = team["writer"]
    typed = {
        **FORM,
        "body_translation": "## Contexte\n\nLes habitants se réunissent.\n",
        "lead_organisation_fr": "Ville de Testville",
        "partners": "Library",
        "partners_fr": "Bibliothèque\nÉcole",
        "facts_budget_amount": "beaucoup",
        "facts_budget_currency": "euros",
        "facts_website": "ftp://example.org",
        "checked_on": "hier",
    }
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**typed, "action": "save"}))
    again = writer.post(f"/fr/moderation/proposals/{pid}/edit", {**typed, "action": "submit"})
    html = again.get_data(as_text=True)
    assert again.status_code == 422
    for name in (
        "partners", "facts_budget_amount", "facts_budget_currency", "facts_website",
        "checked_on",
    ):  # fmt: skip
        assert f'id="{name}-error"' in html, name
    assert "beaucoup" in html and "Les habitants se réunissent." in html
    assert "Bibliothèque\nÉcole" in html
    too_long = writer.post(
        f"/fr/moderation/proposals/{pid}/edit", {**typed, "sources-0-note_fr": "n" * 6000}
    )
    assert too_long.status_code == 422  # even a draft is bounded; the text comes back
    assert 'id="sources-0-note_fr-error"' in too_long.get_data(as_text=True)
    assert "n" * 6000 in too_long.get_data(as_text=True)


def test_the_review_page_shows_the_translation_and_the_facts(team: dict[str, Person]) -> None:
    writer, mod = team["writer"], team["mod1"]
    typed = {
        **FORM,
        "body_translation": "## Contexte\n\nLes habitants se réunissent.\n",
        "lead_organisation_fr": "Ville de Testville",
        "facts_staffing_fr": "Deux agents",
        "facts_staffing_en": "Two officers",
        "facts_staffing_source": "https://example.org/dialogue",
        "sources-0-note_en": "Read in March.",
        "action": "submit",
    }
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", typed))
    html = mod.get(f"/en/moderation/proposals/{pid}").get_data(as_text=True)
    for shown in (
        "Description (translation)", "Les habitants se réunissent.",
        "Lead organisation (French name)", "Ville de Testville",
        "Practical facts", "staffing.en: Two officers", "Read in March.",
    ):  # fmt: skip
        assert shown in html, shown


def test_the_live_preview_renders_what_the_form_holds_without_saving_it(
    app: Flask, team: dict[str, Person]
) -> None:
    writer = team["writer"]
    shown = writer.post(
        "/fr/moderation/proposals/preview", FORM, page="/fr/moderation/proposals/new"
    )
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert '<article class="practice">' in html and "Soirées de dialogue entre voisins" in html
    assert "Aperçu — non publié" in html and 'content="noindex"' in html
    with Session(db.get_engine(app)) as s:
        assert s.exec(select(Proposal)).all() == []
    needs = writer.post(
        "/fr/moderation/proposals/preview",
        {**FORM, "title_en": "", "body": "<script>alert(1)</script>"},
        page="/fr/moderation/proposals/new",
    )
    assert needs.status_code == 422 and 'class="preview-needs"' in needs.get_data(as_text=True)
    assert "title.en" in needs.get_data(as_text=True)


def test_the_live_preview_of_a_saved_draft_keeps_its_csrf_and_its_owner(
    team: dict[str, Person],
) -> None:
    writer = team["writer"]
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "save"}))
    hostile = {**FORM, "body": "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"}
    shown = writer.post(f"/fr/moderation/proposals/{pid}/preview", hostile)
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "<script>alert(1)</script>" not in html and 'href="javascript:' not in html
    assert (
        writer.client.post(f"/fr/moderation/proposals/{pid}/preview", data=FORM).status_code == 400
    )
    assert team["mod1"].post(f"/fr/moderation/proposals/{pid}/preview", FORM).status_code == 200
    outsider = team["admin"].post(f"/fr/moderation/proposals/{pid}/preview", FORM)
    assert outsider.status_code == 403
