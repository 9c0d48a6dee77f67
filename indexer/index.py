"""The Index facade: open/create, apply changes, rebuild-and-swap, verify, search, suggest, related.

The work is done in the modules beside it: `served` holds the searcher and its caches under the
lock, `schema` maps documents to fields, `readers` caches segment readers, `writing` applies and
merges, `bulk` writes a rebuilt generation, `scoring` matches and ranks, `hits` highlights the
shown page and `spelling` proposes "did you mean".
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import bulk, ranking, scoring, writing
from . import query as qmod
from .analysis import SynonymTable, fold, words
from .concepts import CONCEPT_FIELD, Concepts
from .engine import Engine, top_k
from .facets import SearcherArrays, facet_counts
from .hits import Bodies, BodyText, build_hits, wants_bodies
from .model import (
    FACETS,
    LANGS,
    SORTS,
    Change,
    Document,
    Query,
    Results,
    Suggestion,
    SynonymGroup,
    VerifyReport,
)
from .readers import readable
from .schema import META_ID, facet_field, head_field, text_field
from .served import Served
from .spelling import did_you_mean
from .storage import Layout

MAX_PER_PAGE = 100
# related() answers kept per searcher (a practice page asks for its own on every view).
RELATED_CACHE_SIZE = 4096


class Index:
    """A Whoosh index folder shared by the processes of one node, kept in sync by change id."""

    def __init__(self, layout: Layout, synonyms: Sequence[SynonymGroup], needs_rebuild: bool):
        self._layout = layout
        self._synonyms = SynonymTable(synonyms)
        self._concepts = Concepts(self._synonyms)
        self.needs_rebuild = needs_rebuild
        self._served = Served(layout, self._concepts)
        self._lock = self._served.lock

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, synonyms: Sequence[SynonymGroup] = ()
    ) -> Index:
        """Open the index folder, creating or replacing it (needs_rebuild) when missing or bad."""
        layout = Layout(Path(path))
        fingerprint = Concepts(SynonymTable(synonyms)).fingerprint
        needs_rebuild = False
        with layout.lock():
            gen = layout.current()
            if gen is not None and gen.is_dir():
                found = readable(gen)
                if found is None:
                    # Whatever the failure (truncated TOC, missing segment, unpickling error),
                    # the database can rebuild it: move it aside and start empty.
                    layout.move_aside(gen)
                    gen = None
                elif not found[0]:
                    needs_rebuild = True  # an older schema: readable, but rebuild it
                elif fingerprint and found[1] != fingerprint:
                    # The taxonomy changed since the concept terms were written: rebuild them
                    # (searches meanwhile expand synonyms at query time, so stay correct).
                    needs_rebuild = True
            elif (layout.root / "current").exists() or gen is not None:
                gen = None  # dangling link or foreign layout
            if gen is None:
                writing.create_empty(layout, fingerprint)
                needs_rebuild = True
            layout.cleanup()
        return cls(layout, synonyms, needs_rebuild)

    def close(self) -> None:
        """Release the searcher and its files."""
        self._served.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- engine ------------------------------------------------------------------------------

    def _engine(self, s: Any, arrays: SearcherArrays, kind: type[Engine] = Engine) -> Engine:
        leaves = [(sub.reader(), offset) for sub, offset in s.leaf_searchers()]
        return kind(
            s,
            leaves,
            arrays.norms,
            arrays.term_filters(),
            self._phrase_term if self._served.concepts_on else None,
            self._served.store,
            arrays.vectors,
            arrays.keys,
        )

    def _phrase_term(self, field: str, terms: Sequence[str], slop: int) -> tuple[str, str] | None:
        """The concept term indexed for a phrase check, when a synonym member is that phrase."""
        for lang in LANGS:
            if field == text_field(lang):
                key = self._concepts.phrase_key(lang, terms, slop)
                return (CONCEPT_FIELD, key) if key else None
        return None

    # -- change log ----------------------------------------------------------------------------

    def last_change_id(self) -> int:
        """Id of the last change-log row this index applied (stored in the index itself).

        Never waits for a search (see `Served.snapshot`).
        """
        return self._served.snapshot().last_change_id

    def apply(self, changes: Sequence[Change], *, timeout: float = 2.0) -> int:
        """Apply changes newer than last_change_id in one commit; IndexBusy if the lock waits."""
        return writing.apply(
            self._layout,
            changes,
            timeout=timeout,
            lock=self._lock,
            reuse=self._served.reuse_readers,
            concepts=self._concepts,
        )

    # -- rebuild, verify, optimize -------------------------------------------------------------

    def rebuild(
        self, documents: Iterable[Document], *, last_change_id: int, procs: int = 2
    ) -> int:
        """Build a new generation with the bulk writer and swap it in; returns the doc count."""
        gen, count = bulk.build_generation(
            self._layout,
            documents,
            last_change_id=last_change_id,
            procs=procs,
            concepts=self._concepts,
        )
        writing.swap_in(self._layout, gen)
        with self._lock:
            self.needs_rebuild = False
        return count

    def verify(
        self,
        expected: Mapping[int, int],
        *,
        facets: Mapping[str, Mapping[str, int]] | None = None,
        probes: Sequence[str] = (),
    ) -> VerifyReport:
        """Compare doc id -> version with the stored documents, and what searches answer
        (`audit`) with the expected facet counts: the report says what differs."""
        with self._lock:
            s = self._served.searcher()
            indexed: dict[int, int] = {}
            duplicated: set[int] = set()
            for stored in s.all_stored_fields():
                key = stored.get("id")
                if key is None or key == META_ID:
                    continue
                if int(key) in indexed:
                    duplicated.add(int(key))
                indexed[int(key)] = int(stored.get("version", 0))
            searches = self.audit(probes, facets=facets)
        missing = tuple(sorted(k for k in expected if k not in indexed))
        extra = tuple(sorted(k for k in indexed if k not in expected))
        stale = tuple(
            sorted(k for k, v in expected.items() if k in indexed and indexed[k] != v)
        )
        return VerifyReport(
            missing=missing,
            stale=stale,
            extra=extra,
            duplicated=tuple(sorted(duplicated)),
            searches=searches,
        )

    def audit(
        self, probes: Sequence[str], *, facets: Mapping[str, Mapping[str, int]] | None = None
    ) -> tuple[str, ...]:
        """What is wrong with the answers of the served searcher, as readable lines.

        Browsing, every facet value, and each probe query must match only live documents,
        each document once; with `facets` (value -> count over the expected documents), each
        value's count must be that. Reads per-searcher arrays only: cheap enough for /healthz.
        """
        problems: list[str] = []
        with self._lock:
            s = self._served.searcher()
            arrays = self._served.arrays(s)
            meta = self._served.meta_docnum
            live = set(arrays.live_docs(s, meta))
            keys = arrays.keys()

            def check(label: str, docs: Iterable[int]) -> None:
                found = set(docs)
                dead = len(found - live)
                twice = len(found) - len({keys[d] for d in found})
                if dead:
                    problems.append(f"{label}: {dead} deleted document(s) matched")
                if twice:
                    problems.append(f"{label}: {twice} document(s) matched twice")

            check("browse", live)
            count = arrays.counter(sorted(live))  # the live documents are read once
            for facet in FACETS:
                table = count(facet)
                wanted = (facets or {}).get(facet)
                for value in sorted(set(table) | set(wanted or {})):
                    check(f"{facet}:{value}", arrays.docs_with(facet, value))
                    if wanted is not None and table.get(value, 0) != wanted.get(value, 0):
                        problems.append(
                            f"{facet}:{value}: search counts {table.get(value, 0)}, "
                            f"expected {wanted.get(value, 0)}"
                        )
            eng = self._engine(s, arrays, ranking.WeightedEngine)
            concepts = self._concepts if self._served.concepts_on else None
            for probe in probes:
                parsed = qmod.parse(probe, self._synonyms, arrays.resolve)
                match = scoring.match(s, eng, arrays, parsed, {}, meta, concepts)
                check(f"search {probe!r}", match.docs)
        return tuple(problems)

    def optimize(self, *, timeout: float = 30.0) -> None:
        """Merge all segments into one (run off-peak: it rewrites the whole index)."""
        writing.optimize(self._layout, timeout=timeout)

    def merge_segments(
        self, *, max_small: int = writing.MAX_SMALL_SEGMENTS, timeout: float = 0.0
    ) -> bool:
        """Fold the small segments left by apply() into one once more than `max_small` exist.

        Bounded (only segments of at most SMALL_SEGMENT_DOCS documents are rewritten, never the
        big ones) and meant to run off the request path: after a sync, from a periodic job or
        from `kb index optimize`. Returns True if it merged; IndexBusy if the lock is taken.
        """
        return writing.merge_segments(self._layout, max_small=max_small, timeout=timeout)

    def segment_count(self) -> int:
        """Number of segments of the served generation (merge_segments() keeps it bounded)."""
        return writing.segment_count(self._layout)

    def state(self) -> tuple[str, int]:
        """The served generation and commit: a key for what is derived from the searcher
        (like last_change_id, never waits for a search)."""
        snap = self._served.snapshot()
        return str(snap.gen), snap.toc

    def doc_count(self) -> int:
        """Number of indexed practices (like last_change_id, never waits for a search)."""
        return self._served.snapshot().doc_count

    # -- search ----------------------------------------------------------------------------------

    def search(self, query: Query, *, body_text: BodyText | None = None) -> Results:
        """Top hits, exact total, all facet counts and highlights; bad syntax never raises."""
        page = max(1, int(query.page or 1))
        per_page = min(MAX_PER_PAGE, max(1, int(query.per_page or 20)))
        sort = query.sort if query.sort in SORTS else "relevance"
        lang = query.lang if query.lang in LANGS else "en"
        filters = {
            f: tuple(dict.fromkeys(str(v) for v in vals))
            for f, vals in query.filters.items()
            if f in FACETS and vals
        }
        with self._lock:
            s = self._served.searcher()
            arrays = self._served.arrays(s)
            parsed = qmod.parse(query.text or "", self._synonyms, arrays.resolve)
            eng = self._engine(s, arrays, ranking.WeightedEngine)
            selected = {
                f: frozenset().union(*(arrays.docs_with(f, v) for v in vals))
                for f, vals in filters.items()
            }
            scored = sort == "relevance" and not parsed.is_browse
            concepts = self._concepts if self._served.concepts_on else None
            meta = self._served.meta_docnum
            match = scoring.match(s, eng, arrays, parsed, selected, meta, concepts)
            matched, docs, relaxed = match.matched, match.docs, match.relaxed
            total = len(docs)
            top = page * per_page
            if scored and docs:
                # Exact BM25 over the matched documents, computed only for the query's terms.
                for clause in parsed.clauses:
                    if not clause.negated:
                        scoring.score_clause(s, eng, clause)
                if match.natural:
                    ranking.coordinate(eng, match.covered, docs)
                ranking.favour_named(eng, parsed, docs, arrays.titles, top)
                ranked = eng.top(list(docs), top)
            else:
                ranked = scoring.order(arrays, list(docs), sort, lang, top)
            shown = [(sc, s.stored_fields(d)) for d, sc in ranked[(page - 1) * per_page :]]
            facets = facet_counts(arrays, sorted(matched), selected, filters)
            suggestion = did_you_mean(s, self._served.vocabulary, parsed, query.text or "", total)
        # Outside the lock: the caller's database read and the highlighting need no searcher.
        bodies: Mapping[int, Bodies] = {}
        if body_text is not None and shown and wants_bodies(parsed):
            bodies = body_text([int(f["id"]) for _sc, f in shown])
        hits = build_hits(shown, parsed, lang, bodies)
        return Results(
            query=query,
            total=total,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            relaxed=relaxed,
            error=parsed.error,
        )

    # -- suggestions and related ---------------------------------------------------------------

    def suggest(self, prefix: str, *, lang: str = "en", limit: int = 8) -> list[Suggestion]:
        """As-you-type proposals: matching cities first, then practice titles (title prefixes)."""
        lang = lang if lang in LANGS else "en"
        typed = [fold(w) for w in words(prefix[: qmod.MAX_CHARS])][:8]
        if not typed or limit <= 0:
            return []
        out: list[Suggestion] = []
        with self._lock:
            s = self._served.searcher()
            arrays = self._served.arrays(s)
            needle = " ".join(typed)
            cities = sorted(
                (v for k, v in arrays.known("city").items() if k.startswith(needle)),
                key=fold,
            )
            out.extend(Suggestion("city", c, c) for c in cities[: max(1, limit // 3)])
            if len(out) < limit:
                for d in arrays.title_prefix_docs(typed, limit - len(out)):
                    hit = s.stored_fields(d)
                    title = hit.get(f"title_{lang}") or hit.get("title_fr") or ""
                    out.append(Suggestion("practice", hit.get("slug", ""), title))
        return out[:limit]

    def related(self, doc_id: int, *, limit: int = 5) -> list[int]:
        """Ids of practices like this one (key terms of its titles and summaries, plus themes)."""
        with self._lock:
            s = self._served.searcher()
            known = self._served.related.get((doc_id, limit))
            if known is not None:
                return list(known)
            found = self._related(s, doc_id, limit)
            if len(self._served.related) >= RELATED_CACHE_SIZE:
                self._served.related.clear()
            self._served.related[(doc_id, limit)] = found
            return list(found)

    def _related(self, s: Any, doc_id: int, limit: int) -> list[int]:
        """related() on searcher `s` (lock held)."""
        docnum = s.document_number(id=str(doc_id))
        if docnum is None or limit <= 0:
            return []
        stored = s.stored_fields(docnum)
        arrays = self._served.arrays(s)
        eng = self._engine(s, arrays)
        for lang in LANGS:
            text = f"{stored.get(f'title_{lang}', '')}\n{stored.get(f'summary_{lang}', '')}"
            if not text.strip():
                continue
            # Titles and summaries only: their postings are short, where scoring the
            # same terms over every body cost ~100 ms at 10k for little change in order.
            for term, weight in eng.key_terms(head_field(lang), text, 8):
                eng.score(head_field(lang), term, float(weight))
        for theme in arrays.values["theme"][docnum]:
            eng.score(facet_field("theme"), theme)
        acc = eng.acc
        if acc is None:
            return []
        skip = {docnum, self._served.meta_docnum}
        scored = (d for d, sc in enumerate(acc) if sc > 0.0)
        best = top_k(scored, limit + 2, acc, arrays.keys())
        ids = [int(s.stored_fields(d)["id"]) for d in best if d not in skip]
        return ids[:limit]
