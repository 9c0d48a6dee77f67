"""The Index: open/create, apply changes, rebuild-and-swap, verify, search, suggest, related."""

from __future__ import annotations

import gc
import heapq
import os
import re
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from . import query as qmod
from .analysis import SynonymTable, analyze, fold, words
from .engine import Engine
from .facets import FacetCache, SearcherArrays, facet_counts
from .highlight import highlight, snippet
from .model import (
    FACETS,
    LANGS,
    SORTS,
    Change,
    Document,
    Hit,
    IndexBusy,
    Query,
    Results,
    Suggestion,
    SynonymGroup,
    VerifyReport,
)
from .schema import (
    META_ID,
    SCHEMA_VERSION,
    build_schema,
    facet_field,
    head_field,
    sort_field,
    text_field,
)
from .storage import Layout
from .vocab import Vocabulary, VocabularyBuilder, append_words

BodyText = Callable[[Sequence[int]], Mapping[int, str]]

MAX_PER_PAGE = 100
LIMIT_MB = 128  # per bulk-writer process: enough for one pass at 10k, bounded at 100k
SWAP_LOCK_WAIT = 10.0  # seconds a rebuild waits for an in-flight apply before swapping anyway
OPEN_RETRIES = 5  # another process may delete merged segment files while we open the TOC
FEW_RESULTS = 3  # below this many hits a "did you mean" is worth its cost
# apply() never merges (a merge in the publishing request is what made publish -> searchable
# spike); merge_segments() folds the small segments together off the request path once more
# than MAX_SMALL_SEGMENTS have piled up, never touching the big ones.
SMALL_SEGMENT_DOCS = 200
MAX_SMALL_SEGMENTS = 8
# Backstop only: if no caller ever runs merge_segments(), apply() folds the small segments once
# this many have piled up (about 1 s, once per this many publishes) rather than let every
# search and reopen slow down without bound.
APPLY_MERGE_BACKSTOP = 64


def _small_merge_policy(threshold: int) -> Callable[[Any, list[Any]], list[Any]]:
    """Whoosh merge policy: fold small segments together when more than `threshold` exist."""

    def policy(writer: Any, segments: list[Any]) -> list[Any]:
        from whoosh.reading import SegmentReader

        small = [seg for seg in segments if seg.doc_count_all() <= SMALL_SEGMENT_DOCS]
        if len(small) <= max(1, threshold):
            return segments
        for seg in small:
            reader = SegmentReader(writer.storage, writer.schema, seg)
            writer.add_reader(reader)
            reader.close()
        return [seg for seg in segments if seg not in small]

    return policy


# Weight of a synonym (or of the tag it stands for) relative to the word the reader typed.
EXPANSION_BOOST = 0.15


def _facet_value(value: str) -> str:
    # Commas separate keyword values in the facet fields.
    return value.replace(",", " ").strip()


def _document_fields(doc: Document) -> dict[str, Any]:
    """Whoosh fields for one document; the body is indexed but never stored."""
    body_lang = doc.language if doc.language in LANGS else "en"
    titles = {"fr": doc.title_fr, "en": doc.title_en}
    summaries = {"fr": doc.summary_fr, "en": doc.summary_en}
    cities = " ".join(doc.cities)
    out: dict[str, Any] = {
        "id": str(doc.id),
        "version": doc.version,
        "slug": doc.slug,
        "lang": body_lang,
        "title_fr": doc.title_fr,
        "title_en": doc.title_en,
        "summary_fr": doc.summary_fr,
        "summary_en": doc.summary_en,
        "cities": list(doc.cities),
        "published": float(doc.published),
    }
    for lang in LANGS:
        out[head_field(lang)] = f"{titles[lang]}\n{summaries[lang]}"
        body = doc.body if lang == body_lang else doc.body_translation
        # Title and summary are repeated here so a phrase needs one field per language.
        text = f"{titles[lang]}\n{summaries[lang]}\n{body}\n{cities}\n{doc.extra_text}"
        out[text_field(lang)] = text
        title = titles[lang] or titles["en" if lang == "fr" else "fr"]
        out[sort_field(lang)] = fold(title).strip().encode("utf-8")
    facet_values: dict[str, Sequence[str]] = {
        "theme": doc.themes,
        "country": (doc.country.upper(),) if doc.country else (),
        "city": doc.cities,
        "approach": doc.approaches,
        "target": doc.targets,
        "language": (body_lang,),
        "year": (str(doc.year),) if doc.year is not None else (),
        "evidence": (doc.evidence,) if doc.evidence else (),
    }
    for facet in FACETS:
        values = [_facet_value(v) for v in facet_values[facet]]
        out[facet_field(facet)] = ",".join(v for v in values if v)
    return out


