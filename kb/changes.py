"""The change log read as a public feed: what a mirror needs to follow the catalogue exactly.

Each change-log row above the cursor becomes, in order, one public change about a practice in its
*current* state: `published` or `updated` with its full record, or a tombstone (`archived`,
`unpublished`, `deleted`) once it is no longer public. Rows of a practice that was never public
(a draft, a submission) are skipped, so drafts never leak; the cursor still moves past them.
Several rows of one practice within a page collapse into its latest one. Replaying every page in
order from cursor 0, or from any cursor previously returned, leaves a mirror equal to the
public catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from kb import records
from kb.errors import BadRequest
from kb.models import ChangeLog, Practice, Revision
from kb.records import UrlsFor

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_ID = 2**31 - 1  # change-log ids are 32-bit integers: a cursor above is past everything
TOMBSTONE_STATES = {"archived": "archived", "draft": "unpublished", "submitted": "unpublished"}


@dataclass(frozen=True)
class Change:
    cursor: int
    type: str  # published | updated | archived | unpublished | deleted
    slug: str
    version: int
    changed_at: str
    practice: Practice | None  # set when the practice is public now


@dataclass(frozen=True)
class Page:
    changes: tuple[Change, ...]
    next_cursor: int
    caught_up: bool


def parse_cursor(raw: str | None) -> int:
    """A cursor from the query string: a non-negative integer, 0 (the beginning) when absent."""
    if raw is None or raw == "":
        return 0
    if not raw.isdigit() or len(raw) > 18:
        raise BadRequest(f"since: expected a cursor returned by this feed, got {raw[:30]!r}")
    return int(raw)


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(f"limit: expected an integer from 1 to {MAX_LIMIT}, got {raw[:30]!r}")
    return int(raw)


def read(session: Session, *, since: int, limit: int = DEFAULT_LIMIT) -> Page:
    """The public changes after `since`, at most `limit` change-log rows' worth."""
    if since >= MAX_ID:
        return Page((), since, True)
    rows = list(
        session.exec(
            select(ChangeLog)
            .where(col(ChangeLog.id) > since)
            .order_by(col(ChangeLog.id))
            .limit(limit + 1)
        )
    )
    caught_up = len(rows) <= limit
    rows = rows[:limit]
    if not rows:
        return Page((), since, True)
    last: dict[int, ChangeLog] = {}
    for row in rows:
        last.pop(row.practice_id, None)  # keep the latest row, in its own position
        last[row.practice_id] = row
    ids = list(last)
    current = {p.id: p for p in session.exec(select(Practice).where(col(Practice.id).in_(ids)))}
    gone = [pid for pid in ids if pid not in current]
    once_public = _were_published(session, gone)
    changes = []
    for pid, row in last.items():
        assert row.id is not None
        practice = current.get(pid)
        kind = _kind(row, practice, pid in once_public)
        if kind is None:
            continue
        public = practice if kind in ("published", "updated") else None
        version = practice.version if practice is not None else row.version
        stamp = (practice.updated_at if practice is not None else row.created_at).isoformat()
        changes.append(Change(row.id, kind, row.slug, version, stamp, public))
    last_id = rows[-1].id
    assert last_id is not None
    return Page(tuple(changes), last_id, caught_up)


def _kind(row: ChangeLog, practice: Practice | None, was_public: bool) -> str | None:
    if practice is None:
        return "deleted" if was_public else None
    if practice.state == "published":
        return "updated" if row.action == "update" else "published"
    if practice.published_at is None:
        return None  # never public: nothing to tell a mirror
    return TOMBSTONE_STATES.get(practice.state, "unpublished")


def _were_published(session: Session, practice_ids: Sequence[int]) -> set[int]:
    if not practice_ids:
        return set()
    rows = session.exec(
        select(Revision.practice_id, Revision.snapshot).where(
            col(Revision.practice_id).in_(list(practice_ids))
        )
    )
    return {pid for pid, snapshot in rows if snapshot.get("state") == "published"}


def to_json(session: Session, page: Page, *, urls: UrlsFor) -> list[dict[str, Any]]:
    """The changes of a page as JSON items: each with its record or its tombstone."""
    public = [c.practice for c in page.changes if c.practice is not None]
    built = {r["slug"]: r for r in records.practice_records(session, public, urls=urls)}
    items = []
    for change in page.changes:
        item: dict[str, Any] = {
            "cursor": str(change.cursor),
            "type": change.type,
            "slug": change.slug,
            "version": change.version,
            "changed_at": change.changed_at,
        }
        if change.practice is not None:
            item["record"] = built[change.slug]
        else:
            item["tombstone"] = {"slug": change.slug, "state": change.type}
        items.append(item)
    return items
