"""API bearer tokens: named, hashed (only a prefix is kept readable), shown once, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlmodel import Session, col, select

from kb import audit
from kb.accounts.accounts import Account, roles_of
from kb.errors import N_, FieldError, NotFound, ValidationError
from kb.models import ApiToken, User, utcnow
from kb.permissions import Actor, require

TOKEN_PREFIX = "kb_"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    *, session: Session, actor: Actor, user_id: int, name: str
) -> tuple[ApiToken, str]:
    """A new named token for the account; the plain token is returned once and never stored."""
    require(actor, "token.create", user_id)
    name = " ".join(name.split())
    if not name or len(name) > 80:
        raise ValidationError([FieldError("name", N_("required; at most 80 characters"))])
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user_id, name=name, token_hash=_token_hash(plain), prefix=plain[:10])
    session.add(token)
    session.flush()
    assert token.id is not None
    audit.record(session, actor, audit.TokenCreated(token.id, user_id, name))
    session.flush()
    return token, plain


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    statement = (
        select(ApiToken)
        .where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
        .order_by(col(ApiToken.created_at))
    )
    return list(session.exec(statement))


def revoke_token(*, session: Session, actor: Actor, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None:
        raise NotFound(N_("no active token with id %(token_id)s"), token_id=token_id)
    require(actor, "token.revoke", token.user_id)
    token.revoked_at = utcnow()
    session.add(token)
    assert token.id is not None
    audit.record(session, actor, audit.TokenRevoked(token.id, token.user_id, token.name))
    session.flush()


def authenticate_token(session: Session, plain: str) -> Account | None:
    """The active account owning this unrevoked token (its last use is noted), or None."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _token_hash(plain))).first()
    if token is None or token.revoked_at is not None:
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or (now - _aware(token.last_used_at)).total_seconds() > 60:
        token.last_used_at = now  # at most once a minute: reads should not all write
        session.add(token)
    return Account(user, roles_of(session, token.user_id))


def revoked_token(session: Session, plain: str) -> ApiToken | None:
    """The token row of a token that exists but no longer works (revoked, account deactivated)."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 100:
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _token_hash(plain))).first()
    if token is None:
        return None
    user = session.get(User, token.user_id)
    return token if token.revoked_at is not None or user is None or not user.active else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)
