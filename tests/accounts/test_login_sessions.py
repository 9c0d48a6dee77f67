"""Login sessions end on the server: signing out, signing out everywhere, expiry, reactivation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlmodel import Session, select

from kb import db
from kb.accounts import accounts
from kb.accounts import tokens as api_tokens
from kb.models import AuditEvent, LoginSession, utcnow
from kb.permissions import Actor
from tests.conftest import AuthActions


def _copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this client's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def test_a_copied_session_cookie_stops_working_once_its_owner_signs_out(
    app: Flask, client: FlaskClient, auth: AuthActions, login: Callable[..., Any]
) -> None:
    login("moderator")
    stolen = _copy_of(app, client)
    assert stolen.get("/en/account").status_code == 200
    assert auth.logout().status_code == 302
    assert stolen.get("/en/account").status_code == 302  # sent to the sign-in page


def test_signing_out_in_one_browser_leaves_the_others_signed_in(
    app: Flask, make_account: Callable[..., Any]
) -> None:
    account = make_account("moderator")
    first, second = AuthActions(app.test_client()), AuthActions(app.test_client())
    first.login(account.user.email)
    second.login(account.user.email)
    first.logout()
    assert first.client.get("/en/account").status_code == 302
    assert second.client.get("/en/account").status_code == 200


def test_signing_out_everywhere_ends_every_session_of_the_account_and_is_audited(
    app: Flask, make_account: Callable[..., Any]
) -> None:
    account = make_account("contributor")
    laptop, phone = AuthActions(app.test_client()), AuthActions(app.test_client())
    laptop.login(account.user.email)
    phone.login(account.user.email)
    assert "Sign out everywhere" in laptop.client.get("/en/account").get_data(as_text=True)
    response = laptop.post("/en/account/sign-out-everywhere")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert laptop.client.get("/en/account").status_code == 302
    assert phone.client.get("/en/account").status_code == 302
    with Session(db.get_engine(app)) as s:
        assert not s.exec(select(LoginSession).where(LoginSession.user_id == account.id)).all()
        actions = s.exec(select(AuditEvent.action).where(AuditEvent.target_id == str(account.id)))
        assert "account.sign_out_everywhere" in list(actions)


def test_a_session_older_than_the_sign_in_lifetime_ends_on_the_server(
    app: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    account = login("moderator")
    too_old = utcnow() - timedelta(hours=app.config["KB_SESSION_HOURS"], minutes=1)
    with Session(db.get_engine(app)) as s:
        s.execute(
            update(LoginSession)
            .where(LoginSession.user_id == account.id)  # type: ignore[arg-type]
            .values(created_at=too_old)
        )
        s.commit()
    assert client.get("/en/account").status_code == 302


def test_a_session_cookie_of_the_old_form_is_no_longer_accepted(
    client: FlaskClient, login: Callable[..., Any]
) -> None:
    account = login("moderator")
    with client.session_transaction() as browser:
        browser["_user_id"] = f"{account.id}:{account.user.session_version}"
    assert client.get("/en/account").status_code == 302


def test_reactivating_an_account_leaves_its_old_tokens_revoked(
    app: Flask, make_account: Callable[..., Any]
) -> None:
    account = make_account("admin")
    system = Actor.system("tests")
    with Session(db.get_engine(app)) as s:
        _token, plain = api_tokens.create_token(
            session=s, actor=system, user_id=account.id, name="resource centre"
        )
        accounts.set_active(session=s, actor=system, user_id=account.id, active=False)
        accounts.set_active(session=s, actor=system, user_id=account.id, active=True)
        s.commit()
        assert api_tokens.tokens_of(s, account.id) == []
    answer = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert answer.status_code == 401
