"""The practices of a collection: add, note, remove, move, reorder (one writer, like the record).

Every change checks `kb.permissions`, bumps the collection's version and keeps a snapshot and an
audit event through `kb.collections.record_change`, and flushes (the caller commits).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from kb import audit
from kb.collections.collections import (
    ITEMS_MAX,
    NOTE_MAX,
    SLUG_MAX,
    bump_version,
    get,
    items_of,
    record_change,
)
from kb.errors import N_, BadRequest, FieldError, NotFound, ValidationError
from kb.models import Collection, CollectionItem, Practice
from kb.permissions import Actor, require


def _check_note(note_fr: str, note_en: str) -> None:
    errors = [
        FieldError(name, N_("At most 2,000 characters."))
        for name, value in (("note_fr", note_fr), ("note_en", note_en))
        if len(value) > NOTE_MAX
    ]
    if errors:
        raise ValidationError(errors)


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
    bump_version(collection, None)
    event = audit.CollectionItemAdded(
        collection_id, collection.slug, collection.version, practice.id, practice.slug
    )
    record_change(session, collection, actor, event)
    return item


def _item(session: Session, collection_id: int, practice_id: int) -> CollectionItem:
    item = session.exec(
        select(CollectionItem).where(
            CollectionItem.collection_id == collection_id,
            CollectionItem.practice_id == practice_id,
        )
    ).first()
    if item is None:
        raise NotFound(
            N_("practice %(practice_id)s is not in collection %(collection_id)s"),
            practice_id=practice_id,
            collection_id=collection_id,
        )
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
    bump_version(collection, None)
    event = audit.CollectionNoteChanged(
        collection_id, collection.slug, collection.version, practice_id
    )
    record_change(session, collection, actor, event)
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
    bump_version(collection, None)
    event = audit.CollectionItemRemoved(
        collection_id, collection.slug, collection.version, practice_id, item.practice_slug
    )
    return record_change(session, collection, actor, event)


def move_item(
    *, session: Session, actor: Actor, collection_id: int, practice_id: int, position: int
) -> Collection:
    """Put one practice at `position` (1-based, clamped to the list), shifting the others."""
    order = [item.practice_id for item in items_of(session, collection_id)]
    if practice_id not in order:
        raise NotFound(
            N_("practice %(practice_id)s is not in collection %(collection_id)s"),
            practice_id=practice_id,
            collection_id=collection_id,
        )
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
        raise BadRequest(N_("order: list every practice of the collection exactly once"))
    if list(order) == current:
        return collection
    _renumber(session, collection_id, list(order))
    bump_version(collection, None)
    event = audit.CollectionReordered(
        collection_id, collection.slug, collection.version, tuple(order)
    )
    return record_change(session, collection, actor, event)


def _renumber(session: Session, collection_id: int, order: list[int]) -> None:
    positions = {practice_id: n for n, practice_id in enumerate(order, start=1)}
    for item in items_of(session, collection_id):
        item.position = positions[item.practice_id]
        session.add(item)
    session.flush()
