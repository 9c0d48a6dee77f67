"""Accounts: role sets, passwords, invitations and resets, API tokens. Flask-free.

Every function that changes an account takes `actor=`, checks `kb.permissions`, writes its audit
event and flushes; the caller commits (`kb.uow.commit`). Passwords are hashed with argon2id
(argon2-cffi) and rehashed on login when the parameters change. Invitation and reset links are
signed (itsdangerous), expire, and are single-use: they carry a fingerprint of the password hash
and session version, which setting a password changes.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete as sql_delete
from sqlmodel import Session, col, select

from kb import audit, mail
from kb.errors import N_, BadRequest, FieldError, NotFound, ValidationError
from kb.models import ApiToken, User, UserRole, utcnow
from kb.permissions import ROLES, Actor, require

PASSWORD_MIN, PASSWORD_MAX = 12, 1024  # also spelled out in the messages below
NAME_MAX = 120
INVITATION_MAX_AGE = 7 * 24 * 3600  # seconds an invitation link stays valid
RESET_MAX_AGE = 3600  # seconds a password-reset link stays valid
TOKEN_PREFIX = "kb_"
# A link token -> the absolute URL a person opens (built by the web tier, which knows the host).
LinkBuilder = Callable[[str], str]
# argon2-cffi's defaults: argon2id with RFC 9106's low-memory profile (t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()
# Verified against when the account does not exist, so a wrong address costs the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the password hasher (tests use cheaper parameters); returns the previous one."""
    global _hasher, _DUMMY_HASH
    previous, _hasher = _hasher, hasher
    _DUMMY_HASH = hasher.hash(secrets.token_hex(16))
    return previous


@dataclass(frozen=True)
class Account:
    """An account and its roles, as the web tier and the CLI show it."""

    user: User
    roles: frozenset[str]

    @property
    def id(self) -> int:
        assert self.user.id is not None
        return self.user.id

    def actor(self, address: str | None = None) -> Actor:
        return Actor.for_user(self.id, self.roles, address=address)


