"""Curated collections: the only writer of collections, their items, notes, order and history.

A curator's collection has a slug, a title and a Markdown introduction in French and English, and an
ordered list of practices, each with an optional note in both languages. Every change checks
`kb.permissions`, bumps the collection's version, writes a `CollectionRevision` snapshot and an
audit event in the caller's transaction, and flushes (the caller commits with `kb.uow.commit`).

Each item remembers the practice version it was added at: reading a collection
(`kb.collection_reads`) says which practices changed since, and which were archived or removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from kb import audit
from kb.errors import N_, BadRequest, Conflict, FieldError, NotFound, ValidationError
from kb.models import Collection, CollectionItem, CollectionRevision, Practice, utcnow
from kb.permissions import Actor, require
from kb.practices import SLUG_RE

TITLE_MAX = 200
SLUG_MAX = 120
INTRO_MAX = 20_000
NOTE_MAX = 2_000
ITEMS_MAX = 200
# Slugs that are pages of their own under /<lang>/collections/.
RESERVED_SLUGS = frozenset({"manage", "new"})


@dataclass(frozen=True)
class CollectionData:
    """What a curator types about a collection (the slug is chosen once, at creation)."""

    title_fr: str
    title_en: str
    intro_fr: str = ""
    intro_en: str = ""


def validate_slug(slug: str) -> list[FieldError]:
    if not slug:
        return [FieldError("slug", N_("Required."))]
    if len(slug) > SLUG_MAX:
        return [FieldError("slug", N_("At most 120 characters."))]
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        return [
            FieldError(
                "slug",
                N_("Use lower-case letters, digits and hyphens, e.g. youth-and-online-hate."),
            )
        ]
    return []


def validate(data: CollectionData) -> list[FieldError]:
    """Every problem with `data`, each naming its field."""
    errors: list[FieldError] = []
    for name in ("title_fr", "title_en"):
        value = getattr(data, name)
        if not value.strip():
            errors.append(FieldError(name, N_("Required.")))
        elif len(value) > TITLE_MAX:
            errors.append(FieldError(name, N_("At most 200 characters.")))
    for name in ("intro_fr", "intro_en"):
        if len(getattr(data, name)) > INTRO_MAX:
            errors.append(FieldError(name, N_("At most 20,000 characters.")))
    return errors


def _check_note(note_fr: str, note_en: str) -> None:
    errors = [
        FieldError(name, N_("At most 2,000 characters."))
        for name, value in (("note_fr", note_fr), ("note_en", note_en))
        if len(value) > NOTE_MAX
    ]
    if errors:
        raise ValidationError(errors)


# --- reading rows -----------------------------------------------------------------------------


def get(session: Session, collection_id: int) -> Collection:
    found = session.get(Collection, collection_id)
    if found is None:
        raise NotFound(f"no collection with id {collection_id}")
    return found


def get_by_slug(session: Session, slug: str, *, published_only: bool = True) -> Collection:
    statement = select(Collection).where(Collection.slug == slug)
    if published_only:
        statement = statement.where(Collection.state == "published")
    found = session.exec(statement).first()
    if found is None:
        raise NotFound(f"no collection {slug[:120]!r}")
    return found


def for_curator(session: Session, *, actor: Actor, slug: str) -> Collection:
    """A collection in any state, for the curators' screens."""
    require(actor, "collection.edit")
    return get_by_slug(session, slug, published_only=False)


def items_of(session: Session, collection_id: int) -> list[CollectionItem]:
    return list(
        session.exec(
            select(CollectionItem)
            .where(CollectionItem.collection_id == collection_id)
            .order_by(col(CollectionItem.position), col(CollectionItem.id))
        )
    )


def list_all(session: Session, *, actor: Actor) -> list[Collection]:
    """Every collection, drafts included, for the curators' list (newest change first)."""
    require(actor, "collection.edit")
    return list(session.exec(select(Collection).order_by(col(Collection.updated_at).desc())))


def history(session: Session, *, actor: Actor, collection_id: int) -> list[CollectionRevision]:
    """The snapshots of a collection, newest first."""
    require(actor, "collection.edit")
    return list(
        session.exec(
            select(CollectionRevision)
            .where(CollectionRevision.collection_id == collection_id)
            .order_by(col(CollectionRevision.version).desc())
        )
    )


