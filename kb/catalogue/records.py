"""The public record of a practice, built once for the API, exports, feeds and the changes feed.

URLs are passed in (`urls(slug) -> {"fr": ..., "en": ...}`), so this module knows nothing of
Flask and the one place that builds absolute URLs is the web tier. Records are built in batches:
children (taxonomy terms, sources, events) are loaded with one query per batch, so a whole-catalogue
export costs a few queries per 500 practices and holds one batch in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields as dataclass_fields
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from kb.catalogue import fields, taxonomy
from kb.catalogue import sources as sources_mod
from kb.catalogue.data import PracticeData, SourceData
from kb.catalogue.fields import SCALAR_FIELDS
from kb.catalogue.validation import SLUG_RE
from kb.models import Event, Practice, PracticeEvent, Source
from kb.search import documents as search_documents
from kb.text import bilingual

UrlsFor = Callable[[str], Mapping[str, str]]
Record = dict[str, Any]
BATCH = 500
MAX_SLUGS = 500


def practice_record(session: Session, practice: Practice, *, urls: UrlsFor) -> Record:
    """The full public record of one practice."""
    return practice_records(session, [practice], urls=urls)[0]


def practice_records(
    session: Session, practices: Sequence[Practice], *, urls: UrlsFor
) -> list[Record]:
    """The public records of `practices`, in the same order, children loaded in one go."""
    ids = [p.id for p in practices if p.id is not None]
    terms = search_documents.terms_by_practice(session, ids)
    vocab = taxonomy.load(session)
    sources: dict[int, list[SourceData]] = {}
    for s in session.exec(
        select(Source).where(col(Source.practice_id).in_(ids)).order_by(col(Source.position))
    ):
        sources.setdefault(s.practice_id, []).append(
            SourceData(s.title, s.url, s.publisher, s.date, s.language, s.note_fr, s.note_en)
        )
    events: dict[int, list[str]] = {}
    for practice_id, slug in session.exec(
        select(PracticeEvent.practice_id, Event.slug)
        .join(Event, col(Event.id) == col(PracticeEvent.event_id))
        .where(col(PracticeEvent.practice_id).in_(ids))
        .order_by(col(Event.start_date), col(Event.slug))
    ):
        events.setdefault(practice_id, []).append(slug)
    out = []
    for p in practices:
        assert p.id is not None
        tags = terms.get(p.id, {})
        data = PracticeData(
            **{name: getattr(p, name) for name in SCALAR_FIELDS},
            cities=tuple(p.cities),
            partners=tuple(p.partners),
            partners_fr=tuple(p.partners_fr),
            facts=dict(p.facts),
            themes=tuple(tags.get("theme", ())),
            approaches=tuple(tags.get("approach", ())),
            target_groups=tuple(tags.get("target", ())),
            events=tuple(events.get(p.id, ())),
            sources=tuple(sources.get(p.id, ())),
        )
        record = data.snapshot()
        record["version"] = p.version
        record["published_at"] = p.published_at.isoformat() if p.published_at else None
        record["updated_at"] = p.updated_at.isoformat()
        record["urls"] = dict(urls(p.slug))
        # The translated side named by its language; honest dates; city names.
        record["translation_language"] = bilingual.other(p.language) if p.body_translation else None
        record["changed_at"] = p.changed_at.isoformat() if p.changed_at else None
        record["city_names"] = [
            {"id": c, "fr": vocab.city(c, "fr"), "en": vocab.city(c, "en")} for c in p.cities
        ]
        for source in record["sources"]:
            source["unofficial_copy"] = sources_mod.is_unofficial_copy(source["url"])
        out.append({f.name: record[f.name] for f in fields.carried_by("json")})
    return out


def to_practice_data(record: Mapping[str, Any]) -> PracticeData:
    """The content of a record as PracticeData (the fields the Markdown format carries)."""
    values: dict[str, Any] = {}
    for f in fields.carried_by("markdown"):
        value = record[f.name]
        if f.kind == "sources":
            keep = {k.name for k in dataclass_fields(SourceData)}
            value = tuple(SourceData(**{k: v for k, v in s.items() if k in keep}) for s in value)
        elif f.kind == "strings":
            value = tuple(value)
        values[f.name] = value
    return PracticeData(**values)


# --- which practices ------------------------------------------------------------------------


def published_batches(session: Session, *, batch: int = BATCH) -> Iterator[list[Practice]]:
    """Every published practice in slug order, a batch at a time (keyset pagination)."""
    last = ""
    while True:
        rows = list(
            session.exec(
                select(Practice)
                .where(Practice.state == "published", col(Practice.slug) > last)
                .order_by(col(Practice.slug))
                .limit(batch)
            )
        )
        if not rows:
            return
        yield rows
        last = rows[-1].slug
        session.expunge_all()  # the identity map must not grow with the catalogue


def published_count(session: Session) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(Practice).where(Practice.state == "published")
        ).one()
    )


def parse_slugs(raw: str) -> list[str]:
    """`a,b,c` as a list of distinct slugs in their order (at most MAX_SLUGS); what cannot be a
    slug (a NUL byte, spaces, any other character) names no practice and is dropped here, before
    a database that refuses it sees it."""
    seen: dict[str, None] = {}
    for part in raw.split(","):
        slug = part.strip().lower()
        if len(slug) <= 120 and SLUG_RE.match(slug):
            seen.setdefault(slug, None)
    return list(seen)[:MAX_SLUGS]


def published_by_slugs(session: Session, slugs: Sequence[str]) -> list[Practice]:
    """The published practices among `slugs`, in the order given; unknown slugs are skipped."""
    rows = {
        p.slug: p
        for p in session.exec(
            select(Practice).where(
                col(Practice.slug).in_(list(slugs)), Practice.state == "published"
            )
        )
    }
    return [rows[s] for s in slugs if s in rows]


def published_by_ids(session: Session, ids: Iterable[int]) -> list[Practice]:
    """The published practices among `ids`, in the order given."""
    wanted = list(ids)
    rows = {
        p.id: p
        for p in session.exec(
            select(Practice).where(col(Practice.id).in_(wanted), Practice.state == "published")
        )
    }
    return [rows[i] for i in wanted if i in rows]