# --- reading ---------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The normalised address, or ValidationError naming the field."""
    try:
        return normalize_email(validate_email(email, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise ValidationError(
            [FieldError("email", N_("expected an e-mail address such as name@example.org"))]
        ) from exc


def roles_of(session: Session, user_id: int) -> frozenset[str]:
    rows = session.exec(select(UserRole.role).where(UserRole.user_id == user_id))
    return frozenset(rows)


def get(session: Session, user_id: int) -> Account:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no account with id {user_id}")
    return Account(user, roles_of(session, user_id))


def find_by_email(session: Session, email: str) -> Account | None:
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if user is None or user.id is None:
        return None
    return Account(user, roles_of(session, user.id))


def load_session_user(session: Session, session_id: str) -> Account | None:
    """The active account for a login session id "<user id>:<session version>", or None."""
    user_part, _, version_part = session_id.partition(":")
    if not (user_part.isdigit() and version_part.isdigit()):
        return None
    user = session.get(User, int(user_part))
    if user is None or not user.active or user.session_version != int(version_part):
        return None
    return Account(user, roles_of(session, int(user_part)))


def session_id(user: User) -> str:
    return f"{user.id}:{user.session_version}"


def list_accounts(*, session: Session, actor: Actor) -> list[Account]:
    require(actor, "user.list")
    users = session.exec(select(User).order_by(col(User.email))).all()
    roles: dict[int, set[str]] = {}
    for row in session.exec(select(UserRole)):
        roles.setdefault(row.user_id, set()).add(row.role)
    return [Account(u, frozenset(roles.get(u.id or 0, ()))) for u in users]


# --- validation ------------------------------------------------------------------------------


def _check_roles(roles: set[str] | frozenset[str] | tuple[str, ...]) -> frozenset[str]:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise ValidationError(
            [
                FieldError(
                    "roles",
                    f"unknown role {', '.join(unknown)}; expected any of {', '.join(ROLES)}",
                )
            ]
        )
    return frozenset(roles)


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError([FieldError("display_name", N_("required"))])
    if len(name) > NAME_MAX:
        raise ValidationError([FieldError("display_name", N_("at most 120 characters"))])
    return name


def check_password(password: str, field: str = "password") -> None:
    if len(password) < PASSWORD_MIN:
        raise ValidationError([FieldError(field, N_("at least 12 characters"))])
    if len(password) > PASSWORD_MAX:
        raise ValidationError([FieldError(field, N_("at most 1024 characters"))])


# --- creating and administering accounts -----------------------------------------------------


def create(
    *,
    session: Session,
    actor: Actor,
    email: str,
    display_name: str,
    roles: set[str] | frozenset[str] | tuple[str, ...] = (),
    password: str | None = None,
    language: str = "fr",
) -> Account:
    """Create an account, with a password (CLI) or without one (an invitation sets it)."""
    require(actor, "user.create" if password is not None else "user.invite")
    address = check_email(email)
    name = _check_name(display_name)
    role_set = _check_roles(roles)
    if password is not None:
        check_password(password)
    if find_by_email(session, address) is not None:
        raise ValidationError([FieldError("email", N_("an account already uses this address"))])
    now = utcnow()
    user = User(
        email=address,
        display_name=name,
        password_hash=_hasher.hash(password) if password is not None else "",
        password_changed_at=now if password is not None else None,
        language=language if language in ("fr", "en") else "fr",
        invited_by_id=actor.user_id,
        created_at=now,
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for role in sorted(role_set):
        session.add(UserRole(user_id=user.id, role=role))
    event = audit.UserCreated if password is not None else audit.UserInvited
    audit.record(session, actor, event(user.id, tuple(sorted(role_set))))
    session.flush()
    return Account(user, role_set)


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


def set_roles(
    *, session: Session, actor: Actor, user_id: int, roles: set[str] | frozenset[str]
) -> Account:
    role_set = _check_roles(roles)
    require(actor, "user.set_roles", (user_id, role_set))
    account = get(session, user_id)
    if role_set == account.roles:
        return account
    session.execute(sql_delete(UserRole).where(col(UserRole.user_id) == user_id))
    for role in sorted(role_set):
        session.add(UserRole(user_id=user_id, role=role))
    audit.record(
        session,
        actor,
        audit.RolesChanged(user_id, tuple(sorted(account.roles)), tuple(sorted(role_set))),
    )
    session.flush()
    return Account(account.user, role_set)


def set_active(*, session: Session, actor: Actor, user_id: int, active: bool) -> Account:
    """Deactivate (never delete: provenance keeps the id) or reactivate an account."""
    require(actor, "user.reactivate" if active else "user.deactivate", user_id)
    account = get(session, user_id)
    if account.user.active == active:
        return account
    account.user.active = active
    if not active:  # ends every session and makes its tokens useless
        account.user.session_version += 1
    session.add(account.user)
    event = audit.UserReactivated if active else audit.UserDeactivated
    audit.record(session, actor, event(user_id))
    session.flush()
    return account


# --- one's own account -----------------------------------------------------------------------


def edit_profile(
    *,
    session: Session,
    actor: Actor,
    user_id: int,
    display_name: str,
    language: str,
    email_notifications: bool,
) -> Account:
    require(actor, "account.edit", user_id)
    account = get(session, user_id)
    user = account.user
    values = {
        "display_name": _check_name(display_name),
        "language": language if language in ("fr", "en") else user.language,
        "email_notifications": bool(email_notifications),
    }
    changed = tuple(k for k, v in values.items() if getattr(user, k) != v)
    if changed:
        for key in changed:
            setattr(user, key, values[key])
        session.add(user)
        audit.record(session, actor, audit.AccountEdited(user_id, changed))
        session.flush()
    return account


def authenticate(
    session: Session, email: str, password: str, *, address: str | None = None
) -> Account | None:
    """The active account whose password this is, or None (same cost whether it exists or not).

    A hash made with older argon2 parameters is replaced on success (flushed with the session).
    """
    account = find_by_email(session, email) if len(password) <= PASSWORD_MAX else None
    stored = account.user.password_hash if account and account.user.password_hash else ""
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not stored or not account.user.active:
        return None
    if _hasher.check_needs_rehash(stored):
        account.user.password_hash = _hasher.hash(password)
    account.user.last_login_at = utcnow()
    session.add(account.user)
    audit.record(session, account.actor(address), audit.LoggedIn(account.id))
    session.flush()
    return account


def change_password(
    *, session: Session, actor: Actor, user_id: int, current: str, new: str
) -> Account:
    """Change one's password knowing the current one; every other session of the account ends."""
    require(actor, "account.change_password", user_id)
    account = get(session, user_id)
    try:
        _hasher.verify(account.user.password_hash or _DUMMY_HASH, current)
    except (VerificationError, InvalidHashError):
        raise ValidationError(
            [FieldError("current_password", N_("this is not your current password"))]
        ) from None
    check_password(new, "new_password")
    _store_password(session, account.user, new)
    audit.record(session, actor, audit.PasswordChanged(account.id, "account"))
    session.flush()
    return account


def _store_password(session: Session, user: User, password: str) -> None:
    user.password_hash = _hasher.hash(password)
    user.password_changed_at = utcnow()
    user.session_version += 1
    session.add(user)


def set_password_cli(*, session: Session, actor: Actor, user_id: int, password: str) -> Account:
    """The operator sets a password from the command line (first admin, lost access)."""
    require(actor, "user.create")
    check_password(password)
    account = get(session, user_id)
    _store_password(session, account.user, password)
    audit.record(session, actor, audit.PasswordChanged(account.id, "cli"))
    session.flush()
    return account


# --- invitation and reset links --------------------------------------------------------------

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
        raise BadRequest("link: this link has expired; ask for a new one") from None
    except BadSignature:
        raise BadRequest("link: this link is not valid") from None
    if not isinstance(payload, dict) or payload.get("p") not in LINK_PURPOSES:
        raise BadRequest("link: this link is not valid")
    purpose = str(payload["p"])
    if purpose == "reset":
        try:
            _serializer(secret).loads(token, max_age=RESET_MAX_AGE)
        except SignatureExpired:
            raise BadRequest("link: this link has expired; ask for a new one") from None
    user = session.get(User, int(payload.get("u") or 0))
    if user is None or not user.active or payload.get("f") != _fingerprint(user):
        raise BadRequest("link: this link has already been used or is no longer valid")
    assert user.id is not None
    return Account(user, roles_of(session, user.id)), purpose


def set_password_from_link(
    *, session: Session, secret: str, token: str, password: str, address: str | None = None
) -> Account:
    """Set the password through an invitation or reset link (which then stops working)."""
    account, _purpose = read_link(session, secret, token)
    check_password(password)
    _store_password(session, account.user, password)
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


# --- API tokens ------------------------------------------------------------------------------


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
        raise NotFound(f"no active token with id {token_id}")
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


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)