# --- writing ----------------------------------------------------------------------------------


def snapshot(session: Session, collection: Collection) -> dict[str, Any]:
    """The collection as plain data: what a revision keeps."""
    assert collection.id is not None
    return {
        "slug": collection.slug,
        "title_fr": collection.title_fr,
        "title_en": collection.title_en,
        "intro_fr": collection.intro_fr,
        "intro_en": collection.intro_en,
        "state": collection.state,
        "items": [
            {
                "practice_id": item.practice_id,
                "slug": item.practice_slug,
                "added_version": item.added_version,
                "note_fr": item.note_fr,
                "note_en": item.note_en,
            }
            for item in items_of(session, collection.id)
        ],
    }


def _changed(
    session: Session, collection: Collection, actor: Actor, event: audit.Event
) -> Collection:
    """Bump the version, keep a snapshot, audit, flush: the end of every write."""
    assert collection.id is not None
    collection.updated_at = utcnow()
    collection.updated_by_id = actor.user_id
    session.add(collection)
    session.flush()
    session.add(
        CollectionRevision(
            collection_id=collection.id,
            version=collection.version,
            action=event.action,
            snapshot=snapshot(session, collection),
            author_id=actor.user_id,
        )
    )
    audit.record(session, actor, event)
    session.flush()
    return collection


