"""A whole `content/` folder: load (every problem at once) and apply (one transaction)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from kb.catalogue import meetings as events_mod
from kb.catalogue import pages as pages_mod
from kb.catalogue import practices, taxonomy
from kb.catalogue.data import PracticeData
from kb.catalogue.meetings import EventData
from kb.catalogue.pages import PageData
from kb.catalogue.reads import to_data
from kb.catalogue.taxonomy import Vocabulary
from kb.catalogue.validation import validate
from kb.content.event_file import parse_events
from kb.content.page_file import parse_page
from kb.content.practice_file import parse_practice
from kb.content.source import ContentError, ContentErrors
from kb.content.taxonomy_file import parse_taxonomy
from kb.errors import N_
from kb.models import Practice
from kb.permissions import Actor, require


@dataclass
class ContentSet:
    """A fully validated content folder, ready to apply."""

    vocabulary: Vocabulary
    events: list[EventData] = field(default_factory=list)
    practices: list[PracticeData] = field(default_factory=list)
    pages: list[PageData] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    terms: tuple[int, int] = (0, 0)
    events: tuple[int, int] = (0, 0)
    pages: tuple[int, int] = (0, 0)


def load(directory: str | Path) -> ContentSet:
    """Parse and validate a whole content folder; raise ContentErrors listing every problem."""
    root = Path(directory)
    errors: list[ContentError] = []
    if not root.is_dir():
        raise ContentErrors([ContentError(str(root), 0, "folder", N_("not a directory"))])
    vocabulary = parse_taxonomy(root / "taxonomy.yaml", errors)
    event_list = (
        parse_events(root / "events.yaml", errors) if (root / "events.yaml").exists() else []
    )
    event_slugs = tuple(e.slug for e in event_list)
    records: list[PracticeData] = []
    seen: dict[str, str] = {}
    for path in sorted((root / "practices").glob("*.md")):
        parsed = parse_practice(path, errors)
        if parsed is None:
            continue
        record, checker = parsed
        for problem in validate(record, vocabulary=vocabulary, events=event_slugs):
            checker.error(problem.field, problem.text)
        known_cities = vocabulary.slugs("city")
        for i, city in enumerate(record.cities if known_cities else ()):
            if city not in known_cities:
                checker.error(
                    f"cities[{i}]",
                    N_("unknown city id %(city)r; add it to cities in taxonomy.yaml"),
                    city=city,
                )
        if record.slug in seen:
            checker.error(
                "slug", N_("duplicate slug, also used in %(path)s"), path=seen[record.slug]
            )
        seen[record.slug] = str(path)
        records.append(record)
    page_list = [
        page
        for path in sorted((root / "pages").glob("*.md"))
        if (page := parse_page(path, errors)) is not None
    ]
    if errors:
        raise ContentErrors(errors)
    return ContentSet(vocabulary, event_list, records, page_list)


def apply(
    *,
    session: Session,
    actor: Actor,
    content: ContentSet,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert a validated content set (flushed; the caller commits); new practices are published.

    Each new practice is recorded in the audit log as created directly in the published state.
    """
    require(actor, "content.import")
    report = ImportReport()
    report.terms = taxonomy.save(session=session, vocabulary=content.vocabulary)
    report.events = events_mod.save(session=session, events=content.events)
    existing = {p.slug: p for p in session.exec(select(Practice))}
    for record in content.practices:
        current = existing.get(record.slug)
        if current is None:
            practices.create(
                session=session,
                actor=actor,
                data=record,
                vocabulary=content.vocabulary,
                state="published",
            )
            report.created += 1
        elif to_data(session, current) != record:
            assert current.id is not None
            practices.update(
                session=session,
                actor=actor,
                practice_id=current.id,
                data=record,
                expected_version=current.version,
                vocabulary=content.vocabulary,
            )
            report.updated += 1
        else:
            report.unchanged += 1
        if progress:
            progress(1)
    report.pages = pages_mod.save(session=session, pages=content.pages)
    session.flush()
    return report
