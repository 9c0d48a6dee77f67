"""Reading practices: by id or slug, their sources, terms and events, and back to plain data.

Plain functions over a session; `kb.practices` (the only writer) re-exports them.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from kb.catalogue.data import PracticeData, SourceData
from kb.errors import N_, NotFound
from kb.models import Event, Practice, PracticeEvent, PracticeTerm, Source, TaxonomyTerm


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
