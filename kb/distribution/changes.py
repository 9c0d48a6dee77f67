"""The change log read as a public feed: what a mirror needs to follow the catalogue exactly.

Each change-log row above the cursor becomes, in order, one public change about a practice in its
*current* state: `published` or `updated` with its full record, or a tombstone (`archived`,
`unpublished`, `deleted`) once it is no longer public. Rows of a practice that was never public
(a draft, a submission) are skipped, so drafts never leak; the cursor still moves past them.
Several rows of one practice within a page collapse into its latest one. Replaying every page in
order from cursor 0, or from any cursor previously returned, leaves a mirror equal to the
public catalogue.

Collections follow their own log (`kb.collection_changes`); every item says its `kind`
(`practice` or `collection`). A cursor is `P` or `P.C`: the last practice change-log id and the
last collection revision id read (`P` alone means `P.0`, so cursors of the practices-only feed
still work: such a mirror receives the collections once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from kb.catalogue import records
from kb.catalogue.records import UrlsFor
from kb.collections.reads import UrlFor
from kb.distribution import collection_changes
from kb.distribution.collection_changes import CollectionChange
from kb.errors import N_, BadRequest
from kb.models import ChangeLog, Practice, Revision

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
    practice_id: int = 0


@dataclass(frozen=True)
class Cursor:
    """Where a reader of the feed stands in each log."""

    practices: int = 0
    collections: int = 0

    def __str__(self) -> str:
        return (
            str(self.practices) if not self.collections else f"{self.practices}.{self.collections}"
        )


@dataclass(frozen=True)
class Page:
    changes: tuple[Change, ...]
    next_cursor: Cursor
    caught_up: bool
    collection_changes: tuple[CollectionChange, ...] = ()


def parse_cursor(raw: str | None) -> Cursor:
    """A cursor from the query string (`P` or `P.C`), the beginning when absent."""
    if raw is None or raw == "":
        return Cursor()
    parts = raw.split(".")
    if len(parts) > 2 or not all(p.isdigit() and len(p) <= 18 for p in parts):
        raise BadRequest(
            N_("since: expected a cursor returned by this feed, got %(raw)r"), raw=raw[:30]
        )
    return Cursor(*(int(p) for p in parts))


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadRequest(
            N_("limit: expected an integer from 1 to %(max)s, got %(raw)r"),
            max=MAX_LIMIT,
            raw=raw[:30],
        )
    return int(raw)


def read(session: Session, *, since: Cursor, limit: int = DEFAULT_LIMIT) -> Page:
    """The public changes after `since`, at most `limit` rows' worth of each log."""
    told, last_practice, practices_done = _practices(session, since.practices, limit)
    theirs, last_revision, collections_done = collection_changes.read(
        session,
        since=min(since.collections, MAX_ID),
        limit=limit,
        practice_ids=[c.practice_id for c in told],
        practice_cursor=str(last_practice),
    )
    return Page(
        tuple(told),
        Cursor(last_practice, last_revision if since.collections < MAX_ID else since.collections),
        practices_done and collections_done,
        tuple(theirs),
    )


def _practices(session: Session, since: int, limit: int) -> tuple[list[Change], int, bool]:
    """The practice changes after change-log id `since`; the last id read; whether caught up."""
    if since >= MAX_ID:
        return [], since, True
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
        return [], since, True
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
        changes.append(Change(row.id, kind, row.slug, version, stamp, public, pid))
    last_id = rows[-1].id
    assert last_id is not None
    return changes, last_id, caught_up


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


def to_json(
    session: Session, page: Page, *, urls: UrlsFor, collection_url: UrlFor
) -> list[dict[str, Any]]:
    """The changes of a page as JSON items: each with its record or its tombstone."""
    public = [c.practice for c in page.changes if c.practice is not None]
    built = {r["slug"]: r for r in records.practice_records(session, public, urls=urls)}
    items = []
    for change in page.changes:
        item: dict[str, Any] = {
            "cursor": str(change.cursor),
            "kind": "practice",
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
    for other in page.collection_changes:
        items.append(collection_changes.to_json(session, other, url=collection_url))
    return items
