"""The collections' side of the changes feed: what a mirror needs to follow published collections.

A collection's history (`CollectionRevision`, one row per write, ids in order) is its change log.
Each row above the cursor becomes one change about the collection in its *current* state:
`published` or `updated` with its public record, or an `unpublished` tombstone once it went back to
draft. A collection that was never published is never told (its cursor still moves past it).
A collection's public record also shows its practices (titles, versions, archived or not), so a
change to a practice that a published collection holds is also told as an `updated` collection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from kb.collections import reads as collection_reads
from kb.collections.reads import UrlFor
from kb.models import Collection, CollectionItem, CollectionRevision

PUBLISH_ACTION = "collection.publish"


@dataclass(frozen=True)
class CollectionChange:
    cursor: str
    type: str  # published | updated | unpublished
    slug: str
    version: int
    changed_at: str
    collection: Collection | None  # set when the collection is public now


def read(
    session: Session,
    *,
    since: int,
    limit: int,
    practice_ids: Iterable[int] = (),
    practice_cursor: str = "",
) -> tuple[list[CollectionChange], int, bool]:
    """The changes after revision `since` (at most `limit` rows), plus the collections holding
    `practice_ids` (told under `practice_cursor`); the last revision id read, and whether nothing
    more is waiting."""
    rows = list(
        session.exec(
            select(CollectionRevision)
            .where(col(CollectionRevision.id) > since)
            .order_by(col(CollectionRevision.id))
            .limit(limit + 1)
        )
    )
    caught_up = len(rows) <= limit
    rows = rows[:limit]
    last: dict[int, CollectionRevision] = {}
    for row in rows:
        last.pop(row.collection_id, None)  # keep the latest row, in its own position
        last[row.collection_id] = row
    current = _collections(session, list(last))
    out = [
        change
        for cid, row in last.items()
        if (change := _change(f"c{row.id}", row.action, current.get(cid))) is not None
    ]
    told = {c.slug for c in out}
    for collection in _holding(session, practice_ids):
        if collection.slug not in told:
            told.add(collection.slug)
            out.append(_told(practice_cursor, "updated", collection))
    last_id = rows[-1].id if rows else since
    assert last_id is not None
    return out, last_id, caught_up


def _collections(session: Session, ids: list[int]) -> dict[int, Collection]:
    if not ids:
        return {}
    found = session.exec(select(Collection).where(col(Collection.id).in_(ids)))
    return {c.id: c for c in found if c.id is not None}


def _change(cursor: str, action: str, collection: Collection | None) -> CollectionChange | None:
    if collection is None or collection.published_at is None:
        return None  # never public: nothing to tell a mirror
    if collection.state == "published":
        return _told(cursor, "published" if action == PUBLISH_ACTION else "updated", collection)
    return CollectionChange(
        cursor,
        "unpublished",
        collection.slug,
        collection.version,
        collection.updated_at.isoformat(),
        None,
    )


def _told(cursor: str, kind: str, collection: Collection) -> CollectionChange:
    stamp = collection.updated_at.isoformat()
    return CollectionChange(cursor, kind, collection.slug, collection.version, stamp, collection)


def _holding(session: Session, practice_ids: Iterable[int]) -> list[Collection]:
    ids = list(practice_ids)
    if not ids:
        return []
    return list(
        session.exec(
            select(Collection)
            .where(Collection.state == "published")
            .where(
                col(Collection.id).in_(
                    select(CollectionItem.collection_id).where(
                        col(CollectionItem.practice_id).in_(ids)
                    )
                )
            )
            .order_by(col(Collection.id))
        )
    )


def to_json(session: Session, change: CollectionChange, *, url: UrlFor) -> dict[str, Any]:
    """One collection change as a JSON item: its record, or its tombstone."""
    item: dict[str, Any] = {
        "cursor": change.cursor,
        "kind": "collection",
        "type": change.type,
        "slug": change.slug,
        "version": change.version,
        "changed_at": change.changed_at,
    }
    if change.collection is not None:
        item["record"] = collection_reads.record(session, change.collection, url=url)
    else:
        item["tombstone"] = {"slug": change.slug, "state": change.type}
    return item
