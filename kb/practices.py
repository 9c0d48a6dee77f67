"""The only writer of practices: validate, version, snapshot, change log, state moves.

Every function that changes a practice takes `actor=`, checks it against `kb.permissions`, and
appends a `ChangeLog` row, a `Revision` snapshot and an `AuditEvent` to the caller's transaction. It
flushes, never commits: the caller ends the unit of work with `kb.uow.commit`, which then lets the
search index catch up. A crash or a busy index between the commit and the index write delays the
index update; the change log keeps it until the next sync.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

import pycountry
from sqlalchemy import delete as sql_delete
from sqlalchemy import text
from sqlalchemy import update as sql_update
from sqlmodel import Session, col, select

from kb import audit, taxonomy, workflow
from kb.errors import Conflict, FieldError, NotFound, ValidationError
from kb.markdown import to_plain_text
from kb.models import (
    ACTIVITY_STATUSES,
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
from kb.taxonomy import Vocabulary

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
# The look-behind makes a match start only at the beginning of a word: without it a long word
# costs quadratic time (each position scans to the end looking for "@").
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE_RE = re.compile(
    r"(?:\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4})"  # +33 1 23 45 67 89
    r"|(?:\b0\d(?:[\s.-]?\d{2}){4}\b)"  # 01 23 45 67 89
    r"|(?:\(\d{3}\)\s?\d{3}[\s.-]\d{4}\b)"  # (212) 555-1234
    r"|(?:\b\d{3}[.-]\d{3}[.-]\d{4}\b)"  # 212-555-1234
)
LANGUAGES = ("fr", "en")
YEAR_MIN, YEAR_MAX = 1900, 2100
LIMITS = {"title": 200, "summary": 1200, "body": 100_000, "text": 5_000, "name": 400, "url": 2000}
TERM_FIELDS = {"themes": "theme", "approaches": "approach", "target_groups": "target"}


@dataclass(frozen=True)
class SourceData:
    title: str
    url: str
    publisher: str | None = None
    date: str | None = None
    language: str | None = None
    note_fr: str | None = None
    note_en: str | None = None


@dataclass(frozen=True)
class PracticeData:
    """A practice as plain data: what forms, content files and the API all produce."""

    slug: str
    title_fr: str
    title_en: str
    summary_fr: str
    summary_en: str
    language: str
    cities: tuple[str, ...]
    country: str
    themes: tuple[str, ...]
    lead_organisation: str
    status: str
    evidence_level: str
    sources: tuple[SourceData, ...]
    body: str = ""
    original_title: str | None = None
    region: str | None = None
    approaches: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    start_year: int | None = None
    end_year: int | None = None
    evaluation: str | None = None
    lessons: str | None = None
    contact_organisation: str | None = None
    events: tuple[str, ...] = ()
    # The translated side (language = the other one of fr/en); see BODY_FORMAT / content README.
    body_translation: str = ""
    evaluation_translation: str | None = None
    lessons_translation: str | None = None
    # French forms of names when they differ from the English ones held in the plain fields.
    lead_organisation_fr: str | None = None
    partners_fr: tuple[str, ...] = ()
    region_fr: str | None = None
    contact_organisation_fr: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    checked_on: str | None = None
    original_title_language: str | None = None

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready dict (for revisions and diffs)."""
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


# Paths of the fields in error messages follow the content format (title.fr, sources[2].url).
FIELD_PATHS = {
    "title_fr": "title.fr",
    "title_en": "title.en",
    "summary_fr": "summary.fr",
    "summary_en": "summary.en",
}


