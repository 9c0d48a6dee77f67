"""Curated collections: the writer of a collection's record (titles, introductions, state).

A curator's collection has a slug, a title and a Markdown introduction in French and English, and an
ordered list of practices, each with an optional note in both languages. Every change checks
`kb.permissions`, bumps the collection's version, writes a `CollectionRevision` snapshot and an
audit event in the caller's transaction, and flushes (the caller commits with `kb.uow.commit`).

Its practices, their notes and order are written by `kb.collection_items` through the same
`record_change`. Each item remembers the practice version it was added at: reading a collection
(`kb.collection_reads`) says which practices changed since, and which were archived or removed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from kb import audit
from kb.errors import N_, BadRequest, Conflict, FieldError, NotFound, ValidationError
from kb.models import Collection, CollectionItem, CollectionRevision, utcnow
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


# --- reading rows -----------------------------------------------------------------------------


def get(session: Session, collection_id: int) -> Collection:
    found = session.get(Collection, collection_id)
    if found is None:
        raise NotFound(N_("no collection with id %(collection_id)s"), collection_id=collection_id)
    return found


def get_by_slug(session: Session, slug: str, *, published_only: bool = True) -> Collection:
    statement = select(Collection).where(Collection.slug == slug)
    if published_only:
        statement = statement.where(Collection.state == "published")
    found = session.exec(statement).first()
    if found is None:
        raise NotFound(N_("no collection %(slug)r"), slug=slug[:120])
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


def record_change(
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


def bump_version(collection: Collection, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != collection.version:
        raise Conflict(
            N_(
                "collection %(slug)r changed since you opened it (version %(version)s, yours "
                "%(expected_version)s); reload and try again"
            ),
            slug=collection.slug,
            version=collection.version,
            expected_version=expected_version,
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
    return record_change(session, collection, actor, event)


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
    bump_version(collection, expected_version)
    for name in changed:
        setattr(collection, name, getattr(data, name))
    event = audit.CollectionEdited(collection_id, collection.slug, collection.version, changed)
    return record_change(session, collection, actor, event)


def set_state(*, session: Session, actor: Actor, collection_id: int, state: str) -> Collection:
    """Publish (`published`) or take back to draft (`draft`)."""
    if state not in ("draft", "published"):
        raise BadRequest(N_("state: expected draft or published, got %(state)r"), state=state[:20])
    require(actor, "collection.publish" if state == "published" else "collection.unpublish")
    collection = get(session, collection_id)
    if collection.state == state:
        return collection
    bump_version(collection, None)
    collection.state = state
    event: audit.Event
    if state == "published":
        collection.published_at = collection.published_at or utcnow()  # the first publication
        event = audit.CollectionPublished(collection_id, collection.slug, collection.version)
    else:
        event = audit.CollectionUnpublished(collection_id, collection.slug, collection.version)
    return record_change(session, collection, actor, event)


def count_published(session: Session) -> int:
    statement = select(func.count()).select_from(Collection).where(Collection.state == "published")
    return int(session.exec(statement).one())
