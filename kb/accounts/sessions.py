"""Login sessions kept on the server. Flask-free.

The signed cookie carries "<user id>:<session version>:<key>". The cookie alone proves nothing
once its row is gone: signing out deletes the row, so a copy of the cookie taken before stops
working at once instead of living on until it expires. The session version ends every session
of an account together (password change, deactivation, "sign out everywhere").
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete as sql_delete
from sqlmodel import Session, col, select

from kb import audit
from kb.accounts.accounts import Account, get, roles_of
from kb.models import LoginSession, User, utcnow
from kb.permissions import Actor, require


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _parse(session_id: str) -> tuple[int, int, str] | None:
    parts = session_id.split(":")
    if len(parts) != 3 or not (parts[0].isdigit() and parts[1].isdigit()) or not parts[2]:
        return None
    if len(parts[0]) > 18 or len(parts[1]) > 18:  # beyond any id a database column holds
        return None
    return int(parts[0]), int(parts[1]), parts[2]


def start(session: Session, account: Account, *, hours: int) -> str:
    """A new login session for the account; returns the id its cookie carries."""
    cutoff = utcnow() - timedelta(hours=hours)
    session.execute(  # the account's sessions that expired by age are forgotten here
        sql_delete(LoginSession).where(
            col(LoginSession.user_id) == account.id, col(LoginSession.created_at) < cutoff
        )
    )
    key = secrets.token_urlsafe(24)
    session.add(LoginSession(user_id=account.id, key_hash=_hash(key)))
    session.flush()
    return f"{account.id}:{account.user.session_version}:{key}"


def resolve(session: Session, session_id: str, *, hours: int) -> Account | None:
    """The active account of a live login session, or None (ended, expired, stale version)."""
    parsed = _parse(session_id)
    if parsed is None:
        return None
    user_id, version, key = parsed
    row = session.exec(select(LoginSession).where(LoginSession.key_hash == _hash(key))).first()
    if row is None or row.user_id != user_id:
        return None
    created = row.created_at
    if created.tzinfo is None:  # SQLite hands back naive UTC
        created = created.replace(tzinfo=utcnow().tzinfo)
    if created < utcnow() - timedelta(hours=hours):
        return None
    user = session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    return Account(user, roles_of(session, user_id))


def end(session: Session, session_id: str) -> None:
    """End one login session (signing out); an unknown or malformed id is ignored."""
    parsed = _parse(session_id)
    if parsed is not None:
        session.execute(
            sql_delete(LoginSession).where(col(LoginSession.key_hash) == _hash(parsed[2]))
        )


def end_all(*, session: Session, actor: Actor, user_id: int) -> Account:
    """Sign the account out of every browser ("sign out everywhere")."""
    require(actor, "account.edit", user_id)
    account = get(session, user_id)
    account.user.session_version += 1
    session.add(account.user)
    session.execute(sql_delete(LoginSession).where(col(LoginSession.user_id) == user_id))
    audit.record(session, actor, audit.SignedOutEverywhere(user_id))
    session.flush()
    return account
