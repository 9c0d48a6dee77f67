"""Practices <-> the search index: change-log sync, rebuild, verify and queries.

The database is the source of truth. The index follows the `ChangeLog` outbox: each process
applies the rows above the last id its index recorded, so several workers on one index folder, or
several nodes each with its own folder, all converge. Only published practices are indexed.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from indexer import (
    FACETS,
    Change,
    FacetCount,
    Hit,
    Index,
    IndexBusy,
    Query,
    Results,
    Suggestion,
    VerifyReport,
    facet_values,
)
from kb.catalogue import taxonomy
from kb.catalogue.taxonomy import Vocabulary
from kb.models import ChangeLog, Practice
from kb.search.documents import documents, terms_by_practice

log = logging.getLogger(__name__)
BATCH = 500
MAX_PER_PAGE = 100  # the indexer's largest page


@dataclass(frozen=True)
class PracticeResults:
    """Index results with the matching practices loaded from the database, in rank order."""

    results: Results
    practices: tuple[Practice, ...]


def latest_change_id(session: Session) -> int:
    """The newest change-log id (one indexed lookup)."""
    return int(session.exec(select(func.max(ChangeLog.id))).one() or 0)


def sync(*, session: Session, index: Index, timeout: float = 2.0) -> int:
    """Apply pending change-log rows to `index`; return the last change id it now holds.

    A busy writer lock is not an error: the rows stay in the log and the next sync applies them.
    """
    vocabulary: Vocabulary | None = None
    while True:
        after = index.last_change_id()
        rows = list(
            session.exec(
                select(ChangeLog)
                .where(col(ChangeLog.id) > after)
                .order_by(col(ChangeLog.id))
                .limit(BATCH)
            )
        )
        if not rows:
            return after
        # Several rows for one practice collapse into its current state, under the newest row id.
        newest: dict[int, int] = {}
        for row in rows:
            assert row.id is not None
            newest[row.practice_id] = row.id
        published = {
            p.id: p
            for p in session.exec(
                select(Practice).where(
                    col(Practice.id).in_(list(newest)), Practice.state == "published"
                )
            )
        }
        vocabulary = vocabulary or taxonomy.load(session)
        docs = {d.id: d for d in documents(session, list(published.values()), vocabulary)}
        changes = [
            Change(id=change_id, doc_id=pid, document=docs.get(pid))
            for pid, change_id in sorted(newest.items(), key=lambda item: item[1])
        ]
        try:
            index.apply(changes, timeout=timeout)
        except IndexBusy:
            log.info("search index busy; %d change(s) left for the next sync", len(rows))
            return after
        session.rollback()  # end the read transaction so the next batch sees fresh rows


def ensure_fresh(*, session: Session, index: Index, timeout: float = 0.5) -> None:
    """Catch the index up when the change log is ahead of it (cheap when it is not).

    On a request path a failed write (a full or read-only disk) must not fail the request: it is
    logged and the index serves what it holds; /healthz reports it (kb.search.health).
    """
    if latest_change_id(session) > index.last_change_id():
        try:
            sync(session=session, index=index, timeout=timeout)
        except OSError as exc:
            log.warning("search index could not catch up (%s); serving what it holds", exc)
            session.rollback()


def published_practices(session: Session) -> list[Practice]:
    return list(
        session.exec(
            select(Practice).where(Practice.state == "published").order_by(col(Practice.id))
        )
    )


def rebuild(*, session: Session, index: Index, procs: int = 2) -> int:
    """Rebuild the index from the database and swap it in; return the number of documents."""
    # Read the log position first: changes committed while we build are re-applied by sync.
    last = latest_change_id(session)
    vocabulary = taxonomy.load(session)
    docs = documents(session, published_practices(session), vocabulary)
    # Worker processes only pay off on large sets; forking for a few dozen documents costs seconds.
    count = index.rebuild(docs, last_change_id=last, procs=procs if len(docs) >= 2000 else 1)
    sync(session=session, index=index)
    return count


# Searches whose answers `verify` and /healthz check (browsing and every facet value always are):
# single words and a phrase in both languages, a synonym group, a prefix, a natural question.
PROBES = (
    "polarisation", "haine", "hate", "radicalisation", "jeunes", "youth", "discrimination",
    '"social cohesion"', "radical*", "comment prévenir la haine en ligne",
)


def verify(*, session: Session, index: Index) -> VerifyReport:
    """Compare the published practices with the index: the stored documents (missing, stale,
    extra, twice) and what searches answer (probes, and every facet value's count)."""
    practices = published_practices(session)
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    for doc in documents(session, practices, taxonomy.load(session)):
        for facet, values in facet_values(doc).items():
            counts[facet].update(values)
    return index.verify(
        {p.id: p.version for p in practices if p.id is not None}, facets=counts, probes=PROBES
    )


def audit(index: Index) -> tuple[str, ...]:
    """What is wrong with the index's answers (`Index.audit` over PROBES), for /healthz."""
    return index.audit(PROBES)


def body_loader(session: Session) -> Callable[[Sequence[int]], Mapping[int, Mapping[str, str]]]:
    """A callable giving the plain bodies of the shown hits by language (the original and its
    translation), so a snippet quotes the reader's language where it can."""

    def load(ids: Sequence[int]) -> Mapping[int, Mapping[str, str]]:
        rows = session.exec(
            select(
                Practice.id, Practice.language, Practice.body_text, Practice.body_translation_text
            ).where(col(Practice.id).in_(list(ids)))
        )
        return {
            pid: {language: text, ("en" if language == "fr" else "fr"): translation}
            for pid, language, text, translation in rows
            if pid is not None
        }

    return load


class ResultCache:
    """A bounded, thread-safe cache of index results, keyed by the index state they come from.

    A key includes the change id the index has applied, so any change to the published set makes
    older entries unreachable: a cached page is never stale, it is only reused while nothing moved.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[object, ...], Results] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_run(self, index: Index, query: Query, run: Callable[[], Results]) -> Results:
        if self.size <= 0:
            return run()
        key = (
            id(index),
            index.last_change_id(),
            query.text,
            _frozen(query.filters),
            query.sort,
            query.lang,
            query.page,
            query.per_page,
        )
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        results = run()
        with self._lock:
            self.misses += 1
            self._entries[key] = results
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return results


def _frozen(filters: Mapping[str, Sequence[str]]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple(sorted((name, tuple(values)) for name, values in filters.items()))


def search(
    *,
    session: Session,
    index: Index,
    query: Query,
    cache: ResultCache | None = None,
    within: Collection[int] | None = None,
) -> PracticeResults:
    """Run `query` and load the shown practices from the database in rank order.

    `within` limits the results to those practice ids (a collection), totals and facets included.
    """
    ensure_fresh(session=session, index=index)

    def run() -> Results:
        return index.search(query, body_text=body_loader(session))

    if within is not None:
        results = _search_within(session, index, query, frozenset(within))
    else:
        results = cache.get_or_run(index, query, run) if cache else run()
    ids = [hit.id for hit in results.hits]
    rows = {
        p.id: p
        for p in session.exec(
            select(Practice).where(col(Practice.id).in_(ids), Practice.state == "published")
        )
    }
    return PracticeResults(results, tuple(rows[i] for i in ids if i in rows))


def _search_within(session: Session, index: Index, query: Query, ids: frozenset[int]) -> Results:
    """`query` limited to `ids`: the indexer has no id filter, so the ranked hits are filtered here.

    The index is first narrowed by the cities of those practices (a facet it does filter on, and a
    superset of `ids`), so only a few pages of hits are read; totals and facets are counted over
    the kept hits, and pages are cut from them.
    """
    filters = dict(query.filters)
    rows = session.exec(
        select(Practice.cities).where(
            col(Practice.id).in_(list(ids)), Practice.state == "published"
        )
    ).all()
    if "city" not in filters and rows and all(rows):
        filters["city"] = tuple(sorted({city for cities in rows for city in cities}))
    kept: list[Hit] = []
    first: Results | None = None
    page = 1
    while ids:
        ranked = replace(query, filters=filters, page=page, per_page=MAX_PER_PAGE)
        found = index.search(ranked, body_text=body_loader(session))
        first = first or found
        kept.extend(hit for hit in found.hits if hit.id in ids)
        if page * MAX_PER_PAGE >= found.total or len(kept) == len(ids) or not found.hits:
            break
        page += 1
    start = (query.page - 1) * query.per_page
    return Results(
        query=query,
        total=len(kept),
        hits=tuple(kept[start : start + query.per_page]),
        facets=_facets_of(session, [hit.id for hit in kept], query.filters),
        suggestion=first.suggestion if first and not kept else None,
        relaxed=bool(first and first.relaxed),
        error=first.error if first else None,
    )


def _facets_of(
    session: Session, ids: Sequence[int], selected: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[FacetCount, ...]]:
    """Facet counts over the given practices (each value counted once per practice)."""
    counts: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    terms = terms_by_practice(session, ids)
    for p in session.exec(select(Practice).where(col(Practice.id).in_(list(ids)))):
        tags = terms.get(p.id or 0, {})
        values = {
            "theme": tags.get("theme", []),
            "approach": tags.get("approach", []),
            "target": tags.get("target", []),
            "country": [p.country],
            "city": p.cities,
            "language": [p.language],
            "year": [str(p.start_year)] if p.start_year else [],
            "evidence": [p.evidence_level],
        }
        for facet in FACETS:
            counts[facet].update(set(values.get(facet, [])))
    return {
        facet: tuple(
            FacetCount(value, n, value in selected.get(facet, ()))
            for value, n in sorted(counts[facet].items(), key=lambda item: (-item[1], item[0]))
        )
        for facet in FACETS
    }


def published_practices_exist(engine: Engine) -> bool:
    """True when at least one practice is published (used to decide on seeding)."""
    with Session(engine) as session:
        return (
            session.exec(select(Practice.id).where(Practice.state == "published").limit(1)).first()
            is not None
        )


def suggest(
    *, index: Index, vocabulary: Vocabulary, prefix: str, lang: str, limit: int = 8
) -> list[Suggestion]:
    """As-you-type suggestions: matching themes first, then practice titles and cities."""
    folded = fold(prefix)
    themes = [
        Suggestion(kind="theme", value=term.slug, label=term.label(lang))
        for term in vocabulary.terms.get("theme", ())
        if any(
            fold(word).startswith(folded)
            for word in (term.label(lang), *term.synonyms_fr, *term.synonyms_en)
        )
    ]
    return (themes + index.suggest(prefix, lang=lang, limit=limit))[:limit]


def fold(text: str) -> str:
    """Case- and accent-insensitive form of `text`, for matching and sorting labels."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_correcting(
    *,
    session: Session,
    index: Index,
    query: Query,
    cache: ResultCache | None = None,
    correct: bool = True,
    within: list[int] | None = None,
) -> tuple[PracticeResults, str | None]:
    """Search; when nothing matches and the did-you-mean does, the corrected results instead.

    Returns the results and the text the reader typed when it was corrected (else None), so the
    page can say « Résultats pour « radicalisation ». Rechercher plutôt « radicalisaton » ».
    """
    found = search(session=session, index=index, query=query, cache=cache, within=within)
    suggestion = found.results.suggestion
    if not correct or found.results.total or not suggestion or not query.text:
        return found, None
    corrected = search(
        session=session,
        index=index,
        query=replace(query, text=suggestion),
        cache=cache,
        within=within,
    )
    if not corrected.results.total:
        return found, None
    return corrected, query.text
