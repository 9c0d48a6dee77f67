"""Webhooks and their delivery outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from kb.models.common import utcnow


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
