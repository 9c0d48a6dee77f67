"""Accounts: signing in and out, sessions, passwords, invitations, resets, tokens, limits."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from kb import db, mail
from kb.accounts import accounts
from kb.accounts import links as account_links
from kb.accounts import tokens as api_tokens
from kb.errors import BadRequest
from kb.models import AuditEvent, MailMessage, User
from kb.permissions import Actor
from tests.conftest import PASSWORD, AuthActions, csrf_token_of

NEW_PASSWORD = "a brand new long passphrase"


def outbox(app: Flask) -> list[MailMessage]:
    with Session(db.get_engine(app)) as s:
        return list(s.exec(select(MailMessage).order_by(MailMessage.id)))  # type: ignore[arg-type]


def audit_actions(app: Flask) -> list[str]:
    with Session(db.get_engine(app)) as s:
        return [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]


def link_in(message: MailMessage) -> str:
    """The path of the password link in a message (the test client needs no host)."""
    match = re.search(r"https?://\S+/password/set/\S+", message.body)
    assert match, message.body
    return urlsplit(match.group(0)).path


# --- signing in --------------------------------------------------------------------------------


def test_signing_in_opens_the_account_page_in_the_accounts_language(
    client: FlaskClient, auth: AuthActions, make_account: Callable[..., Any]
) -> None:
    account = make_account("moderator")
    response = auth.login(account.user.email.upper())  # addresses are not case-sensitive
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/fr/account")
    page = client.get("/fr/account").get_data(as_text=True)
    assert account.user.email in page and "modérateur" in page


@pytest.mark.parametrize("case", ["wrong password", "unknown address", "deactivated", "invited"])
def test_a_failed_sign_in_says_the_same_thing_whatever_the_reason(
    case: str, auth: AuthActions, make_account: Callable[..., Any], app: Flask
) -> None:
    account = make_account("moderator", email="known@example.org")
    email, password = "known@example.org", PASSWORD
    with Session(db.get_engine(app)) as s:
        if case == "wrong password":
            password = "not the right password"
        elif case == "unknown address":
            email = "nobody@example.org"
        elif case == "deactivated":
            accounts.set_active(
                session=s, actor=Actor.system("t"), user_id=account.id, active=False
            )
        else:
            accounts.create(
                session=s,
                actor=Actor.system("t"),
                email="invited@example.org",
                display_name="Invited",
            )
            email = "invited@example.org"
        s.commit()
    response = auth.login(email, password)
    assert response.status_code == 401
    assert "Adresse électronique ou mot de passe incorrect" in response.get_data(as_text=True)


def test_signing_in_starts_a_new_session_and_signing_out_ends_it(
    client: FlaskClient, auth: AuthActions, make_account: Callable[..., Any]
) -> None:
    account = make_account()
    client.get("/fr/login")
    before = client.get_cookie("session")
    auth.login(account.user.email)
    after = client.get_cookie("session")
    assert before is not None and after is not None and before.value != after.value
    assert client.get("/fr/account").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/fr/account").status_code == 302


def test_only_a_path_on_this_site_is_followed_after_sign_in(
    client: FlaskClient, make_account: Callable[..., Any], auth: AuthActions
) -> None:
    account = make_account()
    for target, expected in (("/fr/admin/audit", "/fr/admin/audit"), ("//evil.example/", None)):
        token = auth.token("/fr/login")
        response = client.post(
            f"/fr/login?next={target}",
            data={"email": account.user.email, "password": PASSWORD, "csrf_token": token},
        )
        location = response.headers["Location"]
        assert location.endswith(expected) if expected else "evil" not in location
        auth.logout()


def test_a_page_behind_sign_in_sends_the_reader_to_sign_in_and_back(client: FlaskClient) -> None:
    response = client.get("/en/admin/users")
    assert response.status_code == 302
    assert "/en/login?next=/en/admin/users" in response.headers["Location"]


def test_session_cookies_are_http_only_and_same_site(
    client: FlaskClient, auth: AuthActions, make_account: Callable[..., Any]
) -> None:
    response = auth.login(make_account().user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_hash_made_with_other_parameters_is_replaced_at_sign_in(
    app: Flask, auth: AuthActions, make_account: Callable[..., Any]
) -> None:
    account = make_account()
    old_hash = account.user.password_hash
    previous = accounts.use_hasher(PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    try:
        assert auth.login(account.user.email).status_code == 302
    finally:
        accounts.use_hasher(previous)
    with Session(db.get_engine(app)) as s:
        stored = s.get(User, account.id)
        assert stored is not None and stored.password_hash != old_hash
        assert "t=2" in stored.password_hash


# --- one's own account -----------------------------------------------------------------------


def test_changing_the_password_ends_the_other_sessions(
    app: Flask, make_account: Callable[..., Any]
) -> None:
    account = make_account()
    laptop, phone = AuthActions(app.test_client()), AuthActions(app.test_client())
    laptop.login(account.user.email)
    phone.login(account.user.email)
    response = laptop.post(
        "/fr/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert laptop.client.get("/fr/account").status_code == 200  # this session goes on
    assert phone.client.get("/fr/account").status_code == 302  # the other one has ended
    assert phone.login(account.user.email, NEW_PASSWORD).status_code == 302
    assert "account.change_password" in audit_actions(app)


def test_a_wrong_current_password_or_a_short_new_one_is_refused_next_to_its_field(
    auth: AuthActions, make_account: Callable[..., Any]
) -> None:
    auth.login(make_account().user.email)
    wrong = auth.post(
        "/fr/account/password",
        {
            "current_password": "nope nope nope",
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 422
    assert "current_password-error" in wrong.get_data(as_text=True)
    short = auth.post(
        "/fr/account/password",
        {"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
    )
    assert short.status_code == 422
    assert "12" in short.get_data(as_text=True)


def test_the_profile_keeps_what_was_typed_when_it_is_invalid(
    auth: AuthActions, make_account: Callable[..., Any]
) -> None:
    auth.login(make_account().user.email)
    long_name = "N" * 500
    response = auth.post("/fr/account", {"display_name": long_name, "language": "en"})
    assert response.status_code == 422
    assert long_name in response.get_data(as_text=True)


def test_script_in_a_display_name_is_shown_as_text(
    client: FlaskClient, auth: AuthActions, make_account: Callable[..., Any]
) -> None:
    auth.login(make_account().user.email)
    auth.post("/fr/account", {"display_name": "<script>alert(1)</script>", "language": "fr"})
    page = client.get("/fr/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_account_pages_are_never_cached(
    client: FlaskClient, auth: AuthActions, make_account: Callable[..., Any]
) -> None:
    auth.login(make_account().user.email)
    assert client.get("/fr/account").headers["Cache-Control"] == "no-store"


# --- CSRF --------------------------------------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused_and_what_was_typed_is_shown_back(
    client: FlaskClient, make_account: Callable[..., Any], auth: AuthActions
) -> None:
    auth.login(make_account().user.email)
    response = client.post(
        "/fr/account", data={"display_name": "Ma longue description tapée", "language": "fr"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Votre formulaire n’a pas pu être accepté" in page or "formulaire" in page
    assert "Ma longue description tapée" in page


def test_a_password_is_never_shown_back_on_the_csrf_page(client: FlaskClient) -> None:
    response = client.post("/fr/login", data={"email": "a@example.org", "password": "secret-pw-1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "secret-pw-1" not in page and "a@example.org" in page


# --- invitations and resets ------------------------------------------------------------------


def test_an_invited_contributor_sets_a_password_and_signs_in(
    app: Flask, client: FlaskClient, login: Callable[..., Any]
) -> None:
    login("admin")
    auth = AuthActions(client)
    response = auth.post(
        "/fr/admin/users/invite",
        {
            "email": "nouvelle@example.org",
            "display_name": "Élodie",
            "language": "fr",
            "roles": ["contributor"],
        },
        page="/fr/admin/users",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:400]
    auth.logout()
    [message] = outbox(app)
    assert message.to_address == "nouvelle@example.org" and message.sent_at is None
    assert "Élodie" in message.body and "7 jours" in message.body
    path = link_in(message)
    page = client.get(path)
    assert page.status_code == 200 and "Élodie" in page.get_data(as_text=True)
    token = csrf_token_of(page.get_data(as_text=True))
    done = client.post(
        path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token}
    )
    assert done.status_code == 302
    assert auth.login("nouvelle@example.org", NEW_PASSWORD).status_code == 302
    # Single use: the link no longer works once the password is set.
    assert client.get(path).status_code == 400


def test_a_forged_or_expired_link_is_refused_with_a_clear_page(
    app: Flask, client: FlaskClient, make_account: Callable[..., Any]
) -> None:
    assert client.get("/fr/password/set/not-a-real-token").status_code == 400
    account = make_account()
    two_hours_ago = time.time() - 7200
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: two_hours_ago)
        token = account_links.account_link(app.config["SECRET_KEY"], account.user, "reset")
    with Session(db.get_engine(app)) as s, pytest.raises(BadRequest, match="expired"):
        account_links.read_link(s, app.config["SECRET_KEY"], token)
    response = client.get(f"/en/password/set/{token}")
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)


def test_a_reset_answers_the_same_way_whether_the_address_has_an_account_or_not(
    app: Flask, client: FlaskClient, auth: AuthActions, make_account: Callable[..., Any]
) -> None:
    make_account(email="real@example.org")
    answers = []
    for email in ("real@example.org", "ghost@example.org"):
        token = auth.token("/en/password/reset")
        response = client.post(
            "/en/password/reset",
            data={"email": email, "csrf_token": token},
            follow_redirects=True,
        )
        answers.append(
            (
                response.status_code,
                "If an account uses this address" in response.get_data(as_text=True),
            )
        )
    assert answers[0] == answers[1] == (200, True)
    [message] = outbox(app)
    assert message.to_address == "real@example.org" and "une heure" in message.body
    path = link_in(message)
    token = csrf_token_of(client.get(path).get_data(as_text=True))
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token})
    assert auth.login("real@example.org", NEW_PASSWORD).status_code == 302


# --- API tokens --------------------------------------------------------------------------------


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_stored_hashed_and_works_until_revoked(
    app: Flask, client: FlaskClient, auth: AuthActions, make_account: Callable[..., Any]
) -> None:
    account = make_account("admin")
    auth.login(account.user.email)
    page = auth.post("/fr/account/tokens", {"name": "resource centre"})
    assert page.status_code == 201
    plain = re.search(r'id="new-token">([^<]+)<', page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert plain not in client.get("/fr/account").get_data(as_text=True)
    api = app.test_client()
    me = api.get("/api/v1/me", headers=_bearer(plain))
    assert me.status_code == 200 and me.json["roles"] == ["admin"]  # type: ignore[index]
    assert api.get("/api/v1/audit", headers=_bearer(plain)).status_code == 200
    with Session(db.get_engine(app)) as s:
        [token] = api_tokens.tokens_of(s, account.id)
        assert plain not in token.token_hash and token.last_used_at is not None
    auth.post(f"/fr/account/tokens/{token.id}/revoke")
    assert api.get("/api/v1/me", headers=_bearer(plain)).status_code == 401


def test_the_api_answers_401_without_a_token_and_403_with_the_wrong_role(
    app: Flask, make_account: Callable[..., Any]
) -> None:
    api = app.test_client()
    assert api.get("/api/v1/audit").status_code == 401
    assert api.get("/api/v1/audit", headers=_bearer("kb_forged")).status_code == 401
    assert api.get("/api/v1/audit", headers={"Authorization": "Basic abc"}).status_code == 401
    contributor = make_account("contributor")
    with Session(db.get_engine(app)) as s:
        _token, plain = api_tokens.create_token(
            session=s, actor=Actor.system("t"), user_id=contributor.id, name="x"
        )
        s.commit()
    response = api.get("/api/v1/audit", headers=_bearer(plain))
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"  # type: ignore[index]
    # Public reading still needs nothing, and a token request needs no CSRF token.
    assert api.get("/api/v1/search?q=x").status_code == 200


def test_a_deactivated_accounts_tokens_stop_working(
    app: Flask, make_account: Callable[..., Any]
) -> None:
    account = make_account("admin")
    with Session(db.get_engine(app)) as s:
        _token, plain = api_tokens.create_token(
            session=s, actor=Actor.system("t"), user_id=account.id, name="x"
        )
        accounts.set_active(session=s, actor=Actor.system("t"), user_id=account.id, active=False)
        s.commit()
    assert app.test_client().get("/api/v1/me", headers=_bearer(plain)).status_code == 401


# --- audit -------------------------------------------------------------------------------------


def test_admin_actions_are_audited_and_the_log_downloads_as_csv(
    app: Flask, client: FlaskClient, login: Callable[..., Any], make_account: Callable[..., Any]
) -> None:
    target = make_account("contributor", email="target@example.org")
    admin = login("admin")
    auth = AuthActions(client)
    auth.post(f"/fr/admin/users/{target.id}/roles", {"roles": ["curator"]}, page="/fr/admin/users")
    auth.post(f"/fr/admin/users/{target.id}/deactivate", page="/fr/admin/users")
    page = client.get(f"/fr/admin/audit?actor={admin.user.email}").get_data(as_text=True)
    assert "user.set_roles" in page and "user.deactivate" in page
    assert "account.login" in page
    only_roles = client.get("/fr/admin/audit?action=user.set_roles").get_data(as_text=True)
    assert "user.deactivate" not in only_roles.split("<tbody>")[1]
    response = client.get(f"/fr/admin/audit.csv?target_kind=user&target_id={target.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffid,created_at,actor")
    assert "user.set_roles" in text and "before=contributor; after=curator" in text


def test_the_audit_log_keeps_client_networks_not_addresses(
    app: Flask, make_account: Callable[..., Any]
) -> None:
    account = make_account()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    AuthActions(client).login(account.user.email)
    with Session(db.get_engine(app)) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "account.login")).one()
    assert event.address == "198.51.100.0/24"


# --- the outbox --------------------------------------------------------------------------------


def test_without_smtp_a_message_stays_in_the_outbox_and_its_text_is_logged(
    app: Flask, make_account: Callable[..., Any], caplog: pytest.LogCaptureFixture
) -> None:
    make_account(email="someone@example.org")
    with Session(db.get_engine(app)) as s:
        account_links.request_reset(
            session=s,
            email="someone@example.org",
            secret="k",
            link=lambda t: f"https://kb.example/reset/{t}",
        )
        s.commit()
        with caplog.at_level("INFO", logger="kb.mail"):
            assert mail.deliver(s, smtp_url=None, sender="kb <kb@example.org>") == 0
        assert len(mail.pending(s)) == 1
    assert "https://kb.example/reset/" in caplog.text


# --- throttling --------------------------------------------------------------------------------


def _attempts(client: FlaskClient, email: str, count: int, address: str = "192.0.2.1") -> list[int]:
    client.environ_base["REMOTE_ADDR"] = address
    auth = AuthActions(client)
    return [auth.login(email, "wrong password!!").status_code for _ in range(count)]


def test_too_many_sign_ins_for_one_account_answer_429_in_the_readers_language(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(KB_RATELIMIT_ACCOUNT="3 per minute", KB_RATELIMIT_LOGIN="100 per minute")
    client = app.test_client()
    assert _attempts(client, "victim@example.org", 4) == [401, 401, 401, 429]
    response = AuthActions(client).login("victim@example.org")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "60"
    # Another account from the same address is not blocked by this one's limit.
    assert _attempts(client, "other@example.org", 1) == [401]


def test_too_many_sign_ins_from_one_address_answer_429_whatever_the_account(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(KB_RATELIMIT_LOGIN="3 per minute", KB_RATELIMIT_ACCOUNT="100 per minute")
    client = app.test_client()
    statuses = [
        _attempts(client, f"user{i}@example.org", 1, address="192.0.2.9")[0] for i in range(4)
    ]
    assert statuses == [401, 401, 401, 429]
    assert _attempts(client, "user9@example.org", 1, address="192.0.2.10") == [401]


def test_password_resets_share_the_sign_in_limits(make_app: Callable[..., Flask]) -> None:
    app = make_app(KB_RATELIMIT_ACCOUNT="2 per minute")
    client = app.test_client()
    auth = AuthActions(client)
    codes = [
        client.post(
            "/en/password/reset",
            data={"email": "x@example.org", "csrf_token": auth.token("/en/password/reset")},
        ).status_code
        for _ in range(3)
    ]
    assert codes == [302, 302, 429]


def _redis_answers() -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(1)
        try:
            s.connect(("127.0.0.1", 6379))
        except OSError:
            return False
    return True


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server on 127.0.0.1:6379")
def test_limits_kept_in_redis_are_shared_by_every_process(
    make_app: Callable[..., Flask], app: Flask
) -> None:
    import uuid

    settings = {
        "KB_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/0",
        "KB_RATELIMIT_ACCOUNT": "3 per minute",
        "RATELIMIT_KEY_PREFIX": f"kb-test-{uuid.uuid4().hex}",
    }
    first, second = make_app(**settings), make_app(**settings)  # two nodes, one Redis
    assert _attempts(first.test_client(), "shared@example.org", 2) == [401, 401]
    assert _attempts(second.test_client(), "shared@example.org", 2) == [401, 429]


def test_an_expired_session_asks_to_sign_in_again_and_keeps_what_was_typed(
    client: FlaskClient, auth: AuthActions, make_account: Callable[..., Any], app: Flask
) -> None:
    auth.login(make_account().user.email)
    token = auth.token("/fr/account")
    later = time.time() + (app.config["KB_SESSION_HOURS"] + 1) * 3600
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(time, "time", lambda: later)
        assert client.get("/fr/account").status_code == 302  # to the sign-in page
        response = client.post(
            "/fr/account",
            data={"display_name": "Texte saisi avant l’expiration", "csrf_token": token},
        )
    assert response.status_code == 400
    assert "Texte saisi avant l’expiration" in response.get_data(as_text=True)
