"""Accounts: `User` with its role set in `UserRole`, `ApiToken` (stored hashed), `AuditEvent`
(one row per change, written in the change's transaction) and `MailMessage` (the e-mail outbox).
Accounts are deactivated, never deleted: provenance columns keep their ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from kb.models.common import utcnow


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased (kb.accounts.normalize_email), so lookups are exact on both backends.
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    # Empty until a password is set (an invited account cannot log in before that).
    password_hash: str = Field(default="", max_length=255)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    # Part of the login session's id: bumping it ends every other session of the account.
    session_version: int = Field(default=1)
    language: str = Field(default="fr", max_length=2)
    email_notifications: bool = Field(default=True)
    last_login_at: datetime | None = Field(default=None)
    password_changed_at: datetime | None = Field(default=None)
    invited_by_id: int | None = Field(default=None, foreign_key="user.id")


class UserRole(SQLModel, table=True):
    """One row per role an account holds (kb.permissions.ROLES); no row means no role."""

    __tablename__ = "user_role"

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    role: str = Field(max_length=20, primary_key=True)


class LoginSession(SQLModel, table=True):
    """One signed-in browser: the cookie names it, so signing out ends it on the server."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    # SHA-256 of the random key the signed cookie carries; the key itself is never stored.
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class ApiToken(SQLModel, table=True):
    """A named bearer token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = Field(default=None)
    revoked_at: datetime | None = Field(default=None)


class AuditEvent(SQLModel, table=True):
    """Who did what to which record, when and from where (address truncated to /24 or /48)."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_target", "target_kind", "target_id"),)

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    # "user", "system" (CLI and seed import) or "anonymous" (e.g. a password-reset request).
    actor_kind: str = Field(max_length=10)
    action: str = Field(max_length=40, index=True)
    target_kind: str = Field(max_length=20)
    target_id: str = Field(max_length=120)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    address: str | None = Field(default=None, max_length=50)


class MailMessage(SQLModel, table=True):
    """Outbox of e-mail: written in the transaction that decides to send, delivered after it."""

    __tablename__ = "mail_message"

    id: int | None = Field(default=None, primary_key=True)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    body: str = Field(sa_column=Column(Text, nullable=False))
    purpose: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = Field(default=None, index=True)
    attempts: int = Field(default=0)
    last_error: str | None = Field(default=None, max_length=500)
