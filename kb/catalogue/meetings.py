"""Events practices can be linked to (e.g. the Strasbourg meeting of May 2024): the only writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from kb.models import Event


@dataclass(frozen=True)
class EventData:
    slug: str
    title_fr: str
    title_en: str
    place: str = ""
    start_date: str | None = None
    end_date: str | None = None
    organiser: str = ""
    note_fr: str = ""
    note_en: str = ""
    sources: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def save(*, session: Session, events: list[EventData]) -> tuple[int, int]:
    """Upsert events by slug (no commit); return (created, updated)."""
    existing = {e.slug: e for e in session.exec(select(Event))}
    created = updated = 0
    for data in events:
        values: dict[str, Any] = {
            "title_fr": data.title_fr,
            "title_en": data.title_en,
            "place": data.place,
            "start_date": data.start_date,
            "end_date": data.end_date,
            "organiser": data.organiser,
            "note_fr": data.note_fr,
            "note_en": data.note_en,
            "sources": [dict(s) for s in data.sources],
        }
        row = existing.get(data.slug)
        if row is None:
            session.add(Event(slug=data.slug, **values))
            created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            session.add(row)
            updated += 1
    session.flush()
    return created, updated


def all_events(session: Session) -> list[Event]:
    return list(session.exec(select(Event).order_by(Event.start_date, Event.slug)))


def to_data(event: Event) -> EventData:
    return EventData(
        slug=event.slug,
        title_fr=event.title_fr,
        title_en=event.title_en,
        place=event.place,
        start_date=event.start_date,
        end_date=event.end_date,
        organiser=event.organiser,
        note_fr=event.note_fr,
        note_en=event.note_en,
        sources=tuple(event.sources),
    )
