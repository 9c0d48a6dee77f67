"""What every table module shares: aware UTC timestamps and the enumerations stored as text."""

from __future__ import annotations

from datetime import UTC, datetime

WORKFLOW_STATES = ("draft", "submitted", "published", "archived")
TERM_KINDS = ("theme", "approach", "target", "evidence", "city")
CHANGE_ACTIONS = ("create", "update", "state", "delete")


def utcnow() -> datetime:
    # Aware UTC everywhere: SQLModel stores it as UTC and returns it aware on both backends.
    return datetime.now(UTC)