def validate(
    data: PracticeData, *, vocabulary: Vocabulary, events: Sequence[str] = ()
) -> list[FieldError]:
    """Every problem with `data`, each naming the field and saying what is expected."""
    errors: list[FieldError] = []

    def err(name: str, message: str) -> None:
        errors.append(FieldError(FIELD_PATHS.get(name, name), message))

    if not SLUG_RE.match(data.slug or "") or len(data.slug) > 120:
        err(
            "slug", "expected lowercase letters, digits and single hyphens (at most 120 characters)"
        )
    for name, limit in (
        ("title_fr", LIMITS["title"]),
        ("title_en", LIMITS["title"]),
        ("summary_fr", LIMITS["summary"]),
        ("summary_en", LIMITS["summary"]),
    ):
        _required_text(err, name, getattr(data, name), limit)
    if data.language not in LANGUAGES:
        err("language", f"expected one of {', '.join(LANGUAGES)}, got {data.language!r}")
    if not data.cities or any(not isinstance(c, str) or not c.strip() for c in data.cities):
        err("cities", "expected a list of at least one city name")
    if data.partners_fr and len(data.partners_fr) != len(data.partners):
        err("partners", "expected a French name for every partner, or none")
    lang = data.original_title_language
    if lang is not None and not re.fullmatch(r"[a-z]{2}", str(lang)):
        err("original_title_language", f"expected a two-letter ISO 639-1 code, got {lang!r}")
    if data.checked_on is not None and not DATE_RE.match(str(data.checked_on)):
        err("checked_on", f"expected YYYY-MM-DD, got {data.checked_on!r}")
    if not isinstance(data.country, str) or pycountry.countries.get(alpha_2=data.country) is None:
        err(
            "country",
            f"expected an ISO 3166-1 alpha-2 country code (e.g. FR), got {data.country!r}",
        )
    _required_text(err, "lead_organisation", data.lead_organisation, LIMITS["name"])
    if data.status not in ACTIVITY_STATUSES:
        err("status", f"expected one of {', '.join(ACTIVITY_STATUSES)}, got {data.status!r}")
    if not data.themes:
        err("themes", f"expected at least one theme among: {', '.join(vocabulary.slugs('theme'))}")
    for name, kind in TERM_FIELDS.items():
        known = vocabulary.slugs(kind)
        for slug in getattr(data, name):
            if slug not in known:
                err(name, f"unknown {kind} {slug!r}; expected one of: {', '.join(known)}")
        if len(set(getattr(data, name))) != len(getattr(data, name)):
            err(name, "a value is listed twice")
    if data.evidence_level not in vocabulary.slugs("evidence"):
        valid = ", ".join(vocabulary.slugs("evidence"))
        err(
            "evidence_level",
            f"unknown evidence level {data.evidence_level!r}; expected one of: {valid}",
        )
    for event in data.events:
        if event not in events:
            err(
                "events", f"unknown event {event!r}; expected one of: {', '.join(events) or 'none'}"
            )
    for name in ("start_year", "end_year"):
        year = getattr(data, name)
        if year is not None and (
            not isinstance(year, int) or isinstance(year, bool) or not YEAR_MIN <= year <= YEAR_MAX
        ):
            err(name, f"expected a year between {YEAR_MIN} and {YEAR_MAX}, got {year!r}")
    if (
        isinstance(data.start_year, int)
        and isinstance(data.end_year, int)
        and data.end_year < data.start_year
    ):
        err("end_year", f"expected a year not before start_year ({data.start_year})")
    if data.end_year is not None and data.status == "ongoing":
        err("end_year", "an ongoing practice has no end year (set status: ended, or remove it)")
    for name in (
        "original_title",
        "region",
        "contact_organisation",
        "lead_organisation_fr",
        "region_fr",
        "contact_organisation_fr",
    ):
        value = getattr(data, name)
        if value is not None and (not isinstance(value, str) or len(value) > LIMITS["name"]):
            err(name, f"expected text of at most {LIMITS['name']} characters")
    for name in ("evaluation", "lessons", "evaluation_translation", "lessons_translation"):
        value = getattr(data, name)
        if value is not None and (not isinstance(value, str) or len(value) > LIMITS["text"]):
            err(name, f"expected text of at most {LIMITS['text']} characters")
    for name in ("body", "body_translation"):
        value = getattr(data, name)
        if not isinstance(value, str) or len(value) > LIMITS["body"]:
            err(name, f"expected Markdown text of at most {LIMITS['body']} characters")
    if not data.sources:
        err("sources", "expected at least one source with a title and an http(s) URL")
    for i, source in enumerate(data.sources):
        _check_source(err, f"sources[{i}]", source)
    _check_no_personal_contact(err, data)
    return errors


