"""Curated collections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from kb.models.common import utcnow

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
