"""The tables of kb.

`Practice` is the central record; `Source` rows hang off it in order; taxonomy terms are rows so
that labels and synonyms are data. `ChangeLog` is the outbox that search indexes follow: one row per
change to a practice, written in the same transaction as the change. `Revision` keeps a full
snapshot per version (the basis of diffs and review). Accounts: `User` with its role set in
`UserRole`, `ApiToken` (stored hashed), `AuditEvent` (one row per change, written in the change's
transaction) and `MailMessage` (the e-mail outbox). Accounts are deactivated, never deleted:
provenance columns keep their ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

WORKFLOW_STATES = ("draft", "submitted", "published", "archived")
ACTIVITY_STATUSES = ("ongoing", "ended", "unknown")
TERM_KINDS = ("theme", "approach", "target", "evidence", "city")
CHANGE_ACTIONS = ("create", "update", "state", "delete")


def utcnow() -> datetime:
    # Aware UTC everywhere: SQLModel stores it as UTC and returns it aware on both backends.
    return datetime.now(UTC)


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
    original_title_language: str | None = Field(default=None, max_length=8)  # 0003
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    # Plain text of `body`, kept by kb.practices on every write: search snippets need it per hit and
    # rendering Markdown per result would cost more than the search itself.
    body_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    cities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    country: str = Field(max_length=2, index=True)
    region: str | None = Field(default=None, max_length=120)
    lead_organisation: str = Field(max_length=400)
    partners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Issue 11: the translated side of bilingual fields (migration 0003). `body`, `evaluation`
    # and `lessons` hold the original (`language`); the `*_translation` columns the other
    # language. `lead_organisation`, `partners`, `region`, `contact_organisation` hold the
    # English form and the `*_fr` columns the French one (None / [] when it is the same).
    body_translation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    body_translation_text: str = Field(
        default="", sa_column=Column(Text, nullable=False, default="")
    )
    evaluation_translation: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    lessons_translation: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    lead_organisation_fr: str | None = Field(default=None, max_length=400)
    partners_fr: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, default=list)
    )
    region_fr: str | None = Field(default=None, max_length=120)
    contact_organisation_fr: str | None = Field(default=None, max_length=400)
    # Practical facts (budget, website, staffing) as stated by the sources: see kb.facts.
    facts: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict)
    )
    # "Information checked on" (YYYY-MM-DD), only when known; last substantive content change.
    checked_on: str | None = Field(default=None, max_length=10)
    changed_at: datetime | None = Field(default=None)
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

    def lead(self, lang: str) -> str:
        return (
            (self.lead_organisation_fr or self.lead_organisation)
            if lang == "fr"
            else (self.lead_organisation)
        )

    def partner_names(self, lang: str) -> list[str]:
        if lang == "fr" and len(self.partners_fr) == len(self.partners):
            return list(self.partners_fr)
        return list(self.partners)

    def region_name(self, lang: str) -> str | None:
        return (self.region_fr or self.region) if lang == "fr" else self.region

    def contact(self, lang: str) -> str | None:
        if lang == "fr":
            return self.contact_organisation_fr or self.contact_organisation
        return self.contact_organisation

    @property
    def translation_language(self) -> str:
        return "en" if self.language == "fr" else "fr"


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
    note_fr: str | None = Field(default=None, max_length=300)
    note_en: str | None = Field(default=None, max_length=300)


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
    # Narrower concepts (kb.taxonomy.Narrower.as_json), searched as groups of their own.
    narrower: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )

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


class PageRevision(SQLModel, table=True):
    """A full snapshot of an editorial page (both languages) at one version, for its history."""

    __tablename__ = "page_revision"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, index=True)
    version: int
    action: str = Field(max_length=10)  # "import" or "publish"
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="user.id")
    proposal_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


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
    collection_cursor: int = Field(default=0)  # the last collection revision id, likewise
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
# --- curated collections (kb.collections is their only writer) ------------------------------

COLLECTION_STATES = ("draft", "published")


class Collection(SQLModel, table=True):
    """A curator's ordered selection of practices, with an introduction in French and English."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=120, unique=True, index=True)
    title_fr: str = Field(max_length=200)
    title_en: str = Field(max_length=200)
    intro_fr: str = Field(default="", sa_column=Column(Text, nullable=False))
    intro_en: str = Field(default="", sa_column=Column(Text, nullable=False))
    state: str = Field(default="draft", max_length=12, index=True)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    published_at: datetime | None = Field(default=None)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")

    def title(self, lang: str) -> str:
        return self.title_fr if lang == "fr" else self.title_en

    def intro(self, lang: str) -> str:
        return self.intro_fr if lang == "fr" else self.intro_en