def _required_text(err: Any, name: str, value: object, limit: int) -> None:
    if not isinstance(value, str) or not value.strip():
        err(name, "required; expected non-empty text")
    elif len(value) > limit:
        err(name, f"expected at most {limit} characters, got {len(value)}")


def _check_source(err: Any, path: str, source: SourceData) -> None:
    if not isinstance(source.title, str) or not source.title.strip():
        err(f"{path}.title", "required; expected the source's title")
    if not is_http_url(source.url):
        err(f"{path}.url", f"expected an http(s) URL, got {source.url!r}")
    if source.date is not None and not DATE_RE.match(str(source.date)):
        err(f"{path}.date", f"expected YYYY, YYYY-MM or YYYY-MM-DD, got {source.date!r}")
    if source.language is not None and not re.fullmatch(r"[a-z]{2}", str(source.language)):
        err(f"{path}.language", f"expected a two-letter ISO 639-1 code, got {source.language!r}")


def is_http_url(url: object) -> bool:
    if not isinstance(url, str) or len(url) > LIMITS["url"] or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and "." in parts.netloc


def _check_no_personal_contact(err: Any, data: PracticeData) -> None:
    """Contacts are organisations: no e-mail address or phone number anywhere in a practice."""
    for name, value in _text_fields(data):
        if EMAIL_RE.search(value):
            err(
                name,
                "contains an e-mail address; a public contact is an organisation, not a person",
            )
        elif PHONE_RE.search(value):
            err(name, "contains a phone number; a public contact is an organisation, not a person")


def _text_fields(data: PracticeData) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for f in fields(data):
        value = getattr(data, f.name)
        if isinstance(value, str):
            out.append((f.name, value))
        elif f.name in ("cities", "partners", "partners_fr"):
            out.extend((f.name, v) for v in value if isinstance(v, str))
    for i, source in enumerate(data.sources):
        for key in ("title", "publisher", "note_fr", "note_en"):
            value = getattr(source, key)
            if isinstance(value, str):
                out.append((f"sources[{i}].{key}", value))
    return out


# --- reading ---------------------------------------------------------------------------------


def get(session: Session, practice_id: int) -> Practice:
    practice = session.get(Practice, practice_id)
    if practice is None:
        raise NotFound(f"no practice with id {practice_id}")
    return practice


def get_by_slug(session: Session, slug: str, *, published_only: bool = True) -> Practice:
    statement = select(Practice).where(Practice.slug == slug)
    if published_only:
        statement = statement.where(Practice.state == "published")
    practice = session.exec(statement).first()
    if practice is None:
        raise NotFound(f"no practice {slug!r}")
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

SCALAR_FIELDS = (
    "slug",
    "title_fr",
    "title_en",
    "summary_fr",
    "summary_en",
    "language",
    "original_title",
    "country",
    "region",
    "lead_organisation",
    "start_year",
    "end_year",
    "status",
    "evidence_level",
    "evaluation",
    "lessons",
    "contact_organisation",
    "body",
    "body_translation",
    "evaluation_translation",
    "lessons_translation",
    "lead_organisation_fr",
    "region_fr",
    "contact_organisation_fr",
    "checked_on",
    "original_title_language",
)


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
            [FieldError("slug", f"{data.slug!r} is already used by another practice")]
        )
    if state not in workflow.TRANSITIONS:
        raise ValidationError([FieldError("state", f"unknown state {state!r}")])
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
            [FieldError("slug", "a practice's slug never changes (URLs depend on it)")]
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
            f"practice {practice.slug!r} was changed by someone else (you edited version "
            f"{expected_version}, it is now version {current.version if current else '?'}); "
            "reload it and apply your changes again"
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
