"""What the practitioners' pages show: home overview, practice details, facet labels, citations.

Plain functions over a session (and the index where needed); the views only render their results.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.dates import format_date
from sqlalchemy import func
from sqlmodel import Session, col, select

from indexer import FacetCount, Index
from kb.catalogue.data import PracticeData
from kb.catalogue.reads import events_of, get_by_slug, sources_of, to_data
from kb.catalogue.taxonomy import Vocabulary
from kb.models import Event, Practice, PracticeTerm, Source, TaxonomyTerm, utcnow
from kb.search import documents as search_documents
from kb.search import index_sync as search

LANGUAGE_NAMES = {
    "fr": {"fr": "Français", "en": "Anglais"},
    "en": {"fr": "French", "en": "English"},
}
FACET_KIND = {"theme": "theme", "approach": "approach", "target": "target", "evidence": "evidence"}


SIDEBAR_VALUES = 20  # values of a facet listed beside the results; all of them on its own page


def sidebar_facets(
    facets: Mapping[str, Sequence[FacetCount]], limit: int | None = None
) -> tuple[dict[str, list[FacetCount]], dict[str, int]]:
    """The `limit` most frequent values of each facet, and how many values each has in all.

    A selected value is always kept, even past the limit: the filter form sends back what it
    shows, so a value left out would be unselected by the next "Apply". Long lists (cities,
    years at scale) go to the facet's own page, as library catalogues do.
    """
    limit = SIDEBAR_VALUES if limit is None else limit
    shown = {
        name: [f for i, f in enumerate(values) if i < limit or f.selected]
        for name, values in facets.items()
    }
    return shown, {name: len(values) for name, values in facets.items()}


def facet_view(
    vocabulary: Vocabulary, facets: Mapping[str, Sequence[FacetCount]], lang: str
) -> dict[str, list[dict[str, Any]]]:
    """Facet counts with their reader-facing labels, as the search page and the API show them."""
    return {
        name: [
            {
                "value": f.value,
                "label": facet_label(vocabulary, name, f.value, lang),
                "count": f.count,
                "selected": f.selected,
            }
            for f in values
        ]
        for name, values in facets.items()
    }


def facet_label(vocabulary: Vocabulary, facet: str, value: str, lang: str) -> str:
    """The reader-facing label of one facet value."""
    if facet in FACET_KIND:
        return vocabulary.label(FACET_KIND[facet], value, lang)
    if facet == "country":
        english, french = search_documents.country_names(value)
        return french if lang == "fr" else english
    if facet == "language":
        return LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES["en"]).get(value, value)
    if facet == "city":
        return vocabulary.city(value, lang)
    return value


BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def long_date(value: dt.date | dt.datetime, lang: str) -> str:
    """A date as running text in the reader's locale: 2 décembre 2026, 2 December 2026."""
    day = value.date() if isinstance(value, dt.datetime) else value
    return str(format_date(day, "long", locale=BABEL_LOCALES.get(lang, "en_GB")))


@dataclass(frozen=True)
class Count:
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class Overview:
    """The home page: what the knowledge base holds."""

    total: int
    themes: tuple[Count, ...]
    countries: tuple[Count, ...]
    cities: tuple[Count, ...]
    recent: tuple[Practice, ...]
    # "published": really published in the last RECENT_DAYS (after the initial import);
    # "start-year": nothing was, so the home lists the practices that started most recently.
    recent_kind: str = "published"


RECENT_DAYS = 90
# Practices published within this time of the very first one came in the initial bulk import.
INITIAL_IMPORT = dt.timedelta(hours=1)


@dataclass(frozen=True)
class _Counts:
    total: int
    themes: tuple[Count, ...]
    countries: tuple[Count, ...]
    cities: tuple[Count, ...]


