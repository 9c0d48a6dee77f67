"""Security events: failed and throttled sign-ins, 403 on write routes and revoked tokens are
typed audit events with the client's /24 network, and lines of the app log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from kb import db
from kb.accounts import tokens as api_tokens
from kb.models import AuditEvent
from kb.permissions import Actor
from tests.conftest import AuthActions

NETWORK = "127.0.0.0/24"  # the test client's 127.0.0.1


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with Session(db.get_engine(app)) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_failed_sign_in_is_an_audit_event_and_a_log_line(
    app: Flask,
    auth: AuthActions,
    make_account: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    account = make_account("moderator")
    with caplog.at_level(logging.WARNING, logger="kb.security"):
        assert auth.login(account.user.email, "not the right password").status_code == 401
        assert auth.login("nobody@example.org", "not the right password").status_code == 401
    known, unknown = _events(app, "security.sign_in_failed")
    assert known.address == NETWORK and known.target_id == NETWORK
    assert known.detail["user_id"] == account.id and unknown.detail["user_id"] is None
    assert "not the right password" not in str(known.detail)
    assert sum("security.sign_in_failed" in r.getMessage() for r in caplog.records) == 2


def test_a_throttled_sign_in_is_an_audit_event(make_app: Callable[..., Flask]) -> None:
    app = make_app(KB_RATELIMIT_ACCOUNT="2 per minute", KB_RATELIMIT_LOGIN="100 per minute")
    auth = AuthActions(app.test_client())
    statuses = [auth.login("victim@example.org", "wrong password!").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    [event] = _events(app, "security.sign_in_throttled")
    assert event.detail["scope"] == "account" and "2 per 1 minute" in event.detail["limit"]
    assert event.address == NETWORK


def test_a_403_on_a_write_route_is_an_audit_event_with_the_actor(
    app: Flask, client: FlaskClient, auth: AuthActions, login: Callable[..., Any]
) -> None:
    account = login("contributor")
    response = auth.post("/fr/admin/users/invite", {"email": "x@example.org"})
    assert response.status_code == 403
    [event] = _events(app, "security.forbidden")
    assert event.actor_id == account.id and event.address == NETWORK
    assert event.detail["method"] == "POST" and event.detail["path"] == "/fr/admin/users/invite"
    assert client.get("/fr/admin/users").status_code == 403  # reading: no event
    assert len(_events(app, "security.forbidden")) == 1


def test_a_revoked_token_presented_to_the_api_is_an_audit_event(
    app: Flask, make_account: Callable[..., Any]
) -> None:
    account = make_account("admin")
    with Session(db.get_engine(app), expire_on_commit=False) as s:
        token, plain = api_tokens.create_token(
            session=s, actor=Actor.system("t"), user_id=account.id, name="old"
        )
        s.commit()
        assert token.id is not None
        api_tokens.revoke_token(session=s, actor=Actor.system("t"), token_id=token.id)
        s.commit()
    client = app.test_client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).status_code == 401
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Bearer kb_unknown"}).status_code == 401
    )
    [event] = _events(app, "security.revoked_token")
    assert event.detail["token_id"] == token.id and event.detail["user_id"] == account.id
    assert event.address == NETWORK
