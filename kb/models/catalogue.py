"""The catalogue: `Practice` and its ordered `Source` rows, taxonomy terms as rows (labels and
synonyms are data), events, editorial pages, the `ChangeLog` outbox the search indexes follow and
a full `Revision` snapshot per version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from kb.models.common import utcnow


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
    # The translated side of bilingual fields (migration 0003). `body`, `evaluation`
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
