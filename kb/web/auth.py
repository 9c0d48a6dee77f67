"""Sign-in with Flask-Login: sessions for people, bearer tokens for the API.

The login session stores "<user id>:<session version>:<key>" (Flask-Login's alternative-id
pattern), checked against the server's row for it on each request (`kb.accounts.sessions`):
signing out deletes the row, bumping the session version ends all the account's sessions. The
API never reads the session cookie, only `Authorization: Bearer …`, so it needs no CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import flask_login
from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlmodel import Session as DbSession

from kb import audit
from kb.accounts import forms
from kb.accounts import sessions as login_sessions
from kb.accounts import tokens as api_tokens
from kb.accounts.accounts import Account
from kb.permissions import Actor, allowed
from kb.web import security_events
from kb.web.database import get_session
from kb.web.i18n import current_lang


class SessionUser(UserMixin):  # type: ignore[misc]
    """What Flask-Login keeps for the request: the account and its roles."""

    def __init__(self, account: Account, session_id: str) -> None:
        self.account = account
        self.session_id = session_id

    def get_id(self) -> str:
        return self.session_id

    @property
    def is_active(self) -> bool:
        return bool(self.account.user.active)

    @property
    def display_name(self) -> str:
        return self.account.user.display_name

    def has_role(self, role: str) -> bool:
        return role in self.account.roles


def secret_key() -> str:
    """The key that signs sessions and account links."""
    return str(current_app.config["SECRET_KEY"])


def client_address() -> str | None:
    return request.remote_addr


def current_actor() -> Actor:
    """The actor of this request: the API token's account, the signed-in person, or anonymous."""
    api_account: Account | None = g.get("api_account")
    if api_account is not None:
        return api_account.actor(client_address())
    if current_user.is_authenticated:
        account: Account = current_user.account
        return account.actor(client_address())
    return Actor.anonymous(address=client_address())


def current_account() -> Account:
    if not current_user.is_authenticated:
        abort(401)
    account: Account = current_user.account
    return account


def can(action: str, target: Any = None) -> bool:
    """For templates: show a link only when the domain would allow the action."""
    return allowed(current_actor(), action, target)


def sign_in(account: Account) -> None:
    """Start a new login session: nothing of the anonymous session survives (no fixation)."""
    db_session = get_session()
    _end_current(db_session)
    session_id = login_sessions.start(
        db_session, account, hours=current_app.config["KB_SESSION_HOURS"]
    )
    db_session.commit()
    kept_lang = session.get("lang")
    session.clear()
    if kept_lang:
        session["lang"] = kept_lang
    login_user(SessionUser(account, session_id))
    session.permanent = True


def _end_current(db_session: DbSession) -> None:
    session_id = session.get("_user_id")
    if isinstance(session_id, str):
        login_sessions.end(db_session, session_id)


def sign_out() -> None:
    """End this browser's login session on the server, then forget it in the cookie."""
    db_session = get_session()
    _end_current(db_session)
    db_session.commit()
    logout_user()


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (never another host) is followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(c) < 32 or ord(c) == 127 for c in target):  # no header splitting in Location
        return None
    parts = urlsplit(target)
    return target if not parts.netloc and not parts.scheme else None


def _load_user(session_id: str) -> SessionUser | None:
    hours = current_app.config["KB_SESSION_HOURS"]
    account = login_sessions.resolve(get_session(), session_id, hours=hours)
    return SessionUser(account, session_id) if account is not None else None


def _unauthorized() -> ResponseReturnValue:
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("account.login", lang=current_lang(), next=request.full_path))


def load_bearer_token() -> None:
    """Before each API request: the account of a valid bearer token, or 401 for a bad one."""
    header = request.headers.get("Authorization", "")
    if not request.path.startswith("/api/") or not header:
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, description="Authorization: expected 'Bearer <token>'")
    account = api_tokens.authenticate_token(get_session(), token.strip())
    if account is None:
        revoked = api_tokens.revoked_token(get_session(), token.strip())
        if revoked is not None and revoked.id is not None:
            security_events.report(
                audit.RevokedTokenUsed(security_events.network(), revoked.id, revoked.user_id),
                Actor.anonymous(address=client_address()),
            )
        abort(
            401,
            description="Authorization: this token is unknown, revoked or its account "
            "is deactivated",
        )
    g.api_account = account
    get_session().commit()  # the token's last use


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.user_loader(_load_user)
    manager.unauthorized_handler(_unauthorized)
    manager.login_message = lazy_gettext("Please sign in to see this page.")
    manager.session_protection = "basic"
    manager.init_app(app)
    app.before_request(load_bearer_token)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["KB_SESSION_HOURS"])
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.jinja_env.globals.update(can=can, role_names=forms.role_names)


View = TypeVar("View", bound=Callable[..., Any])


def login_required(view: View) -> View:
    """flask_login's login_required, typed (it is untyped upstream)."""
    return cast(View, flask_login.login_required(view))
