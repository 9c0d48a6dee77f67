"""The Index facade: open/create, apply changes, rebuild-and-swap, verify, search, suggest, related.

The work is done in the modules beside it: `schema` maps documents to fields, `readers` caches
segment readers, `writing` applies, rebuilds and merges, `scoring` matches and ranks, `hits`
highlights the shown page and `spelling` proposes "did you mean".
"""

from __future__ import annotations

import heapq
import os
import re
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from . import bulk, ranking, scoring, writing
from . import query as qmod
from .analysis import SynonymTable, fold, words
from .concepts import CONCEPT_FIELD, Concepts
from .engine import Engine
from .facets import FacetCache, SearcherArrays, facet_counts
from .hits import BodyText, build_hits, wants_bodies
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
from .postings import PostingsStore, segment_id
from .readers import ReaderCache, readable
from .schema import META_ID, facet_field, head_field, text_field
from .spelling import did_you_mean
from .storage import Layout
from .vocab import Vocabulary

MAX_PER_PAGE = 100
OPEN_RETRIES = writing.OPEN_RETRIES
_TOC_RE = re.compile(r"^_MAIN_([0-9]+)\.toc$")


@dataclass(frozen=True)
class _Snapshot:
    """What the last opened searcher saw, readable without the search lock."""

    gen: Path
    toc: int
    last_change_id: int
    doc_count: int


def _latest_toc(gen: Path) -> int:
    """The newest TOC generation in a folder (-1 when there is none): a directory listing."""
    try:
        names = os.listdir(gen)
    except OSError:
        return -1
    return max((int(m.group(1)) for n in names if (m := _TOC_RE.match(n))), default=-1)


