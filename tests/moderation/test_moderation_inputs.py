"""Strict inputs to moderation: JSON booleans in the checklist, previews that know the events,
a reviewer's preview that never opens the author's form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlmodel import Session

from kb import db, uow
from kb.accounts import tokens as api_tokens
from kb.catalogue import taxonomy
from kb.moderation import practice_subject as proposals
from kb.moderation.reviews import CHECKLIST
from kb.moderation.workflow import get
from kb.permissions import Actor
from tests.conftest import AuthActions, practice_data


def started(session: Session, author: Any, **overrides: Any) -> int:
    proposal = proposals.start(
        session=session, actor=author.actor(), data=practice_data(**overrides)
    )
    uow.commit(session=session)
    assert proposal.id is not None
    return proposal.id


def signed_in(app: Flask, account: Any) -> AuthActions:
    auth = AuthActions(app.test_client())
    assert auth.login(account.user.email).status_code == 302
    return auth


def test_the_api_checklist_refuses_the_string_false(
    app: Flask, session: Session, make_account: Callable[..., Any], vocabulary_loaded: Any
) -> None:
    writer, moderator = make_account("contributor"), make_account("moderator")
    pid = started(session, writer)
    proposals.submit(
        session=session, actor=writer.actor(), proposal_id=pid, vocabulary=taxonomy.load(session)
    )
    uow.commit(session=session)
    with Session(db.get_engine(app)) as s:
        _token, plain = api_tokens.create_token(
            session=s, actor=Actor.system("tests"), user_id=moderator.id, name="api"
        )
        s.commit()
    checklist: dict[str, Any] = {**dict.fromkeys(CHECKLIST, True), "no_personal_data": "false"}
    answer = app.test_client().post(
        f"/api/v1/proposals/{pid}/decision",
        json={"decision": "approve", "checklist": checklist},
        headers={"Authorization": f"Bearer {plain}"},
    )
    assert answer.status_code == 422
    fields = answer.get_json()["error"]["fields"]
    assert fields[0]["field"] == "checklist.no_personal_data"
    assert "boolean" in fields[0]["message"]
    session.expire_all()
    assert get(session, pid).status == "submitted"


def test_the_preview_accepts_a_practice_tagged_with_a_known_event(
    app: Flask, session: Session, make_account: Callable[..., Any], vocabulary_loaded: Any
) -> None:
    writer = make_account("contributor")
    pid = started(session, writer, events=("strasbourg-2024",))
    page = signed_in(app, writer).client.get(f"/fr/moderation/proposals/{pid}/preview")
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]


def test_a_reviewers_preview_of_an_incomplete_proposal_never_opens_the_authors_form(
    app: Flask, session: Session, make_account: Callable[..., Any], vocabulary_loaded: Any
) -> None:
    writer, moderator = make_account("contributor"), make_account("moderator")
    pid = started(session, writer, title_en="")
    page = signed_in(app, moderator).client.get(f"/fr/moderation/proposals/{pid}/preview")
    assert page.status_code == 302
    assert page.headers["Location"].endswith(f"/fr/moderation/proposals/{pid}")
