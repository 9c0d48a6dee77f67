"""A plain database search, for the moments when no search index can open.

Every word must appear (any case) in a title, a summary or the body; the theme, approach, target,
country, language, year and evidence filters apply; results come newest first, without facet
counts, stemming, synonyms or highlights. It keeps the search page useful while the index is
rebuilt (see kb.index_ext); it is never the normal path.
"""

from __future__ import annotations

import html
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from indexer import Hit, Query, Results
from kb.models import Practice, PracticeTerm, TaxonomyTerm
from kb.search.index_sync import PracticeResults

MAX_WORDS = 8  # a long query on LIKE scans gets slow; the first words are enough to narrow it
TEXT_COLUMNS = ("title_fr", "title_en", "summary_fr", "summary_en", "body_text")
TERM_FILTERS = {"theme": "theme", "approach": "approach", "target": "target"}
COLUMN_FILTERS = {"country": "country", "language": "language", "evidence": "evidence_level"}


def _words(text: str) -> list[str]:
    words = [w.strip('"').lstrip("-") for w in text.split()]
    return [w for w in words if w and ":" not in w][:MAX_WORDS]


def _like(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def conditions(query: Query) -> list[ColumnElement[bool]]:
    """The WHERE clauses of `query`: published, every word somewhere, every filter."""
    where: list[ColumnElement[bool]] = [col(Practice.state) == "published"]
    for word in _words(query.text):
        pattern = _like(word)
        where.append(
            or_(
                *(
                    func.lower(getattr(Practice, name)).like(pattern, escape="\\")
                    for name in TEXT_COLUMNS
                )
            )
        )
    for facet, kind in TERM_FILTERS.items():
        values = query.filters.get(facet)
        if values:
            tagged = (
                select(PracticeTerm.practice_id)
                .join(TaxonomyTerm, col(TaxonomyTerm.id) == col(PracticeTerm.term_id))
                .where(TaxonomyTerm.kind == kind, col(TaxonomyTerm.slug).in_(values))
            )
            where.append(col(Practice.id).in_(tagged))
    for facet, column in COLUMN_FILTERS.items():
        values = query.filters.get(facet)
        if values:
            where.append(col(getattr(Practice, column)).in_(values))
    years = [int(y) for y in query.filters.get("year", ()) if y.isdigit()]
    if years:
        where.append(col(Practice.start_year).in_(years))
    return where


def database_search(*, session: Session, query: Query) -> PracticeResults:
    """Search the database directly: `query` read as plain words and filters, newest first."""
    where = and_(*conditions(query))
    total = int(session.exec(select(func.count()).select_from(Practice).where(where)).one())
    order: list[Any] = (
        [col(Practice.title_fr if query.lang == "fr" else Practice.title_en)]
        if query.sort == "title"
        else [col(Practice.published_at).desc(), col(Practice.id).desc()]
    )
    rows = tuple(
        session.exec(
            select(Practice)
            .where(where)
            .order_by(*order)
            .offset((query.page - 1) * query.per_page)
            .limit(query.per_page)
        )
    )
    hits = tuple(
        Hit(
            id=p.id or 0,
            slug=p.slug,
            score=0.0,
            title=html.escape(p.title(query.lang)),
            summary=html.escape(p.summary(query.lang)),
            snippet="",
        )
        for p in rows
    )
    results = Results(
        query=query, total=total, hits=hits, facets={}, suggestion=None, relaxed=False
    )
    return PracticeResults(results, rows)
