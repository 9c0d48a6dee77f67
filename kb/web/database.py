"""The database in a Flask app: the engine kept in app.extensions, a session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlmodel import Session

from kb.db import get_engine, make_engine


def get_session() -> Session:
    """The request's session, opened on first use and closed at teardown."""
    if "kb_session" not in g:
        g.kb_session = Session(get_engine(current_app), expire_on_commit=False)
    session: Session = g.kb_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("kb_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    app.extensions["kb.engine"] = make_engine(app.config["KB_DATABASE_URL"])
    app.teardown_appcontext(_close_session)
