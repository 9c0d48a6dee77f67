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

from kb import audit, taxonomy, workflow
from kb.errors import N_, Conflict, FieldError, NotFound, ValidationError
from kb.markdown import to_plain_text
from kb.models import (
    ChangeLog,
    Event,
    Practice,
    PracticeEvent,
    PracticeTerm,
    Revision,
    Source,
    TaxonomyTerm,
    utcnow,
)
from kb.permissions import Actor, require
from kb.practice_data import LANGUAGES, SCALAR_FIELDS, TERM_FIELDS, PracticeData, SourceData
from kb.practice_validation import (
    DATE_RE,
    EMAIL_RE,
    FIELD_PATHS,
    LIMITS,
    PHONE_RE,
    SLUG_RE,
    YEAR_MAX,
    YEAR_MIN,
    is_http_url,
    validate,
)
from kb.taxonomy import Vocabulary

# The data and its checks live in kb.practice_data and kb.practice_validation; importable from here.
__all__ = [
    "DATE_RE",
    "EMAIL_RE",
    "FIELD_PATHS",
    "LANGUAGES",
    "LIMITS",
    "PHONE_RE",
    "SCALAR_FIELDS",
    "SLUG_RE",
    "TERM_FIELDS",
    "YEAR_MAX",
    "YEAR_MIN",
    "PracticeData",
    "SourceData",
    "create",
    "delete",
    "events_of",
    "get",
    "get_by_slug",
    "is_http_url",
    "set_state",
    "sources_of",
    "terms_of",
    "to_data",
    "update",
    "validate",
]

# --- reading ---------------------------------------------------------------------------------


def get(session: Session, practice_id: int) -> Practice:
    practice = session.get(Practice, practice_id)
    if practice is None:
        raise NotFound(N_("no practice with id %(practice_id)s"), practice_id=practice_id)
    return practice


def get_by_slug(session: Session, slug: str, *, published_only: bool = True) -> Practice:
    statement = select(Practice).where(Practice.slug == slug)
    if published_only:
        statement = statement.where(Practice.state == "published")
    practice = session.exec(statement).first()
    if practice is None:
        raise NotFound(N_("no practice %(slug)r"), slug=slug)
    return practice


def sources_of(session: Session, practice_id: int) -> list[Source]:
    statement = (
        select(Source).where(Source.practice_id == practice_id).order_by(col(Source.position))
    )
    return list(session.exec(statement))


def terms_of(session: Session, practice_id: int) -> dict[str, list[str]]:
    """The practice's taxonomy slugs by kind, in their stored order."""
    statement = (
        select(TaxonomyTerm.kind, TaxonomyTerm.slug)
        .join(PracticeTerm, PracticeTerm.term_id == TaxonomyTerm.id)  # type: ignore[arg-type]
        .where(PracticeTerm.practice_id == practice_id)
        .order_by(col(PracticeTerm.position))
    )
    out: dict[str, list[str]] = {"theme": [], "approach": [], "target": []}
    for kind, slug in session.exec(statement):
        out.setdefault(kind, []).append(slug)
    return out


def events_of(session: Session, practice_id: int) -> list[Event]:
    statement = (
        select(Event)
        .join(PracticeEvent, PracticeEvent.event_id == Event.id)  # type: ignore[arg-type]
        .where(PracticeEvent.practice_id == practice_id)
        .order_by(col(Event.start_date), col(Event.slug))
    )
    return list(session.exec(statement))


def to_data(session: Session, practice: Practice) -> PracticeData:
    """The stored practice as plain data (the inverse of what `create`/`update` write)."""
    assert practice.id is not None
    terms = terms_of(session, practice.id)
    return PracticeData(
        slug=practice.slug,
        title_fr=practice.title_fr,
        title_en=practice.title_en,
        summary_fr=practice.summary_fr,
        summary_en=practice.summary_en,
        language=practice.language,
        original_title=practice.original_title,
        cities=tuple(practice.cities),
        country=practice.country,
        region=practice.region,
        themes=tuple(terms["theme"]),
        approaches=tuple(terms["approach"]),
        target_groups=tuple(terms["target"]),
        lead_organisation=practice.lead_organisation,
        partners=tuple(practice.partners),
        start_year=practice.start_year,
        end_year=practice.end_year,
        status=practice.status,
        evidence_level=practice.evidence_level,
        evaluation=practice.evaluation,
        lessons=practice.lessons,
        contact_organisation=practice.contact_organisation,
        events=tuple(e.slug for e in events_of(session, practice.id)),
        sources=tuple(
            SourceData(s.title, s.url, s.publisher, s.date, s.language, s.note_fr, s.note_en)
            for s in sources_of(session, practice.id)
        ),
        body=practice.body,
        body_translation=practice.body_translation,
        evaluation_translation=practice.evaluation_translation,
        lessons_translation=practice.lessons_translation,
        lead_organisation_fr=practice.lead_organisation_fr,
        partners_fr=tuple(practice.partners_fr),
        region_fr=practice.region_fr,
        contact_organisation_fr=practice.contact_organisation_fr,
        facts=dict(practice.facts),
        checked_on=practice.checked_on,
        original_title_language=practice.original_title_language,
    )


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
    if state == "published":
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
