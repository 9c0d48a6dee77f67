"""Reading collections: ordered entries with their status, for pages, the API and exporters.

`entries()` never fails on a practice that moved on: each entry says whether its practice is
`current` (unchanged since it was added), `updated` (a newer version is published), `archived`
(no longer published) or `removed` (deleted for good). Only published practices carry the live
`Practice`; the others keep the slug and titles copied when they were added. Flask-free: exporters
(JSON, CSV, Markdown zip, print) take `entries()` and `record()` as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session, col, select

from kb.collections.collections import get_by_slug, items_of
from kb.models import Collection, CollectionItem, Practice

EntryStatus = Literal["current", "updated", "archived", "removed"]


@dataclass(frozen=True)
class Entry:
    """One practice of a collection as a reader sees it."""

    position: int
    item: CollectionItem
    status: EntryStatus
    practice: Practice | None  # the live practice when it is published, else None

    @property
    def available(self) -> bool:
        return self.practice is not None

    @property
    def slug(self) -> str:
        return self.practice.slug if self.practice else self.item.practice_slug

    def title(self, lang: str) -> str:
        if self.practice is not None:
            return self.practice.title(lang)
        return self.item.practice_title_fr if lang == "fr" else self.item.practice_title_en

    def note(self, lang: str) -> str:
        return self.item.note(lang)


def entries(session: Session, collection: Collection) -> list[Entry]:
    """The collection's practices in order, each with its status (never an error)."""
    assert collection.id is not None
    items = items_of(session, collection.id)
    live = {
        p.id: p
        for p in session.exec(
            select(Practice).where(col(Practice.id).in_([i.practice_id for i in items]))
        )
    }
    out = []
    for position, item in enumerate(items, start=1):
        practice = live.get(item.practice_id)
        status: EntryStatus
        if practice is None:
            status = "removed"
        elif practice.state != "published":
            status = "archived"
        elif practice.version > item.added_version:
            status = "updated"
        else:
            status = "current"
        shown = practice if practice is not None and practice.state == "published" else None
        out.append(Entry(position, item, status, shown))
    return out


def published(session: Session) -> list[Collection]:
    """Published collections, most recently changed first."""
    return list(
        session.exec(
            select(Collection)
            .where(Collection.state == "published")
            .order_by(col(Collection.updated_at).desc(), col(Collection.id).desc())
        )
    )


def containing(session: Session, practice_id: int) -> list[Collection]:
    """The published collections that hold a practice (for its page)."""
    return list(
        session.exec(
            select(Collection)
            .join(CollectionItem, col(CollectionItem.collection_id) == col(Collection.id))
            .where(CollectionItem.practice_id == practice_id, Collection.state == "published")
            .order_by(col(Collection.title_fr))
        )
    )


def practice_ids(session: Session, slug: str) -> list[int] | None:
    """The ids of a published collection's practices (the search filter), None when unknown."""
    found = session.exec(
        select(Collection.id).where(Collection.slug == slug, Collection.state == "published")
    ).first()
    if found is None:
        return None
    return list(
        session.exec(
            select(CollectionItem.practice_id).where(CollectionItem.collection_id == found)
        )
    )


def counts(session: Session, collections: Sequence[Collection]) -> dict[int, int]:
    """Number of practices per collection, for lists."""
    ids = [c.id for c in collections if c.id is not None]
    rows = session.exec(
        select(CollectionItem.collection_id, CollectionItem.practice_id).where(
            col(CollectionItem.collection_id).in_(ids)
        )
    ).all()
    out: dict[int, int] = dict.fromkeys(ids, 0)
    for collection_id, _practice in rows:
        out[collection_id] += 1
    return out


# URLs are passed in: `url(kind, lang, slug)` with kind "collection" or "practice".
UrlFor = Callable[[str, str, str], str]
LANGS = ("fr", "en")


def record(session: Session, collection: Collection, *, url: UrlFor) -> dict[str, object]:
    """The public record of a collection: what the API returns and exports start from."""
    return {
        "slug": collection.slug,
        "title_fr": collection.title_fr,
        "title_en": collection.title_en,
        "intro_fr": collection.intro_fr,
        "intro_en": collection.intro_en,
        "version": collection.version,
        "updated_at": collection.updated_at.isoformat(),
        "published_at": collection.published_at.isoformat() if collection.published_at else None,
        "urls": {lang: url("collection", lang, collection.slug) for lang in LANGS},
        "items": [
            {
                "position": e.position,
                "slug": e.slug,
                "title_fr": e.title("fr"),
                "title_en": e.title("en"),
                "note_fr": e.note("fr"),
                "note_en": e.note("en"),
                "status": e.status,
                "added_version": e.item.added_version,
                "current_version": e.practice.version if e.practice else None,
                "urls": (
                    {lang: url("practice", lang, e.slug) for lang in LANGS} if e.practice else None
                ),
            }
            for e in entries(session, collection)
        ],
    }


def summary(collection: Collection, count: int, *, url: UrlFor) -> dict[str, object]:
    """A collection in a list: no items."""
    return {
        "slug": collection.slug,
        "title_fr": collection.title_fr,
        "title_en": collection.title_en,
        "version": collection.version,
        "updated_at": collection.updated_at.isoformat(),
        "practices": count,
        "urls": {lang: url("collection", lang, collection.slug) for lang in LANGS},
    }


def public(session: Session, slug: str) -> tuple[Collection, list[Entry]]:
    """A published collection and its entries (NotFound otherwise)."""
    collection = get_by_slug(session, slug)
    return collection, entries(session, collection)