def _bump(collection: Collection, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != collection.version:
        raise Conflict(
            f"collection {collection.slug!r} changed since you opened it "
            f"(version {collection.version}, yours {expected_version}); reload and try again"
        )
    collection.version += 1


def create(*, session: Session, actor: Actor, slug: str, data: CollectionData) -> Collection:
    """Start a draft collection with no practice."""
    require(actor, "collection.create")
    errors = validate_slug(slug) + validate(data)
    if not errors and session.exec(select(Collection.id).where(Collection.slug == slug)).first():
        errors.append(FieldError("slug", N_("A collection already uses this slug.")))
    if errors:
        raise ValidationError(errors)
    collection = Collection(slug=slug, **asdict(data), created_by_id=actor.user_id)
    session.add(collection)
    session.flush()
    assert collection.id is not None
    event = audit.CollectionCreated(collection.id, slug, collection.version)
    return _changed(session, collection, actor, event)


def edit(
    *,
    session: Session,
    actor: Actor,
    collection_id: int,
    data: CollectionData,
    expected_version: int | None = None,
) -> Collection:
    """Change the titles and introductions."""
    require(actor, "collection.edit")
    errors = validate(data)
    if errors:
        raise ValidationError(errors)
    collection = get(session, collection_id)
    changed = tuple(k for k, v in asdict(data).items() if getattr(collection, k) != v)
    if not changed:
        return collection
    _bump(collection, expected_version)
    for name in changed:
        setattr(collection, name, getattr(data, name))
    event = audit.CollectionEdited(collection_id, collection.slug, collection.version, changed)
    return _changed(session, collection, actor, event)


def add_item(
    *,
    session: Session,
    actor: Actor,
    collection_id: int,
    practice_slug: str,
    note_fr: str = "",
    note_en: str = "",
) -> CollectionItem:
    """Append a published practice, pinned to its current version."""
    require(actor, "collection.edit")
    _check_note(note_fr, note_en)
    collection = get(session, collection_id)
    slug = practice_slug.strip().lower()
    practice = session.exec(
        select(Practice).where(Practice.slug == slug[:SLUG_MAX], Practice.state == "published")
    ).first()
    if practice is None or practice.id is None:
        raise ValidationError([FieldError("practice", N_("No published practice has this slug."))])
    items = items_of(session, collection_id)
    if any(item.practice_id == practice.id for item in items):
        raise ValidationError(
            [FieldError("practice", N_("This practice is already in the collection."))]
        )
    if len(items) >= ITEMS_MAX:
        raise ValidationError(
            [FieldError("practice", N_("A collection holds at most 200 practices."))]
        )
    item = CollectionItem(
        collection_id=collection_id,
        practice_id=practice.id,
        position=len(items) + 1,
        practice_slug=practice.slug,
        practice_title_fr=practice.title_fr,
        practice_title_en=practice.title_en,
        added_version=practice.version,
        note_fr=note_fr,
        note_en=note_en,
    )
    session.add(item)
    _bump(collection, None)
    event = audit.CollectionItemAdded(
        collection_id, collection.slug, collection.version, practice.id, practice.slug
    )
    _changed(session, collection, actor, event)
    return item


def _item(session: Session, collection_id: int, practice_id: int) -> CollectionItem:
    item = session.exec(
        select(CollectionItem).where(
            CollectionItem.collection_id == collection_id,
            CollectionItem.practice_id == practice_id,
        )
    ).first()
    if item is None:
        raise NotFound(f"practice {practice_id} is not in collection {collection_id}")
    return item


def set_note(
    *,
    session: Session,
    actor: Actor,
    collection_id: int,
    practice_id: int,
    note_fr: str,
    note_en: str,
) -> CollectionItem:
    """Change the curator's note on one practice of the collection."""
    require(actor, "collection.edit")
    _check_note(note_fr, note_en)
    collection = get(session, collection_id)
    item = _item(session, collection_id, practice_id)
    if (item.note_fr, item.note_en) == (note_fr, note_en):
        return item
    item.note_fr, item.note_en = note_fr, note_en
    session.add(item)
    _bump(collection, None)
    event = audit.CollectionNoteChanged(
        collection_id, collection.slug, collection.version, practice_id
    )
    _changed(session, collection, actor, event)
    return item


def remove_item(
    *, session: Session, actor: Actor, collection_id: int, practice_id: int
) -> Collection:
    """Take a practice out of the collection; the others close the gap."""
    require(actor, "collection.edit")
    collection = get(session, collection_id)
    item = _item(session, collection_id, practice_id)
    session.delete(item)
    session.flush()
    _renumber(session, collection_id, [i.practice_id for i in items_of(session, collection_id)])
    _bump(collection, None)
    event = audit.CollectionItemRemoved(
        collection_id, collection.slug, collection.version, practice_id, item.practice_slug
    )
    return _changed(session, collection, actor, event)


def move_item(
    *, session: Session, actor: Actor, collection_id: int, practice_id: int, position: int
) -> Collection:
    """Put one practice at `position` (1-based, clamped to the list), shifting the others."""
    order = [item.practice_id for item in items_of(session, collection_id)]
    if practice_id not in order:
        raise NotFound(f"practice {practice_id} is not in collection {collection_id}")
    order.remove(practice_id)
    order.insert(min(max(position, 1), len(order) + 1) - 1, practice_id)
    return reorder(session=session, actor=actor, collection_id=collection_id, order=order)


def reorder(
    *, session: Session, actor: Actor, collection_id: int, order: Sequence[int]
) -> Collection:
    """Set the whole order at once (drag and drop): `order` lists every practice id once."""
    require(actor, "collection.edit")
    collection = get(session, collection_id)
    current = [item.practice_id for item in items_of(session, collection_id)]
    if sorted(order) != sorted(current) or len(set(order)) != len(order):
        raise BadRequest("order: list every practice of the collection exactly once")
    if list(order) == current:
        return collection
    _renumber(session, collection_id, list(order))
    _bump(collection, None)
    event = audit.CollectionReordered(
        collection_id, collection.slug, collection.version, tuple(order)
    )
    return _changed(session, collection, actor, event)


def _renumber(session: Session, collection_id: int, order: list[int]) -> None:
    positions = {practice_id: n for n, practice_id in enumerate(order, start=1)}
    for item in items_of(session, collection_id):
        item.position = positions[item.practice_id]
        session.add(item)
    session.flush()


def set_state(*, session: Session, actor: Actor, collection_id: int, state: str) -> Collection:
    """Publish (`published`) or take back to draft (`draft`)."""
    if state not in ("draft", "published"):
        raise BadRequest(f"state: expected draft or published, got {state[:20]!r}")
    require(actor, "collection.publish" if state == "published" else "collection.unpublish")
    collection = get(session, collection_id)
    if collection.state == state:
        return collection
    _bump(collection, None)
    collection.state = state
    event: audit.Event
    if state == "published":
        collection.published_at = utcnow()
        event = audit.CollectionPublished(collection_id, collection.slug, collection.version)
    else:
        event = audit.CollectionUnpublished(collection_id, collection.slug, collection.version)
    return _changed(session, collection, actor, event)


def count_published(session: Session) -> int:
    statement = select(func.count()).select_from(Collection).where(Collection.state == "published")
    return int(session.exec(statement).one())
