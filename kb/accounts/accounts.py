"""Accounts: role sets, profiles, passwords. Flask-free.

Every function that changes an account takes `actor=`, checks `kb.permissions`, writes its audit
event and flushes; the caller commits (`kb.uow.commit`). Passwords are hashed with argon2id
(argon2-cffi) and rehashed on login when the parameters change. Invitation and reset links live
in `kb.account_links`, API tokens in `kb.api_tokens`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete as sql_delete
from sqlmodel import Session, col, select

from kb import audit
from kb.accounts.passwords import PASSWORD_MAX, check_password, own_words
from kb.errors import N_, FieldError, NotFound, ValidationError
from kb.models import ApiToken, User, UserRole, utcnow
from kb.permissions import ROLES, Actor, require

NAME_MAX = 120
# argon2-cffi's defaults: argon2id with RFC 9106's low-memory profile (t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()
# Verified against when the account does not exist, so a wrong address costs the same time.
# Made on first need (one argon2 hash is ~0.3 s: not a cost for `import kb` or every CLI command).
_dummy_hash: str | None = None


def _dummy() -> str:
    """A hash of a random password, made by the current hasher on first use."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_hex(16))
    return _dummy_hash


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the password hasher (tests use cheaper parameters); returns the previous one."""
    global _hasher, _dummy_hash
    previous, _hasher = _hasher, hasher
    _dummy_hash = None  # the next one is made with this hasher's parameters
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
    # Imported here: its grammar is compiled on import, a cost only account edits need to pay.
    from email_validator import EmailNotValidError, validate_email

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
        raise NotFound(N_("no account with id %(user_id)s"), user_id=user_id)
    return Account(user, roles_of(session, user_id))


def find_by_email(session: Session, email: str) -> Account | None:
    user = session.exec(select(User).where(User.email == normalize_email(email))).first()
    if user is None or user.id is None:
        return None
    return Account(user, roles_of(session, user.id))


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
                    N_("unknown role %(choices)s; expected any of %(roles)s"),
                    choices=", ".join(unknown),
                    roles=", ".join(ROLES),
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
        check_password(password, own=own_words(address, name))
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
    if not active:  # ends every session and revokes its tokens: reactivating revives neither
        account.user.session_version += 1
        _revoke_tokens(session, actor, user_id)
    session.add(account.user)
    event = audit.UserReactivated if active else audit.UserDeactivated
    audit.record(session, actor, event(user_id))
    session.flush()
    return account


def _revoke_tokens(session: Session, actor: Actor, user_id: int) -> None:
    live = select(ApiToken).where(ApiToken.user_id == user_id, col(ApiToken.revoked_at).is_(None))
    for token in session.exec(live).all():
        token.revoked_at = utcnow()
        session.add(token)
        assert token.id is not None
        audit.record(session, actor, audit.TokenRevoked(token.id, user_id, token.name))


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
        _hasher.verify(stored or _dummy(), password)
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
        _hasher.verify(account.user.password_hash or _dummy(), current)
    except (VerificationError, InvalidHashError):
        raise ValidationError(
            [FieldError("current_password", N_("this is not your current password"))]
        ) from None
    check_password(
        new, "new_password", own=own_words(account.user.email, account.user.display_name)
    )
    store_password(session, account.user, new)
    audit.record(session, actor, audit.PasswordChanged(account.id, "account"))
    session.flush()
    return account


def store_password(session: Session, user: User, password: str) -> None:
    """Hash and set a password; other sessions end (their session version is stale)."""
    user.password_hash = _hasher.hash(password)
    user.password_changed_at = utcnow()
    user.session_version += 1
    session.add(user)
