"""The tables of kb.

`Practice` is the central record; `Source` rows hang off it in order; taxonomy terms are rows so
that labels and synonyms are data. `ChangeLog` is the outbox that search indexes follow: one row per
change to a practice, written in the same transaction as the change. `Revision` keeps a full
snapshot per version (the basis of diffs and review); `User` exists so that provenance columns can
name who did what once accounts arrive. Collections, review comments and an audit log come in later
migrations and attach to these ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

WORKFLOW_STATES = ("draft", "submitted", "published", "archived")
ACTIVITY_STATUSES = ("ongoing", "ended", "unknown")
TERM_KINDS = ("theme", "approach", "target", "evidence")
CHANGE_ACTIONS = ("create", "update", "state", "delete")
ROLES = ("reader", "moderator", "curator", "admin")


def utcnow() -> datetime:
    # Aware UTC everywhere: SQLModel stores it as UTC and returns it aware on both backends.
    return datetime.now(UTC)


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(max_length=120)
    role: str = Field(default="moderator", max_length=20)
    password_hash: str = Field(default="", max_length=255)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class Practice(SQLModel, table=True):
    __table_args__ = (Index("ix_practice_state_published", "state", "published_at"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    title_fr: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    summary_fr: str = Field(sa_column=Column(Text, nullable=False))
    summary_en: str = Field(sa_column=Column(Text, nullable=False))
    language: str = Field(max_length=2)
    original_title: str | None = Field(default=None, max_length=300)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Plain text of `body`, kept by kb.practices on every write: search snippets need it per hit and
    # rendering Markdown per result would cost more than the search itself.
    body_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    cities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    country: str = Field(max_length=2, index=True)
    region: str | None = Field(default=None, max_length=120)
    lead_organisation: str = Field(max_length=400)
    partners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    start_year: int | None = Field(default=None)
    end_year: int | None = Field(default=None)
    status: str = Field(default="unknown", max_length=10)
    evidence_level: str = Field(max_length=40)
    evaluation: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    lessons: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    contact_organisation: str | None = Field(default=None, max_length=400)
    state: str = Field(default="draft", max_length=12, index=True)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = Field(default=None)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")

    @property
    def city(self) -> str:
        return self.cities[0] if self.cities else ""

    def title(self, lang: str) -> str:
        return self.title_fr if lang == "fr" else self.title_en

    def summary(self, lang: str) -> str:
        return self.summary_fr if lang == "fr" else self.summary_en


class Source(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("practice_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(foreign_key="practice.id", index=True, ondelete="CASCADE")
    position: int
    title: str = Field(max_length=500)
    url: str = Field(max_length=2000)
    publisher: str | None = Field(default=None, max_length=300)
    date: str | None = Field(default=None, max_length=10)
    language: str | None = Field(default=None, max_length=8)


class TaxonomyTerm(SQLModel, table=True):
    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("kind", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10, index=True)
    slug: str = Field(max_length=60)
    position: int = 0
    label_fr: str = Field(max_length=120)
    label_en: str = Field(max_length=120)
    definition_fr: str = Field(default="", sa_column=Column(Text, nullable=False))
    definition_en: str = Field(default="", sa_column=Column(Text, nullable=False))
    synonyms_fr: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    synonyms_en: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en


class PracticeTerm(SQLModel, table=True):
    __tablename__ = "practice_term"

    practice_id: int = Field(foreign_key="practice.id", primary_key=True, ondelete="CASCADE")
    term_id: int = Field(foreign_key="taxonomy_term.id", primary_key=True, index=True)
    position: int = 0


class Event(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    title_fr: str = Field(max_length=400)
    title_en: str = Field(max_length=400)
    place: str = Field(default="", max_length=300)
    start_date: str | None = Field(default=None, max_length=10)
    end_date: str | None = Field(default=None, max_length=10)
    organiser: str = Field(default="", max_length=300)
    note_fr: str = Field(default="", sa_column=Column(Text, nullable=False))
    note_en: str = Field(default="", sa_column=Column(Text, nullable=False))
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )


class PracticeEvent(SQLModel, table=True):
    __tablename__ = "practice_event"

    practice_id: int = Field(foreign_key="practice.id", primary_key=True, ondelete="CASCADE")
    event_id: int = Field(foreign_key="event.id", primary_key=True, index=True)


class Page(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("slug", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, index=True)
    language: str = Field(max_length=2)
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    sources: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    updated_at: datetime = Field(default_factory=utcnow)


class ChangeLog(SQLModel, table=True):
    """Outbox: search indexes apply rows with an id above the last one they applied."""

    __tablename__ = "change_log"

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(index=True)  # no foreign key: the row outlives a deleted practice
    slug: str = Field(max_length=120)
    action: str = Field(max_length=10)
    version: int
    created_at: datetime = Field(default_factory=utcnow)


class Revision(SQLModel, table=True):
    """A full snapshot of a practice at one version, for history, diffs and review."""

    __table_args__ = (UniqueConstraint("practice_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    practice_id: int = Field(index=True)
    version: int
    action: str = Field(max_length=10)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class Webhook(SQLModel, table=True):
    """A subscriber to the changes feed: each public change is POSTed to `url`, signed."""

    id: int | None = Field(default=None, primary_key=True)
    url: str = Field(max_length=2000)
    # Kept as given: the HMAC needs it. Only admins (and the CLI) ever read this table.
    secret: str = Field(max_length=200)
    active: bool = Field(default=True)
    cursor: int = Field(default=0)  # the last change-log id turned into deliveries
    created_at: datetime = Field(default_factory=utcnow)


class WebhookDelivery(SQLModel, table=True):
    """Outbox of webhook calls: delivered in change order per webhook, retried with backoff."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("webhook_id", "change_cursor"),
        Index("ix_webhook_delivery_pending", "webhook_id", "status", "change_cursor"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="webhook.id", ondelete="CASCADE")
    change_cursor: int
    event: str = Field(max_length=20)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=10)  # pending | delivered
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_status: int | None = Field(default=None)
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = Field(default=None)
