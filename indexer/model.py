"""Plain dataclasses exchanged with the caller: documents and changes in, results out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Order matters: the caller renders facet blocks in this order.
FACETS: tuple[str, ...] = (
    "theme",
    "country",
    "city",
    "approach",
    "target",
    "language",
    "year",
    "evidence",
)

SORTS: tuple[str, ...] = ("relevance", "newest", "title")
LANGS: tuple[str, ...] = ("fr", "en")


@dataclass(frozen=True)
class Document:
    """One published practice as plain data, so the indexer never needs the app's models."""

    id: int
    slug: str
    version: int
    title_fr: str
    title_en: str
    summary_fr: str
    summary_en: str
    body: str
    language: str
    cities: tuple[str, ...]
    country: str
    themes: tuple[str, ...]
    approaches: tuple[str, ...]
    targets: tuple[str, ...]
    evidence: str
    year: int | None
    published: float
    extra_text: str = ""
    # The body translated into the other language (plain text), indexed with that language.
    body_translation: str = ""


@dataclass(frozen=True)
class SynonymGroup:
    """Words that mean the same thing, so a query in one language or spelling finds the others."""

    terms: tuple[str, ...]
    facet: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class Query:
    """What the reader asked for; invalid values are clamped, never rejected."""

    text: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    lang: str = "en"
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class FacetCount:
    """One facet value with the number of matching documents, for the filter sidebar."""

    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Hit:
    """One shown result with ready-to-render (escaped, highlighted) text."""

    id: int
    slug: str
    score: float
    title: str
    summary: str
    snippet: str


@dataclass(frozen=True)
class Results:
    """A page of hits with the exact total and every facet's counts."""

    query: Query
    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[FacetCount, ...]]
    suggestion: str | None
    relaxed: bool
    error: str | None = None


@dataclass(frozen=True)
class Change:
    """One resolved change-log row; document None removes doc_id from the index."""

    id: int
    doc_id: int
    document: Document | None


@dataclass(frozen=True)
class Suggestion:
    """An as-you-type proposal: a practice (value = slug) or a city (value = city name)."""

    kind: str
    value: str
    label: str


@dataclass(frozen=True)
class VerifyReport:
    """Differences between the database and the index, so `kb index verify` can fail loudly.

    `missing`, `stale`, `extra` and `duplicated` compare the stored documents; `searches` names
    the searches whose answer is wrong (a document counted twice, a deleted one listed, a facet
    count that differs from the database's).
    """

    missing: tuple[int, ...]
    stale: tuple[int, ...]
    extra: tuple[int, ...]
    duplicated: tuple[int, ...] = ()
    searches: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the index holds exactly the expected documents and answers accordingly."""
        return not (self.missing or self.stale or self.extra or self.duplicated or self.searches)


class IndexBusy(Exception):
    """The writer lock was not obtained in time; the caller retries later and loses nothing."""