def _vocab_texts(doc: Document) -> tuple[str, ...]:
    """The texts whose words "did you mean" may propose."""
    return (
        doc.title_fr, doc.title_en, doc.summary_fr, doc.summary_en, doc.body,
        doc.body_translation, " ".join(doc.cities), doc.extra_text,
    )


def _meta_fields(last_change_id: int) -> dict[str, Any]:
    return {"id": META_ID, "last_change_id": last_change_id, "schema_version": SCHEMA_VERSION}


def _check_readable(gen: Path) -> bool:
    """Open the generation and touch its TOC, segments and lexicon; False if it looks wrong."""
    ix = windex.open_dir(str(gen))
    expected = set(build_schema().names())
    with ix.searcher() as s:
        s.doc_count()
        meta = s.document(id=META_ID) or {}
        for _term in s.reader().field_terms("id"):
            pass
        return (
            set(ix.schema.names()) == expected
            and meta.get("schema_version") == SCHEMA_VERSION
        )


def _readable(gen: Path) -> bool | None:
    """_check_readable, with None for "corrupt" instead of an exception."""
    # Whoosh leaves the file it failed to parse open; its ResourceWarning is expected here and
    # would otherwise surface later at an arbitrary place, so collect it inside this block.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return _check_readable(gen)
        except Exception:
            return None
        finally:
            gc.collect()


