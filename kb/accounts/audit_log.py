"""Reading the audit log: filters, pages newest first, and a streamed, formula-safe CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from kb.models import AuditEvent, User
from kb.permissions import Actor, require


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page and its CSV download filter on; every field optional."""

    actor: str = ""  # an e-mail address (exact, case-insensitive), "system" or "anonymous"
    action: str = ""
    target_kind: str = ""
    target_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def _filtered(statement: Any, filters: AuditFilter) -> Any:
    if filters.actor in ("system", "anonymous"):
        statement = statement.where(AuditEvent.actor_kind == filters.actor)
    elif filters.actor:
        accounts_with_email = select(User.id).where(User.email == filters.actor.strip().lower())
        statement = statement.where(col(AuditEvent.actor_id).in_(accounts_with_email))
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.target_kind:
        statement = statement.where(AuditEvent.target_kind == filters.target_kind)
    if filters.target_id:
        statement = statement.where(AuditEvent.target_id == filters.target_id.strip())
    if filters.since:
        statement = statement.where(col(AuditEvent.created_at) >= filters.since)
    if filters.until:
        statement = statement.where(col(AuditEvent.created_at) < filters.until)
    return statement


def search(
    *, session: Session, actor: Actor, filters: AuditFilter, offset: int = 0, limit: int = 50
) -> tuple[list[tuple[AuditEvent, str]], int]:
    """Events newest first with the acting account's e-mail (or its kind), and the total."""
    require(actor, "audit.read")
    total = session.exec(_filtered(select(func.count(col(AuditEvent.id))), filters)).one()
    statement = _filtered(
        select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.actor_id),  # type: ignore[arg-type]
        filters,
    )
    rows = session.exec(
        statement.order_by(col(AuditEvent.id).desc()).offset(offset).limit(limit)
    ).all()
    return [(event, email or event.actor_kind) for event, email in rows], int(total)


CSV_COLUMNS: Sequence[str] = (
    "id",
    "created_at",
    "actor",
    "action",
    "target_kind",
    "target_id",
    "detail",
    "address",
)


def csv_rows(*, session: Session, actor: Actor, filters: AuditFilter) -> Iterator[str]:
    """The filtered log as CSV text, streamed in pages so a long log stays bounded in memory."""
    require(actor, "audit.read")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    offset, page = 0, 500
    while True:
        rows, _total = search(
            session=session, actor=actor, filters=filters, offset=offset, limit=page
        )
        for event, who in rows:
            writer.writerow(
                _cell(value)
                for value in (
                    event.id,
                    event.created_at.isoformat(),
                    who,
                    event.action,
                    event.target_kind,
                    event.target_id,
                    _detail_text(event.detail),
                    event.address or "",
                )
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < page:
            return
        offset += page


def _detail_text(detail: dict[str, Any]) -> str:
    parts = (
        f"{key}={','.join(map(str, value)) if isinstance(value, list) else value}"
        for key, value in detail.items()
    )
    return "; ".join(parts)


def _cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula (a slug or name could start with '=')."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
