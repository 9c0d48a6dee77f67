"""The only writer of practices: validate, version, snapshot, change log, state moves.

Every function that changes a practice takes `actor=`, checks it against `kb.permissions`, and
appends a `ChangeLog` row, a `Revision` snapshot and an `AuditEvent` to the caller's transaction. It
flushes, never commits: the caller ends the unit of work with `kb.uow.commit`, which then lets the
search index catch up. A crash or a busy index between the commit and the index write delays the
index update; the change log keeps it until the next sync.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlalchemy import delete as sql_delete
from sqlalchemy import text
from sqlalchemy import update as sql_update
from sqlmodel import Session, col, select

from kb import audit
from kb.catalogue import states as workflow
from kb.catalogue import taxonomy
from kb.catalogue.data import PracticeData
from kb.catalogue.fields import SCALAR_FIELDS, TERM_FIELDS
from kb.catalogue.reads import get, to_data
from kb.catalogue.taxonomy import Vocabulary
from kb.catalogue.validation import (
    validate,
)
from kb.errors import N_, Conflict, FieldError, ValidationError
from kb.models import (
    ChangeLog,
    Event,
    Practice,
    PracticeEvent,
    PracticeTerm,
    Revision,
    Source,
    utcnow,
)
from kb.permissions import Actor, require
from kb.text.markdown import to_plain_text

# --- writing ---------------------------------------------------------------------------------


def create(
    *,
    session: Session,
    actor: Actor,
    data: PracticeData,
    vocabulary: Vocabulary,
    state: str = "draft",
) -> Practice:
    """Validate and add a new practice in `state` (flushed; the caller commits)."""
    require(actor, "practice.create")
    _raise_if_invalid(session, data, vocabulary)
    if session.exec(select(Practice.id).where(Practice.slug == data.slug)).first() is not None:
        raise ValidationError(
            [FieldError("slug", N_("%(slug)r is already used by another practice"), slug=data.slug)]
        )
    if state not in workflow.TRANSITIONS:
        raise ValidationError([FieldError("state", N_("unknown state %(state)r"), state=state)])
    now = utcnow()
    practice = Practice(
        **{name: getattr(data, name) for name in SCALAR_FIELDS},
        cities=list(data.cities),
        partners=list(data.partners),
        partners_fr=list(data.partners_fr),
        facts=dict(data.facts),
        body_text=to_plain_text(data.body, headings=False),
        body_translation_text=to_plain_text(data.body_translation, headings=False),
        state=state,
        version=1,
        created_at=now,
        updated_at=now,
        published_at=now if state == "published" else None,
        created_by_id=actor.user_id,
        updated_by_id=actor.user_id,
    )
    session.add(practice)
    session.flush()
    assert practice.id is not None
    _write_children(session, practice, data)
    _log(session, practice, "create", data, actor)
    audit.record(
        session, actor, audit.PracticeCreated(practice.id, practice.slug, practice.version, state)
    )
    session.flush()
    return practice


def update(
    *,
    session: Session,
    actor: Actor,
    practice_id: int,
    data: PracticeData,
    expected_version: int,
    vocabulary: Vocabulary,
) -> Practice:
    """Replace a practice's content if `expected_version` is still current (optimistic lock)."""
    require(actor, "practice.update")
    practice = get(session, practice_id)
    _raise_if_invalid(session, data, vocabulary)
    if data.slug != practice.slug:
        raise ValidationError(
            [FieldError("slug", N_("a practice's slug never changes (URLs depend on it)"))]
        )
    before = to_data(session, practice)
    substantive = before != data
    _bump_version(session, practice, expected_version)
    for name in SCALAR_FIELDS:
        setattr(practice, name, getattr(data, name))
    practice.cities = list(data.cities)
    practice.partners = list(data.partners)
    practice.partners_fr = list(data.partners_fr)
    practice.facts = dict(data.facts)
    practice.body_text = to_plain_text(data.body, headings=False)
    practice.body_translation_text = to_plain_text(data.body_translation, headings=False)
    practice.updated_at = utcnow()
    if substantive:
        # "Last substantive change" on the page: a content change, not a workflow move.
        practice.changed_at = practice.updated_at
    practice.updated_by_id = actor.user_id if actor.user_id else practice.updated_by_id
    session.add(practice)
    _write_children(session, practice, data)
    _log(session, practice, "update", data, actor)
    changed = tuple(
        f.name for f in fields(data) if getattr(before, f.name) != getattr(data, f.name)
    )
    audit.record(
        session,
        actor,
        audit.PracticeUpdated(practice_id, practice.slug, practice.version, changed),
    )
    session.flush()
    return practice


