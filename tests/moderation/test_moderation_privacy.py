"""A note to the reviewers is private: its author and the moderators read it, other writers not,
on the practice's history page and in the API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlmodel import Session

from kb import db, uow
from kb.accounts import tokens as api_tokens
from kb.moderation import practice_subject as proposals
from kb.permissions import Actor
from tests.conftest import AuthActions, practice_data

NOTE = "Private: the mayor's office asked us not to publish the budget yet."


def test_contributors_do_not_see_other_peoples_notes_to_reviewers(
    app: Flask,
    session: Session,
    make_account: Callable[..., Any],
    make_practice: Callable[..., Any],
) -> None:
    make_practice(slug="noted")
    author, other, moderator = (
        make_account("contributor"),
        make_account("contributor"),
        make_account("moderator"),
    )
    proposals.start(
        session=session,
        actor=author.actor(),
        data=practice_data(slug="noted"),
        base_slug="noted",
        note=NOTE,
    )
    uow.commit(session=session)
    seen = {}
    for name, account in (("author", author), ("other", other), ("moderator", moderator)):
        auth = AuthActions(app.test_client())
        assert auth.login(account.user.email).status_code == 302
        page = auth.client.get("/fr/moderation/practices/noted/history")
        with Session(db.get_engine(app)) as s:
            _token, plain = api_tokens.create_token(
                session=s, actor=Actor.system("tests"), user_id=account.id, name="api"
            )
            s.commit()
        api = app.test_client().get(
            "/api/v1/practices/noted/history", headers={"Authorization": f"Bearer {plain}"}
        )
        seen[name] = (
            "the budget yet" in page.get_data(as_text=True),
            any("the budget yet" in p["note"] for p in api.get_json()["proposals"]),
        )
    assert seen == {
        "author": (True, True),
        "other": (False, False),
        "moderator": (True, True),
    }