class Index:
    """A Whoosh index folder shared by the processes of one node, kept in sync by change id."""

    def __init__(self, layout: Layout, synonyms: Sequence[SynonymGroup], needs_rebuild: bool):
        self._layout = layout
        self._synonyms = SynonymTable(synonyms)
        self.needs_rebuild = needs_rebuild
        # One lock for the searcher and everything read through it: Whoosh searchers are not
        # thread-safe, and as pure Python they would not run in parallel under the GIL anyway.
        self._lock = threading.RLock()
        self._gen: Path | None = None
        self._ix: Any = None
        self._searcher: Any = None
        self._meta_docnum: int | None = None
        self._facets = FacetCache()
        self._vocab: Vocabulary | None = None
        # Open segment readers by (segment id, deletions): a reopen after a commit opens only
        # the new segment (and the one that got deletions), not all of them again — opening a
        # segment reader costs ~2 ms, which 30 small segments turned into 60 ms per publish.
        self._readers: dict[tuple[str, int], Any] = {}
        self._closed = False

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: str | os.PathLike[str], *, synonyms: Sequence[SynonymGroup] = ()
    ) -> Index:
        """Open the index folder, creating or replacing it (needs_rebuild) when missing or bad."""
        layout = Layout(Path(path))
        needs_rebuild = False
        with layout.lock():
            gen = layout.current()
            if gen is not None and gen.is_dir():
                readable = _readable(gen)
                if readable is None:
                    # Whatever the failure (truncated TOC, missing segment, unpickling error),
                    # the database can rebuild it: move it aside and start empty.
                    layout.move_aside(gen)
                    gen = None
                elif not readable:
                    needs_rebuild = True  # an older schema: readable, but rebuild it
            elif (layout.root / "current").exists() or gen is not None:
                gen = None  # dangling link or foreign layout
            if gen is None:
                new = layout.new_generation()
                wq_ix = windex.create_in(str(new), build_schema())
                writer = wq_ix.writer()
                writer.add_document(**_meta_fields(0))
                writer.commit()
                layout.finish(new)
                layout.swap(new)
                needs_rebuild = True
            layout.cleanup()
        return cls(layout, synonyms, needs_rebuild)

    def close(self) -> None:
        """Release the searcher and its files."""
        with self._lock:
            self._close_searcher()
            self._close_readers()
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

    def _close_readers(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers = {}

    def _segment_readers(
        self, ix: Any, segments: Sequence[Any], generation: int, *, keep: bool
    ) -> tuple[Any, list[Any]]:
        """A reader over `segments` reusing cached segment readers; returns it and the readers
        opened here that the cache does not own (keep=False), for the caller to close."""
        from whoosh.reading import EmptyReader, MultiReader, SegmentReader

        if not segments:
            return EmptyReader(ix.schema), []
        readers: list[Any] = []
        used: dict[tuple[str, int], Any] = {}
        opened: list[Any] = []
        for seg in segments:
            key = (seg.segment_id(), seg.deleted_count())
            reader = self._readers.get(key)
            if reader is None:
                reader = SegmentReader(ix.storage, ix.schema, seg, generation=generation)
                opened.append(reader)
            used[key] = reader
            readers.append(reader)
        if keep:
            for key, reader in self._readers.items():
                if key not in used:
                    reader.close()
            self._readers = used
            opened = []
        if len(readers) == 1 and keep:
            readers[0]._gen = generation  # noqa: SLF001 - up_to_date() compares it to the TOC
            return readers[0], opened
        return MultiReader(readers, generation=generation), opened

    def _open_searcher(self, ix: Any) -> Any:
        from whoosh.searching import Searcher

        toc = ix._read_toc()  # noqa: SLF001
        reader, _opened = self._segment_readers(ix, toc.segments, toc.generation, keep=True)
        return Searcher(reader, fromindex=ix, closereader=False)

    def _current_ix(self) -> Any:
        """The FileIndex of the served generation, following a swap by another process."""
        gen = self._layout.current()
        if gen is None:
            raise FileNotFoundError(f"no index generation under {self._layout.root}")
        if gen != self._gen or self._ix is None:
            self._close_searcher()
            self._close_readers()
            self._facets.clear()
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
                self._searcher = self._open_searcher(ix)
                self._meta_docnum = self._searcher.document_number(id=META_ID)
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

    # -- change log ----------------------------------------------------------------------------

    def last_change_id(self) -> int:
        """Id of the last change-log row this index applied (stored in the index itself)."""
        with self._lock:
            s = self._get_searcher()
            return self._stored_last_id(s)

    @staticmethod
    def _stored_last_id(searcher: Any) -> int:
        meta = searcher.document(id=META_ID)
        return int(meta.get("last_change_id", 0)) if meta else 0

    def apply(self, changes: Sequence[Change], *, timeout: float = 2.0) -> int:
        """Apply changes newer than last_change_id in one commit; IndexBusy if the lock waits."""
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            gen = self._layout.current()
            if gen is None:
                raise FileNotFoundError(f"no index generation under {self._layout.root}")
            ix = windex.open_dir(str(gen))
            try:
                writer = ix.writer(timeout=max(0.0, deadline - time.monotonic()), delay=0.02)
            except LockError as exc:
                raise IndexBusy(f"index writer lock busy for {timeout:.1f}s") from exc
            committed = False
            opened: list[Any] = []
            try:
                if self._layout.current() != gen:
                    continue  # a rebuild swapped generations while we waited: write there
                with self._lock:
                    if gen == self._gen:
                        # The writer's searcher (last id, delete_by_term) from cached readers.
                        opened = self._writer_searcher(ix, writer)
                    with writer.searcher() as s:
                        last = self._stored_last_id(s)
                pending = sorted((c for c in changes if c.id > last), key=lambda c: c.id)
                if not pending:
                    return last
                # Several changes to one document in a batch: only the last state matters, and
                # updating twice in one writer would leave a duplicate.
                latest: dict[int, Change] = {}
                for change in pending:
                    latest[change.doc_id] = change
                added: list[str] = []
                with self._lock:
                    for doc_id, change in latest.items():
                        writer.delete_by_term("id", str(doc_id))
                        if change.document is not None:
                            writer.add_document(**_document_fields(change.document))
                            added.extend(_vocab_texts(change.document))
                append_words(gen, added)
                new_last = pending[-1].id
                writer.update_document(**_meta_fields(new_last))
                # No merge here (NO_MERGE below the backstop): a one-document segment is cheap
                # to write and to search, and merge_segments() folds them off the request path.
                writer.commit(mergetype=_small_merge_policy(APPLY_MERGE_BACKSTOP))
                committed = True
                return new_last
            finally:
                if not committed:
                    writer.cancel()
                for reader in opened:
                    reader.close()

    def _writer_searcher(self, ix: Any, writer: Any) -> list[Any]:
        """Give the writer a searcher over its segments built from cached readers (caller holds
        self._lock); returns the readers opened for it, to close after the commit."""
        from whoosh.searching import Searcher

        if not hasattr(writer, "_searcher") or writer._searcher is not None:  # noqa: SLF001
            return []
        reader, opened = self._segment_readers(
            ix, writer.segments, writer.generation, keep=False
        )
        searcher = Searcher(reader, fromindex=ix, closereader=False)
        # What SegmentWriter.searcher() does with the searcher it caches: close() is a no-op
        # until the writer finishes, which calls _orig_close.
        searcher._orig_close = searcher.close  # noqa: SLF001
        searcher.close = lambda: None
        writer._searcher = searcher  # noqa: SLF001
        return opened

    # -- rebuild, verify, optimize -------------------------------------------------------------

    def rebuild(
        self, documents: Iterable[Document], *, last_change_id: int, procs: int = 2
    ) -> int:
        """Build a new generation with the bulk writer and swap it in; returns the doc count."""
        gen = self._layout.new_generation()
        ix = windex.create_in(str(gen), build_schema())
        if procs > 1:
            writer = ix.writer(procs=procs, limitmb=LIMIT_MB, multisegment=True)
        else:
            writer = ix.writer(limitmb=LIMIT_MB)
        count = 0
        vocab = VocabularyBuilder()
        try:
            for doc in documents:
                writer.add_document(**_document_fields(doc))
                vocab.add(_vocab_texts(doc))
                count += 1
            writer.add_document(**_meta_fields(last_change_id))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        vocab.write(gen)
        self._swap_in(gen)
        with self._lock:
            self.needs_rebuild = False
        return count

    def _swap_in(self, gen: Path) -> None:
        """Swap under the old generation's writer lock, so no apply lands in a retired one."""
        old = self._layout.current()
        lock: Any = None
        if old is not None and old.is_dir():
            try:
                lock = windex.open_dir(str(old)).lock("WRITELOCK")
                deadline = time.monotonic() + SWAP_LOCK_WAIT
                while not lock.acquire(blocking=False):
                    if time.monotonic() > deadline:
                        lock = None  # swap anyway: appliers re-check `current` after locking
                        break
                    time.sleep(0.02)
            except Exception:
                lock = None  # the old generation is unreadable; nothing to protect
        try:
            with self._layout.lock():
                self._layout.finish(gen)
                self._layout.swap(gen)
                self._layout.cleanup()
        finally:
            if lock is not None:
                lock.release()

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
        ix = windex.open_dir(str(self._require_gen()))
        try:
            writer = ix.writer(timeout=timeout)
        except LockError as exc:
            raise IndexBusy("index writer lock busy") from exc
        writer.commit(optimize=True)

    def merge_segments(
        self, *, max_small: int = MAX_SMALL_SEGMENTS, timeout: float = 0.0
    ) -> bool:
        """Fold the small segments left by apply() into one once more than `max_small` exist.

        Bounded (only segments of at most SMALL_SEGMENT_DOCS documents are rewritten, never the
        big ones) and meant to run off the request path: after a sync, from a periodic job or
        from `kb index optimize`. Returns True if it merged; IndexBusy if the lock is taken.
        """
        ix = windex.open_dir(str(self._require_gen()))
        small = [s for s in ix._segments() if s.doc_count_all() <= SMALL_SEGMENT_DOCS]  # noqa: SLF001
        if len(small) <= max(1, max_small):
            return False
        try:
            writer = ix.writer(timeout=timeout, delay=0.02)
        except LockError as exc:
            raise IndexBusy("index writer lock busy") from exc
        try:
            writer.commit(mergetype=_small_merge_policy(max_small))
        except BaseException:
            writer.cancel()
            raise
        return True

    def segment_count(self) -> int:
        """Number of segments of the served generation (merge_segments() keeps it bounded)."""
        return len(windex.open_dir(str(self._require_gen()))._segments())  # noqa: SLF001

    def _require_gen(self) -> Path:
        gen = self._layout.current()
        if gen is None:
            raise FileNotFoundError(f"no index generation under {self._layout.root}")
        return gen

    def doc_count(self) -> int:
        """Number of indexed practices."""
        with self._lock:
            s = self._get_searcher()
            return int(s.doc_count()) - (1 if self._meta_docnum is not None else 0)

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
            eng = self._engine(s, arrays)
            selected = {
                f: frozenset().union(*(arrays.docs_with(f, v) for v in vals))
                for f, vals in filters.items()
            }
            scored = sort == "relevance" and not parsed.is_browse
            matched = self._evaluate(s, eng, arrays, parsed, relaxed=False)
            docs = self._filtered(matched, selected)
            relaxed = False
            if not docs and qmod.can_relax(parsed):
                matched = self._evaluate(s, eng, arrays, parsed, relaxed=True)
                docs = self._filtered(matched, selected)
                relaxed = bool(docs)
            total = len(docs)
            top = page * per_page
            if scored and docs:
                # Exact BM25 over the matched documents, computed only for the query's terms.
                for clause in parsed.clauses:
                    if not clause.negated:
                        self._score_clause(s, eng, clause)
                order = eng.top(sorted(docs), top)
            else:
                order = self._order(s, arrays, sorted(docs), None, sort, lang, top)
            shown = order[(page - 1) * per_page :]
            facets = facet_counts(arrays, sorted(matched), selected, filters)
            hits = self._hits(s, shown, parsed, lang, body_text)
            suggestion = self._did_you_mean(s, parsed, query.text or "", total)
        return Results(
            query=query,
            total=total,
            hits=hits,
            facets=facets,
            suggestion=suggestion,
            relaxed=relaxed,
            error=parsed.error,
        )

    def _engine(self, s: Any, arrays: SearcherArrays) -> Engine:
        leaves = [(sub.reader(), offset) for sub, offset in s.leaf_searchers()]
        return Engine(s, leaves, lambda field: arrays.norms(s, field), arrays.term_filters())

    @staticmethod
    def _filtered(matched: set[int], selected: Mapping[str, frozenset[int]]) -> set[int]:
        if not selected:
            return matched
        return matched.intersection(*sorted(selected.values(), key=len))

    def _evaluate(
        self, s: Any, eng: Engine, arrays: SearcherArrays, parsed: qmod.Parsed, *,
        relaxed: bool,
    ) -> set[int]:
        """Matching docnums as a set: AND (or relaxed OR) of clauses, minus exclusions."""
        positives: list[set[int]] = []
        for clause in parsed.positives:
            found = self._clause_docs(s, eng, arrays, clause)
            if found is not None:
                positives.append(found)
        if parsed.positives and not positives:
            return set()  # the reader searched for something, but none of it is indexable
        required = [
            self._clause_docs(s, eng, arrays, c)
            for c in parsed.clauses
            if c.kind == "facet" and not c.negated
        ]
        sets: list[Any] = [r for r in required if r is not None]
        if relaxed and len(positives) > 1:
            sets.append(set().union(*positives))
        else:
            sets.extend(positives)
        if sets:
            sets.sort(key=len)
            docs = set(sets[0]).intersection(*sets[1:])
        else:
            docs = set(arrays.live_docs(s, self._meta_docnum))
        for clause in parsed.clauses:
            if clause.negated and docs:
                excluded = self._clause_docs(s, eng, arrays, clause)
                if excluded:
                    docs -= excluded
        return docs

    @staticmethod
    def _word_terms(word: str) -> list[tuple[str, str]]:
        return [(lang, t) for lang in LANGS for t in analyze(lang, word)]

    def _clause_docs(
        self, s: Any, eng: Engine, arrays: SearcherArrays, clause: qmod.Clause
    ) -> set[int] | None:
        """Docnums matching one clause; None when nothing of it is indexable."""
        if clause.kind == "word":
            terms = self._word_terms(clause.words[0])
            # text_<lang> repeats title and summary, so head_<lang> adds no document.
            return eng.union((text_field(lang), t) for lang, t in terms) if terms else None
        if clause.kind == "phrase":
            return self._phrase_docs(s, eng, clause.words)
        if clause.kind == "prefix":
            pairs = qmod.prefix_terms(clause.words[0], s.reader())
            return eng.union(pairs) if pairs else None
        if clause.kind == "facet":
            return set(arrays.docs_with(clause.facet, clause.value))
        out: set[int] | None = None
        for seq in clause.group_terms:
            sub = (
                self._clause_docs(s, eng, arrays, qmod.Clause("word", seq))
                if len(seq) == 1
                else self._phrase_docs(s, eng, seq)
            )
            if sub is not None:
                out = sub if out is None else out | sub
        if clause.facet and clause.value:
            extra = arrays.docs_with(clause.facet, clause.value)
            out = set(extra) if out is None else out | extra
        return out

    def _phrase_docs(self, s: Any, eng: Engine, seq: Sequence[str]) -> set[int] | None:
        """Per language: candidates by set intersection, then positions of those only."""
        out: set[int] | None = None
        for lang in LANGS:
            terms = [t for w in seq for t in analyze(lang, w)]
            if not terms:
                continue
            if len(terms) == 1:
                found = eng.docs(text_field(lang), terms[0])
            else:
                # Stop words are not indexed: each dropped one widens the allowed gap.
                found = eng.phrase(text_field(lang), terms, slop=1 + len(seq) - len(terms))
            out = found if out is None else out | found
        return out

    def _score_clause(
        self, s: Any, eng: Engine, clause: qmod.Clause, boost: float = 1.0
    ) -> None:
        """BM25 of a clause's terms in the title/summary and text fields, both languages."""
        if clause.kind == "word":
            for lang, term in self._word_terms(clause.words[0]):
                eng.score(head_field(lang), term, boost)
                eng.score(text_field(lang), term, boost)
        elif clause.kind == "phrase":
            # As Whoosh scores a Phrase: the sum of its terms in the text field, for the
            # documents holding the phrase, on top of any word clause with the same terms.
            for lang in LANGS:
                terms = [t for w in clause.words for t in analyze(lang, w)]
                if len(terms) == 1:
                    eng.score(head_field(lang), terms[0], boost)
                    eng.score(text_field(lang), terms[0], boost)
                elif terms:
                    slop = 1 + len(clause.words) - len(terms)
                    field = text_field(lang)
                    docs = eng.phrase(field, terms, slop)
                    for i, term in enumerate(terms):
                        key = ("phrase", field, tuple(terms), slop, i)
                        eng.score(field, term, boost, only=docs, key=key)
        elif clause.kind == "prefix":
            for field, term in qmod.prefix_terms(clause.words[0], s.reader()):
                eng.score(field, term, boost)
        elif clause.kind == "facet":
            eng.score(facet_field(clause.facet), clause.value, boost)
        else:
            # What the reader typed counts fully; its synonyms and the tag they stand for count
            # less, so a practice that names the thing ranks above one that is only tagged with it.
            # The typed words go first: a term shared with a synonym is scored once, at full weight.
            typed = tuple(fold(w) for w in clause.words)
            seqs = sorted(clause.group_terms, key=lambda seq: tuple(fold(w) for w in seq) != typed)
            for seq in seqs:
                kind = "word" if len(seq) == 1 else "phrase"
                weight = 1.0 if tuple(fold(w) for w in seq) == typed else EXPANSION_BOOST
                self._score_clause(s, eng, qmod.Clause(kind, seq), boost * weight)
            if clause.facet and clause.value:
                eng.score(facet_field(clause.facet), clause.value, boost * EXPANSION_BOOST)

    @staticmethod
    def _order(
        s: Any,
        arrays: SearcherArrays,
        docs: list[int],
        scores: list[float] | None,
        sort: str,
        lang: str,
        top: int,
    ) -> list[tuple[int, float]]:
        """The first `top` (docnum, score) in the requested order, ties broken by docnum."""
        if sort == "title":
            titles = arrays.titles(lang)
            best = heapq.nsmallest(top, docs, key=lambda d: (titles[d], d))
            return [(d, 0.0) for d in best]
        if sort == "newest" or scores is None:
            published = arrays.published()
            best = heapq.nsmallest(top, docs, key=lambda d: (-published[d], d))
            return [(d, 0.0) for d in best]
        pairs = heapq.nsmallest(top, zip(scores, docs, strict=True), key=lambda p: (-p[0], p[1]))
        return [(d, sc) for sc, d in pairs]

    def _hits(
        self,
        s: Any,
        shown: list[tuple[int, float]],
        parsed: qmod.Parsed,
        lang: str,
        body_text: BodyText | None,
    ) -> tuple[Hit, ...]:
        """Stored fields and highlights for the shown page only."""
        terms, prefixes = qmod.highlight_terms(parsed)
        phrases = qmod.highlight_phrases(parsed)
        stored = [s.stored_fields(d) for d, _sc in shown]
        ids = [int(f["id"]) for f in stored]
        bodies: Mapping[int, str] = {}
        if body_text is not None and ids and (
            any(terms.values()) or prefixes or any(phrases.values())
        ):
            bodies = body_text(ids)
        other = "fr" if lang == "en" else "en"
        hits: list[Hit] = []
        for (_d, score), fields_ in zip(shown, stored, strict=True):
            doc_id = int(fields_["id"])
            title = fields_.get(f"title_{lang}") or fields_.get(f"title_{other}") or ""
            summary = fields_.get(f"summary_{lang}") or fields_.get(f"summary_{other}") or ""
            body_lang = fields_.get("lang", "en")
            body = bodies.get(doc_id, "")
            hits.append(
                Hit(
                    id=doc_id,
                    slug=fields_.get("slug", ""),
                    score=float(score),
                    title=highlight(title, lang, terms[lang], prefixes, phrases[lang]),
                    summary=highlight(summary, lang, terms[lang], prefixes, phrases[lang]),
                    snippet=snippet(
                        body, body_lang, terms[body_lang], prefixes, phrases=phrases[body_lang]
                    )
                    if body
                    else "",
                )
            )
        return tuple(hits)

    def _vocabulary(self) -> Vocabulary:
        """The served generation's word list, loaded on the first "did you mean" only."""
        if self._vocab is None:
            assert self._gen is not None
            self._vocab = Vocabulary(self._gen)
        return self._vocab

    def _did_you_mean(self, s: Any, parsed: qmod.Parsed, text: str, total: int) -> str | None:
        """A corrected query from the unstemmed vocabulary, only when a word is unknown."""
        if not parsed.spell_words or total >= FEW_RESULTS:
            return None
        vocab = self._vocabulary()
        unknown = [w for w in parsed.spell_words if self._unknown(s, vocab, w)]
        if not unknown:
            return None
        corrected = text
        changed = False
        for word in dict.fromkeys(unknown):
            if len(word) < 3 or word.isdigit():
                continue
            folded = fold(word)
            found = vocab.suggest(folded, maxdist=2, prefix=1)
            if not found:
                continue
            # The closest word reads better ("polarisaton" -> "polarisation", not the more
            # frequent "polarization"); among equally close ones, the most frequent.
            best = min(found, key=lambda cand: (_distance(folded, cand), -vocab.count(cand), cand))
            if best != folded:
                corrected = _replace_word(corrected, word, best)
                changed = True
        return " ".join(corrected.split()) if changed else None

    @staticmethod
    def _unknown(s: Any, vocab: Vocabulary, word: str) -> bool:
        """Neither the word nor its stem is indexed: an inflection of a known word is no typo."""
        if fold(word) in vocab:
            return False
        for lang in LANGS:
            for term in analyze(lang, word):
                if s.doc_frequency(text_field(lang), term) or s.doc_frequency(
                    head_field(lang), term
                ):
                    return False
        return True

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


def _replace_word(text: str, word: str, fixed: str) -> str:
    """Replace one word as typed (whole word, case-insensitive) in the reader's text."""
    pattern = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)
    return pattern.sub(fixed, text, count=1)



def _distance(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions, for ranking spelling candidates."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