def set_state(
    *,
    session: Session,
    actor: Actor,
    practice_id: int,
    state: str,
    expected_version: int,
) -> Practice:
    """Move a practice through the workflow (see workflow.TRANSITIONS)."""
    require(actor, "practice.set_state")
    practice = get(session, practice_id)
    before = practice.state
    workflow.check_transition(practice.state, state)
    _bump_version(session, practice, expected_version)
    practice.state = state
    practice.updated_at = utcnow()
    if state == "published" and practice.published_at is None:
        # The first publication: feeds and the API date a practice by it, so an unarchive or
        # a republish never makes an old practice look new.
        practice.published_at = practice.updated_at
    session.add(practice)
    _log(session, practice, "state", to_data(session, practice), actor)
    audit.record(
        session,
        actor,
        audit.PracticeStateChanged(practice_id, practice.slug, practice.version, before, state),
    )
    session.flush()
    return practice


def delete(
    *,
    session: Session,
    actor: Actor,
    practice_id: int,
    expected_version: int,
) -> None:
    """Remove a practice for good (its revisions and change-log rows remain)."""
    require(actor, "practice.delete")
    practice = get(session, practice_id)
    _bump_version(session, practice, expected_version)
    _log(session, practice, "delete", to_data(session, practice), actor)
    audit.record(
        session, actor, audit.PracticeDeleted(practice_id, practice.slug, practice.version)
    )
    _delete_children(session, practice_id)
    session.delete(practice)
    session.flush()


def _raise_if_invalid(session: Session, data: PracticeData, vocabulary: Vocabulary) -> None:
    events = tuple(session.exec(select(Event.slug)))
    errors = validate(data, vocabulary=vocabulary, events=events)
    if errors:
        raise ValidationError(errors)


def _bump_version(session: Session, practice: Practice, expected_version: int) -> None:
    """Compare-and-set on `version` in SQL, so two concurrent writers cannot both win."""
    assert practice.id is not None
    result = session.execute(
        sql_update(Practice)
        .where(Practice.id == practice.id, Practice.version == expected_version)  # type: ignore[arg-type]
        .values(version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        current = session.get(Practice, practice.id)
        raise Conflict(
            N_(
                "practice %(slug)r was changed by someone else (you edited version "
                "%(expected_version)s, it is now version %(value)s); reload it and apply your "
                "changes again"
            ),
            slug=practice.slug,
            expected_version=expected_version,
            value=current.version if current else "?",
        )
    practice.version = expected_version + 1


def _write_children(session: Session, practice: Practice, data: PracticeData) -> None:
    assert practice.id is not None
    pid = practice.id
    _delete_children(session, pid)
    for position, source in enumerate(data.sources):
        session.add(Source(practice_id=pid, position=position, **asdict(source)))
    ids = taxonomy.term_ids(session)
    position = 0
    for name, kind in TERM_FIELDS.items():
        for slug in getattr(data, name):
            session.add(PracticeTerm(practice_id=pid, term_id=ids[(kind, slug)], position=position))
            position += 1
    if data.events:
        event_ids = {e.slug: e.id for e in session.exec(select(Event)) if e.id is not None}
        for slug in data.events:
            session.add(PracticeEvent(practice_id=pid, event_id=event_ids[slug]))
    session.flush()


def _delete_children(session: Session, practice_id: int) -> None:
    session.execute(sql_delete(Source).where(col(Source.practice_id) == practice_id))
    session.execute(sql_delete(PracticeTerm).where(col(PracticeTerm.practice_id) == practice_id))
    session.execute(sql_delete(PracticeEvent).where(col(PracticeEvent.practice_id) == practice_id))


# Any constant works: it names the one advisory lock that orders change-log writers.
CHANGE_LOG_LOCK = 7_202_405


def _serialize_change_log(session: Session) -> None:
    """Make change-log ids become visible in id order, so no index sync skips one.

    Indexes apply the rows above the last id they saw. On PostgreSQL two transactions can draw
    ids 16 and 17 and commit 17 first: a sync in between would record 17 and never see 16. A
    transaction-scoped advisory lock, taken before the id is drawn and held until commit, rules
    that out. SQLite already serialises writers with its database lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})


def _log(
    session: Session, practice: Practice, action: str, data: PracticeData, actor: Actor
) -> None:
    assert practice.id is not None
    _serialize_change_log(session)
    snapshot = data.snapshot() | {"state": practice.state}
    session.add(
        ChangeLog(
            practice_id=practice.id, slug=practice.slug, action=action, version=practice.version
        )
    )
    session.add(
        Revision(
            practice_id=practice.id,
            version=practice.version,
            action=action,
            snapshot=snapshot,
            author_id=actor.user_id,
        )
    )
    session.flush()