class OverviewCache:
    """The home page's counts by language, kept while the change log and the taxonomy are
    unchanged: at 10,000 practices counting them cost ~150 ms a view (every practice's cities
    are read), and every change to a practice goes through the change log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, Vocabulary, _Counts]] = {}

    def counts(self, *, session: Session, vocabulary: Vocabulary, lang: str) -> _Counts:
        # Read before counting: a change committed meanwhile only makes the next view recount.
        change = search.latest_change_id(session)
        with self._lock:
            kept = self._entries.get(lang)
        if kept is not None and kept[0] == change and kept[1] is vocabulary:
            return kept[2]
        counts = _count(session=session, vocabulary=vocabulary, lang=lang)
        with self._lock:
            self._entries[lang] = (change, vocabulary, counts)
        return counts


def overview(
    *,
    session: Session,
    vocabulary: Vocabulary,
    lang: str,
    recent: int = 6,
    cache: OverviewCache | None = None,
) -> Overview:
    """What the home page shows; the counts from `cache` when it holds them for this state."""
    if cache is None:
        counts = _count(session=session, vocabulary=vocabulary, lang=lang)
    else:
        counts = cache.counts(session=session, vocabulary=vocabulary, lang=lang)
    newest, kind = _recent(session, recent)
    return Overview(counts.total, counts.themes, counts.countries, counts.cities, newest, kind)


def _count(*, session: Session, vocabulary: Vocabulary, lang: str) -> _Counts:
    """Counts come from SQL aggregates: the home page must not load every practice's body."""
    published = Practice.state == "published"
    total = int(session.exec(select(func.count()).select_from(Practice).where(published)).one())
    theme_counts = dict(
        session.exec(
            select(TaxonomyTerm.slug, func.count())
            .join(PracticeTerm, col(PracticeTerm.term_id) == col(TaxonomyTerm.id))
            .join(Practice, col(Practice.id) == col(PracticeTerm.practice_id))
            .where(published, TaxonomyTerm.kind == "theme")
            .group_by(col(TaxonomyTerm.slug))
        ).all()
    )
    country_counts = session.exec(
        select(Practice.country, func.count()).where(published).group_by(col(Practice.country))
    ).all()
    city_counts = Counter(
        city for cities in session.exec(select(Practice.cities).where(published)) for city in cities
    )
    themes = tuple(
        Count(t.slug, t.label(lang), theme_counts[t.slug])
        for t in vocabulary.terms.get("theme", ())
        if theme_counts.get(t.slug)
    )
    countries = tuple(
        sorted(
            (Count(c, facet_label(vocabulary, "country", c, lang), n) for c, n in country_counts),
            key=lambda c: search.fold(c.label),
        )
    )
    cities = tuple(
        sorted(
            (Count(c, vocabulary.city(c, lang), n) for c, n in city_counts.items()),
            key=lambda c: search.fold(c.label),
        )
    )
    return _Counts(total, themes, countries, cities)


def _recent(session: Session, limit: int) -> tuple[tuple[Practice, ...], str]:
    """Practices really published recently; else the newest by start year (and say which)."""
    published = Practice.state == "published"
    first = session.exec(select(func.min(Practice.published_at)).where(published)).one()
    if first is not None:
        first = first if first.tzinfo else first.replace(tzinfo=dt.UTC)
        since = max(first + INITIAL_IMPORT, utcnow() - dt.timedelta(days=RECENT_DAYS))
        rows = session.exec(
            select(Practice)
            .where(published, col(Practice.published_at) > since)
            .order_by(col(Practice.published_at).desc(), col(Practice.id).desc())
            .limit(limit)
        ).all()
        if rows:
            return tuple(rows), "published"
    rows = session.exec(
        select(Practice)
        .where(published, col(Practice.start_year).is_not(None))
        .order_by(col(Practice.start_year).desc(), col(Practice.id))
        .limit(limit)
    ).all()
    return tuple(rows), "start-year"


@dataclass(frozen=True)
class PracticePage:
    practice: Practice
    data: PracticeData
    sources: tuple[Source, ...]
    events: tuple[Event, ...]
    related: tuple[Practice, ...]


def practice_page(*, session: Session, index: Index | None, slug: str) -> PracticePage:
    """A published practice with its sources, events and related practices (NotFound otherwise).

    Without an index (being rebuilt) the page is whole but lists no related practices.
    """
    practice = get_by_slug(session, slug)
    assert practice.id is not None
    related_ids: list[int] = []
    if index is not None:
        search.ensure_fresh(session=session, index=index)
        related_ids = index.related(practice.id, limit=4)
    rows = {
        p.id: p
        for p in session.exec(
            select(Practice).where(col(Practice.id).in_(related_ids), Practice.state == "published")
        )
    }
    return PracticePage(
        practice=practice,
        data=to_data(session, practice),
        sources=tuple(sources_of(session, practice.id)),
        events=tuple(events_of(session, practice.id)),
        related=tuple(rows[i] for i in related_ids if i in rows),
    )


def citation(page: PracticePage, *, url: str, lang: str) -> str:
    """A plain-text reference to the practice page."""
    p = page.practice
    when = long_date(p.changed_at or p.published_at or p.updated_at, lang)
    if lang == "fr":
        return (
            f"{p.lead('fr')}. « {p.title_fr} ». kb, base de connaissances des pratiques "
            f"municipales de prévention, version {p.version} du {when}. {url}"
        )
    return (
        f'{p.lead("en")}. "{p.title_en}". kb, knowledge base of city prevention '
        f"practices, version {p.version} of {when}. {url}"
    )


def json_ld(page: PracticePage, *, url: str, lang: str, vocabulary: Vocabulary) -> dict[str, Any]:
    """schema.org description of a practice page, for search engines and the resource centre."""
    p = page.practice
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": p.title(lang),
        "alternateName": p.title("en" if lang == "fr" else "fr"),
        "description": p.summary(lang),
        "url": url,
        "inLanguage": p.language,
        "keywords": list(page.data.themes),
        "dateModified": p.updated_at.isoformat(),
        "version": str(p.version),
        "spatialCoverage": [
            {
                "@type": "Place",
                "name": vocabulary.city(city, lang),
                "address": {"@type": "PostalAddress", "addressCountry": p.country},
            }
            for city in p.cities
        ],
        "creator": {"@type": "Organization", "name": p.lead(lang)},
        "citation": [
            {"@type": "CreativeWork", "name": s.title, "url": s.url} for s in page.sources
        ],
    }
    if p.published_at:
        data["datePublished"] = p.published_at.isoformat()
    return data