class CollectionItem(SQLModel, table=True):
    """One practice in a collection, at a position, pinned to the version it was added at.

    `practice_id` has no foreign key and the slug and titles are copied: an item outlives a
    practice deleted for good, and the collection page then says it was removed.
    """

    __tablename__ = "collection_item"
    __table_args__ = (UniqueConstraint("collection_id", "practice_id"),)

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collection.id", index=True, ondelete="CASCADE")
    practice_id: int = Field(index=True)
    position: int
    practice_slug: str = Field(max_length=120)
    practice_title_fr: str = Field(max_length=200)
    practice_title_en: str = Field(max_length=200)
    added_version: int
    note_fr: str = Field(default="", sa_column=Column(Text, nullable=False))
    note_en: str = Field(default="", sa_column=Column(Text, nullable=False))
    added_at: datetime = Field(default_factory=utcnow)

    def note(self, lang: str) -> str:
        return self.note_fr if lang == "fr" else self.note_en


class CollectionRevision(SQLModel, table=True):
    """A full snapshot of a collection after each change: its history."""

    __tablename__ = "collection_revision"
    __table_args__ = (UniqueConstraint("collection_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    collection_id: int = Field(index=True)
    version: int
    action: str = Field(max_length=40)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow)
# --- moderation (issue 9): proposals are working copies reviewed before publishing -----------

PROPOSAL_STATUSES = (
    "draft",
    "submitted",
    "changes_requested",
    "approved",
    "published",
    "rejected",
    "withdrawn",
)


class Proposal(SQLModel, table=True):
    """A working copy: the full proposed practice, the version it is based on, its status.

    `practice_id` is None for a new practice. The live practice is untouched until publishing.
    """

    id: int | None = Field(default=None, primary_key=True)
    # What is proposed: "practice" (data: a PracticeData) or "page" (data: a PageEdit).
    kind: str = Field(
        default="practice", max_length=10, sa_column_kwargs={"server_default": "practice"}
    )
    practice_id: int | None = Field(default=None, index=True)  # no FK: history outlives a delete
    slug: str = Field(max_length=120, index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    base_version: int | None = Field(default=None)
    author_id: int = Field(foreign_key="user.id", index=True)
    status: str = Field(default="draft", max_length=20, index=True)
    # Incremented on each submit and rebase: approvals count within the current round only.
    round: int = Field(default=0)
    note: str = Field(default="", sa_column=Column(Text, nullable=False))
    restored_from_version: int | None = Field(default=None)
    published_version: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = Field(default=None)
    decided_at: datetime | None = Field(default=None)


class ProposalComment(SQLModel, table=True):
    """One message of the conversation on a proposal (Markdown, rendered sanitised)."""

    __tablename__ = "proposal_comment"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user.id")
    parent_id: int | None = Field(default=None)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class ReviewDecision(SQLModel, table=True):
    """A moderator's decision on one round of a proposal, with the checklist they ticked."""

    __tablename__ = "review_decision"

    id: int | None = Field(default=None, primary_key=True)
    proposal_id: int = Field(foreign_key="proposal.id", index=True, ondelete="CASCADE")
    reviewer_id: int = Field(foreign_key="user.id")
    decision: str = Field(max_length=20)
    round: int = Field(default=0)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False))
    checklist: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class Suggestion(SQLModel, table=True):
    """From the public: a practice to add (`practice_slug` None) or an error on a practice page.

    The e-mail is for follow-up only: never shown publicly, erased when the suggestion is closed.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=12)  # "suggestion" or "error"
    practice_slug: str | None = Field(default=None, max_length=120, index=True)
    city: str = Field(default="", max_length=120)
    title: str = Field(default="", max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    links: str = Field(default="", sa_column=Column(Text, nullable=False))
    email: str | None = Field(default=None, max_length=254)
    status: str = Field(default="open", max_length=10, index=True)
    proposal_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = Field(default=None)
