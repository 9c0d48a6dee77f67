"""Invitation and password-reset links: signed (itsdangerous), expiring and single-use.

A link carries a fingerprint of the account's password hash and session version, which setting
a password changes, so a used link stops working. Flask-free; the web tier builds the URL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlmodel import Session

from kb import audit, mail
from kb.accounts.accounts import (
    Account,
    create,
    find_by_email,
    roles_of,
    store_password,
)
from kb.accounts.passwords import check_password, own_words
from kb.errors import N_, BadRequest
from kb.models import User
from kb.permissions import Actor

INVITATION_MAX_AGE = 7 * 24 * 3600  # seconds an invitation link stays valid
RESET_MAX_AGE = 3600  # seconds a password-reset link stays valid
# A link token -> the absolute URL a person opens (built by the web tier, which knows the host).
LinkBuilder = Callable[[str], str]

LINK_PURPOSES = {"invite": INVITATION_MAX_AGE, "reset": RESET_MAX_AGE}


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="kb.account-link")


def _fingerprint(user: User) -> str:
    material = f"{user.password_hash}|{user.session_version}|{user.active}".encode()
    return hashlib.sha256(material).hexdigest()[:16]


def account_link(secret: str, user: User, purpose: str) -> str:
    """A signed token for `purpose` ("invite" or "reset"); it dies when a password is set."""
    return str(_serializer(secret).dumps({"u": user.id, "p": purpose, "f": _fingerprint(user)}))


def read_link(session: Session, secret: str, token: str) -> tuple[Account, str]:
    """The account and purpose of a valid link; BadRequest when expired, used or forged."""
    try:
        payload = _serializer(secret).loads(token, max_age=INVITATION_MAX_AGE)
    except SignatureExpired:
        raise BadRequest(N_("link: this link has expired; ask for a new one")) from None
    except BadSignature:
        raise BadRequest(N_("link: this link is not valid")) from None
    if not isinstance(payload, dict) or payload.get("p") not in LINK_PURPOSES:
        raise BadRequest(N_("link: this link is not valid"))
    purpose = str(payload["p"])
    if purpose == "reset":
        try:
            _serializer(secret).loads(token, max_age=RESET_MAX_AGE)
        except SignatureExpired:
            raise BadRequest(N_("link: this link has expired; ask for a new one")) from None
    user = session.get(User, int(payload.get("u") or 0))
    if user is None or not user.active or payload.get("f") != _fingerprint(user):
        raise BadRequest(N_("link: this link has already been used or is no longer valid"))
    assert user.id is not None
    return Account(user, roles_of(session, user.id)), purpose


def set_password_from_link(
    *, session: Session, secret: str, token: str, password: str, address: str | None = None
) -> Account:
    """Set the password through an invitation or reset link (which then stops working)."""
    account, _purpose = read_link(session, secret, token)
    check_password(password, own=own_words(account.user.email, account.user.display_name))
    store_password(session, account.user, password)
    audit.record(session, account.actor(address), audit.PasswordChanged(account.id, "link"))
    session.flush()
    return account


def request_reset(
    *, session: Session, email: str, secret: str, link: LinkBuilder, address: str | None = None
) -> None:
    """Queue a reset link when an active account has this address; silent otherwise."""
    account = find_by_email(session, email)
    if account is None or not account.user.active or not account.user.password_hash:
        return
    url = link(account_link(secret, account.user, "reset"))
    mail.enqueue(session, mail.password_reset(account.user, url))
    audit.record(
        session, Actor.anonymous(address=address), audit.PasswordResetRequested(account.id)
    )
    session.flush()


def invite(
    *,
    session: Session,
    actor: Actor,
    email: str,
    display_name: str,
    roles: set[str] | frozenset[str] | tuple[str, ...],
    secret: str,
    link: LinkBuilder,
    language: str = "fr",
) -> Account:
    """Create an account without a password and queue an e-mail with its invitation link."""
    account = create(
        session=session,
        actor=actor,
        email=email,
        display_name=display_name,
        roles=roles,
        language=language,
    )
    url = link(account_link(secret, account.user, "invite"))
    mail.enqueue(session, mail.invitation(account.user, url))
    return account
