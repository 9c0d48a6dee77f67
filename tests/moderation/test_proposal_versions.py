"""Every move and save names the version of the proposal it acts on: racing decisions, withdraws
and saves end in exactly one acknowledged outcome, the other is told (409, or 412 on the API with
If-Match) and keeps what it typed; the proposal's status always matches the practice.

Threads against a real SQLite file and (with KB_TEST_POSTGRES_URL) PostgreSQL.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from kb import db, uow
from kb.catalogue import taxonomy
from kb.errors import Conflict
from kb.models import Practice
from kb.moderation import practice_subject as proposals
from kb.moderation import reviews, subjects
from kb.moderation.workflow import Stale, get, version_of
from tests.conftest import AuthActions, bearer, practice_data

TICKED = dict.fromkeys(reviews.CHECKLIST, True)


@pytest.fixture
def cast(make_account: Callable[..., Any], vocabulary_loaded: Any) -> dict[str, Any]:
    return {
        "writer": make_account("contributor", email="writer@example.org", name="Writer"),
        "mod1": make_account("moderator", email="mod1@example.org", name="Mod One"),
        "mod2": make_account("moderator", email="mod2@example.org", name="Mod Two"),
    }


def submitted_edit(session: Session, writer: Any) -> int:
    data = replace(practice_data(slug="raced"), title_en="A raced edit")
    proposal = proposals.start(session=session, actor=writer.actor(), data=data, base_slug="raced")
    assert proposal.id is not None
    proposals.submit(
        session=session,
        actor=writer.actor(),
        proposal_id=proposal.id,
        vocabulary=taxonomy.load(session),
    )
    uow.commit(session=session)
    return proposal.id


def act(s: Session, what: str, who: Any, pid: int, expected: str | None) -> None:
    if what == "withdraw":
        subjects.withdraw(session=s, actor=who.actor(), proposal_id=pid, expected=expected)
        return
    reviews.decide(
        session=s,
        actor=who.actor(),
        proposal_id=pid,
        decision=what,
        comment="Because.",
        checklist=TICKED,
        vocabulary=taxonomy.load(s),
        expected=expected,
    )


RACES = [
    ("approve", "reject"),
    ("approve", "withdraw"),
    ("request_changes", "withdraw"),
    ("approve", "request_changes"),
]
TARGET = {
    "approve": "published",
    "reject": "rejected",
    "withdraw": "withdrawn",
    "request_changes": "changes_requested",
}


@pytest.mark.parametrize("named", [True, False], ids=["version-named", "version-read"])
@pytest.mark.parametrize(("first", "second"), RACES)
def test_two_racing_moves_end_in_one_acknowledged_outcome_matching_the_practice(
    app: Flask,
    session: Session,
    cast: dict[str, Any],
    make_practice: Callable[..., Any],
    first: str,
    second: str,
    named: bool,
) -> None:
    make_practice(slug="raced")
    pid = submitted_edit(session, cast["writer"])
    version = version_of(get(session, pid)) if named else None
    people = {first: cast["mod1"], second: cast["writer"] if second == "withdraw" else cast["mod2"]}
    barrier = threading.Barrier(2)
    acknowledged: list[str] = []
    failures: list[BaseException] = []

    def run(what: str) -> None:
        with Session(db.get_engine(app), expire_on_commit=False) as s:
            barrier.wait()
            try:
                act(s, what, people[what], pid, version)
                uow.commit(session=s)
                acknowledged.append(what)
            except Conflict:
                s.rollback()
            except BaseException as error:  # reported below, never swallowed
                failures.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len(acknowledged) == 1, acknowledged
    session.expire_all()
    status = get(session, pid).status
    assert status == TARGET[acknowledged[0]]
    live = session.exec(select(Practice).where(Practice.slug == "raced")).one()
    assert (live.title_en == "A raced edit") == (status == "published")
    assert live.version == (2 if status == "published" else 1)


def test_a_save_naming_an_old_version_is_refused_and_the_first_text_kept(
    session: Session, cast: dict[str, Any]
) -> None:
    writer = cast["writer"].actor()
    proposal = proposals.start(session=session, actor=writer, data=practice_data(slug="raced"))
    uow.commit(session=session)
    assert proposal.id is not None
    opened = version_of(proposal)
    first = replace(practice_data(slug="raced"), title_en="Saved in the first tab")
    proposals.save(
        session=session, actor=writer, proposal_id=proposal.id, data=first, expected=opened
    )
    uow.commit(session=session)
    second = replace(practice_data(slug="raced"), title_en="Saved in the second tab")
    with pytest.raises(Stale):
        proposals.save(
            session=session, actor=writer, proposal_id=proposal.id, data=second, expected=opened
        )
    session.rollback()
    assert get(session, proposal.id).data["title_en"] == "Saved in the first tab"


# --- the web ---------------------------------------------------------------------------------


def hidden_version(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version field in the page"
    return match.group(1)


def signed_in(app: Flask, account: Any) -> AuthActions:
    auth = AuthActions(app.test_client())
    assert auth.login(account.user.email).status_code == 302
    return auth


FORM: dict[str, Any] = {
    "slug": "two-tabs",
    "title_fr": "Soirées de dialogue",
    "title_en": "Dialogue evenings",
    "summary_fr": "La ville réunit des habitants.",
    "summary_en": "The city brings residents together.",
    "language": "en",
    "cities": "Testville",
    "country": "FR",
    "themes": ["social-cohesion"],
    "lead_organisation": "City of Testville",
    "status": "ongoing",
    "evidence_level": "none-found",
    "sources-0-title": "City page",
    "sources-0-url": "https://example.org/dialogue",
}


def test_two_tabs_saving_one_draft_the_second_is_told_and_keeps_its_text(
    app: Flask, cast: dict[str, Any]
) -> None:
    writer = signed_in(app, cast["writer"])
    created = writer.post("/fr/moderation/proposals/new", FORM, page="/fr/moderation/proposals/new")
    edit = created.headers["Location"]
    page = writer.client.get(edit).get_data(as_text=True)
    opened = hidden_version(page)
    tab1 = writer.post(edit, {**FORM, "version": opened, "title_en": "Tab one"}, page=edit)
    assert tab1.status_code == 302
    tab2 = writer.post(edit, {**FORM, "version": opened, "title_en": "Tab two words"}, page=edit)
    assert tab2.status_code == 409
    html = tab2.get_data(as_text=True)
    assert "Tab two words" in html and "Votre texte n’a pas été enregistré" in html
    again = writer.post(
        edit, {**FORM, "version": hidden_version(html), "title_en": "Tab two words"}, page=edit
    )
    assert again.status_code == 302  # saving again, knowingly, replaces the other tab's text


def test_a_decision_on_a_proposal_withdrawn_meanwhile_gets_409_and_keeps_the_comment(
    app: Flask, session: Session, cast: dict[str, Any], make_practice: Callable[..., Any]
) -> None:
    make_practice(slug="raced")
    pid = submitted_edit(session, cast["writer"])
    moderator, writer = signed_in(app, cast["mod1"]), signed_in(app, cast["writer"])
    review = f"/fr/moderation/proposals/{pid}"
    seen = hidden_version(moderator.client.get(review).get_data(as_text=True))
    withdrawn = writer.post(f"{review}/withdraw", {"version": seen}, page=review)
    assert withdrawn.status_code == 302
    late = moderator.post(
        f"{review}/decision",
        {"version": seen, "decision": "request_changes", "comment": "Ajoutez l’année."},
        page=review,
    )
    assert late.status_code == 409
    html = late.get_data(as_text=True)
    assert "Ajoutez l’année." in html and "retirée" in html
    session.expire_all()
    assert get(session, pid).status == "withdrawn"


# --- the API ---------------------------------------------------------------------------------


def test_the_api_answers_412_with_the_current_state_when_if_match_is_stale(
    app: Flask, session: Session, cast: dict[str, Any], make_practice: Callable[..., Any]
) -> None:
    make_practice(slug="raced")
    pid = submitted_edit(session, cast["writer"])
    client, headers = app.test_client(), bearer(app, cast["mod1"])
    shown = client.get(f"/api/v1/proposals/{pid}", headers=headers)
    etag = shown.headers["ETag"]
    assert etag == f'"{shown.get_json()["version"]}"'
    decision = {"decision": "request_changes", "comment": "Add the year."}
    sent = client.post(
        f"/api/v1/proposals/{pid}/decision", json=decision, headers={**headers, "If-Match": etag}
    )
    assert sent.status_code == 200 and sent.headers["ETag"] != etag
    again = client.post(
        f"/api/v1/proposals/{pid}/decision", json=decision, headers={**headers, "If-Match": etag}
    )
    assert again.status_code == 412
    error = again.get_json()["error"]
    assert error["code"] == "precondition_failed"
    assert error["current"]["status"] == "changes_requested"
    weak = client.put(
        f"/api/v1/proposals/{pid}", json={}, headers={**headers, "If-Match": f"W/{etag}"}
    )
    assert weak.status_code == 412
