"""Moderation: proposals (working copies), comments, review decisions, public suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from kb.models.common import utcnow

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