class Index:
    """A Whoosh index folder shared by the processes of one node, kept in sync by change id."""

    def __init__(self, layout: Layout, synonyms: Sequence[SynonymGroup], needs_rebuild: bool):
        self._layout = layout
        self._synonyms = SynonymTable(synonyms)
        self._concepts = Concepts(self._synonyms)
        self.needs_rebuild = needs_rebuild
        # One lock for the searcher and everything read through it: Whoosh searchers are not
        # thread-safe, and as pure Python they would not run in parallel under the GIL anyway.
        self._lock = threading.RLock()
        self._gen: Path | None = None
        self._ix: Any = None
        self._searcher: Any = None
        self._meta_docnum: int | None = None
        # The served searcher's concept terms come from our synonym table (concepts.py).
        self._concepts_on = False
        self._facets = FacetCache()
        self._vocab: Vocabulary | None = None
        self._snapshot: _Snapshot | None = None
        self._readers = ReaderCache()
        # Postings and phrase results per segment, bounded (postings.py states the bound).
        self._store = PostingsStore()
        self._closed = False

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
        with self._lock:
            self._close_searcher()
            self._readers.close()
            self._closed = True

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- searcher management -----------------------------------------------------------------

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()  # closereader=False: the readers stay in self._readers
            self._searcher = None
        self._meta_docnum = None

    def _current_ix(self) -> Any:
        """The FileIndex of the served generation, following a swap by another process."""
        gen = writing.require_gen(self._layout)
        if gen != self._gen or self._ix is None:
            self._close_searcher()
            self._readers.close()
            self._facets.clear()
            self._store.clear()
            self._vocab = None
            # No mmap for the serving searcher: mapped index pages counted in the worker's RSS,
            # and each reopen mapped the big segment again before the old map was collected.
            self._ix = FileStorage(str(gen), supports_mmap=False).open_index()
            self._gen = gen
        return self._ix

    def _get_searcher(self) -> Any:
        """The long-lived searcher, reopened (not refresh()-chained) when the index changed."""
        if self._closed:
            raise RuntimeError("index is closed")
        last_error: Exception | None = None
        for attempt in range(OPEN_RETRIES):
            try:
                ix = self._current_ix()
                if self._searcher is not None and self._searcher.up_to_date():
                    return self._searcher
                # refresh() shares readers between old and new searchers and leaks file
                # handles when chained; close and open instead.
                self._close_searcher()
                self._searcher, retired = self._readers.open_searcher(ix)
                for reader in retired:
                    reader.close()
                self._store.retain(
                    seg for sub, _o in self._searcher.leaf_searchers()
                    if (seg := segment_id(sub.reader())) is not None
                )
                self._meta_docnum = self._searcher.document_number(id=META_ID)
                meta = (
                    self._searcher.stored_fields(self._meta_docnum)
                    if self._meta_docnum is not None else {}
                )
                last = int(meta.get("last_change_id", 0))
                stored = str(meta.get("concepts", ""))
                self._concepts_on = bool(self._concepts) and stored == self._concepts.fingerprint
                assert self._gen is not None
                count = int(self._searcher.doc_count()) - (self._meta_docnum is not None)
                self._snapshot = _Snapshot(
                    self._gen, self._searcher.reader().generation(), last, count
                )
                return self._searcher
            except (OSError, EOFError, ValueError) as exc:
                # A writer in another process merged segments between our TOC read and open.
                last_error = exc
                self._close_searcher()
                self._ix = None
                time.sleep(0.01 * (attempt + 1))
        assert last_error is not None
        raise last_error

    def _arrays(self, searcher: Any) -> SearcherArrays:
        return self._facets.arrays(searcher)

    def _engine(self, s: Any, arrays: SearcherArrays, kind: type[Engine] = Engine) -> Engine:
        leaves = [(sub.reader(), offset) for sub, offset in s.leaf_searchers()]
        return kind(
            s,
            leaves,
            lambda field: arrays.norms(s, field),
            arrays.term_filters(),
            self._phrase_term if self._concepts_on else None,
            self._store,
            arrays.vectors,
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

        Never waits for a search: while the index is unchanged since the searcher opened, the
        figure it read then is returned (a readlink and a directory listing); after a commit it
        reopens the searcher, or, when a search holds it, reads the meta document through a
        private reader.
        """
        return self._fresh_snapshot().last_change_id

    def _fresh_snapshot(self) -> _Snapshot:
        snap = self._snapshot
        if snap is not None and self._unchanged(snap):
            return snap
        if self._lock.acquire(blocking=False):
            try:
                self._get_searcher()
                assert self._snapshot is not None
                return self._snapshot
            finally:
                self._lock.release()
        return self._private_snapshot()

    def _unchanged(self, snap: _Snapshot) -> bool:
        return (
            not self._closed
            and self._layout.current() == snap.gen
            and _latest_toc(snap.gen) == snap.toc
        )

    def _private_snapshot(self) -> _Snapshot:
        """The meta document read through a reader of our own, while a search holds the lock."""
        from whoosh import index as windex

        last_error: Exception | None = None
        for attempt in range(OPEN_RETRIES):
            try:
                gen = writing.require_gen(self._layout)
                with windex.open_dir(str(gen)).searcher() as s:
                    last, _fp = writing.stored_meta(s)
                    count = int(s.doc_count()) - (s.document_number(id=META_ID) is not None)
                    return _Snapshot(gen, s.reader().generation(), last, count)
            except (OSError, EOFError, ValueError) as exc:
                last_error = exc
                time.sleep(0.01 * (attempt + 1))
        assert last_error is not None
        raise last_error

    def apply(self, changes: Sequence[Change], *, timeout: float = 2.0) -> int:
        """Apply changes newer than last_change_id in one commit; IndexBusy if the lock waits."""
        return writing.apply(
            self._layout,
            changes,
            timeout=timeout,
            lock=self._lock,
            reuse=self._reuse_readers,
            concepts=self._concepts,
        )

    def _reuse_readers(self, gen: Path, ix: Any, writer: Any) -> list[Any]:
        """The writer's searcher from the served generation's cached readers (lock held)."""
        if gen != self._gen:
            return []
        return self._readers.writer_searcher(ix, writer)

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

    def verify(self, expected: Mapping[int, int]) -> VerifyReport:
        """Compare doc id -> version with the index: missing, stale and extra documents."""
        with self._lock:
            s = self._get_searcher()
            indexed: dict[int, int] = {}
            for stored in s.all_stored_fields():
                key = stored.get("id")
                if key is None or key == META_ID:
                    continue
                indexed[int(key)] = int(stored.get("version", 0))
        missing = tuple(sorted(k for k in expected if k not in indexed))
        extra = tuple(sorted(k for k in indexed if k not in expected))
        stale = tuple(
            sorted(k for k, v in expected.items() if k in indexed and indexed[k] != v)
        )
        return VerifyReport(missing=missing, stale=stale, extra=extra)

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

    def doc_count(self) -> int:
        """Number of indexed practices (like last_change_id, never waits for a search)."""
        return self._fresh_snapshot().doc_count

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
            s = self._get_searcher()
            arrays = self._arrays(s)
            parsed = qmod.parse(query.text or "", self._synonyms, arrays.resolve)
            eng = self._engine(s, arrays, ranking.WeightedEngine)
            selected = {
                f: frozenset().union(*(arrays.docs_with(f, v) for v in vals))
                for f, vals in filters.items()
            }
            scored = sort == "relevance" and not parsed.is_browse
            meta = self._meta_docnum
            concepts = self._concepts if self._concepts_on else None
            # A sentence or question matches any of its concepts and ranks by coverage.
            natural = ranking.is_natural(parsed)
            matched = scoring.evaluate(
                s, eng, arrays, parsed, relaxed=natural, meta=meta, concepts=concepts
            )
            docs = scoring.filtered(matched, selected)
            relaxed = False
            covered: list[set[int]] = []
            if natural:
                found = [
                    scoring.clause_docs(s, eng, arrays, c, concepts) for c in parsed.positives
                ]
                covered = [c for c in found if c is not None]
                relaxed = not ranking.covers_all(covered, docs)
            elif not docs and qmod.can_relax(parsed):
                matched = scoring.evaluate(
                    s, eng, arrays, parsed, relaxed=True, meta=meta, concepts=concepts
                )
                docs = scoring.filtered(matched, selected)
                relaxed = bool(docs)
            total = len(docs)
            top = page * per_page
            if scored and docs:
                # Exact BM25 over the matched documents, computed only for the query's terms.
                for clause in parsed.clauses:
                    if not clause.negated:
                        scoring.score_clause(s, eng, clause)
                if natural:
                    ranking.coordinate(eng, covered, docs)
                ranked = eng.top(sorted(docs), top)
            else:
                ranked = scoring.order(arrays, sorted(docs), sort, lang, top)
            shown = [(sc, s.stored_fields(d)) for d, sc in ranked[(page - 1) * per_page :]]
            facets = facet_counts(arrays, sorted(matched), selected, filters)
            suggestion = did_you_mean(s, self._vocabulary, parsed, query.text or "", total)
        # Outside the lock: the caller's database read and the highlighting need no searcher.
        bodies: Mapping[int, str] = {}
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

    def _vocabulary(self) -> Vocabulary:
        """The served generation's word list, loaded on the first "did you mean" only."""
        if self._vocab is None:
            assert self._gen is not None
            self._vocab = Vocabulary(self._gen)
        return self._vocab

    # -- suggestions and related ---------------------------------------------------------------

    def suggest(self, prefix: str, *, lang: str = "en", limit: int = 8) -> list[Suggestion]:
        """As-you-type proposals: matching cities first, then practice titles (title prefixes)."""
        lang = lang if lang in LANGS else "en"
        typed = [fold(w) for w in words(prefix[: qmod.MAX_CHARS])][:8]
        if not typed or limit <= 0:
            return []
        out: list[Suggestion] = []
        with self._lock:
            s = self._get_searcher()
            arrays = self._arrays(s)
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
            s = self._get_searcher()
            docnum = s.document_number(id=str(doc_id))
            if docnum is None or limit <= 0:
                return []
            stored = s.stored_fields(docnum)
            arrays = self._arrays(s)
            eng = self._engine(s, arrays)
            for lang in LANGS:
                text = f"{stored.get(f'title_{lang}', '')}\n{stored.get(f'summary_{lang}', '')}"
                if not text.strip():
                    continue
                # Titles and summaries only: their postings are short, where scoring the
                # same terms over every body cost ~100 ms at 10k for little change in order.
                for term, weight in s.key_terms_from_text(head_field(lang), text, numterms=8):
                    eng.score(head_field(lang), term, float(weight))
            for theme in arrays.values["theme"][docnum]:
                eng.score(facet_field("theme"), theme)
            acc = eng.acc
            if acc is None:
                return []
            skip = {docnum, self._meta_docnum}
            best = heapq.nlargest(
                limit + 2, (d for d, sc in enumerate(acc) if sc > 0.0), key=acc.__getitem__
            )
            ids = [int(s.stored_fields(d)["id"]) for d in best if d not in skip]
            return ids[:limit]
