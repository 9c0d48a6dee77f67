"""Facet counting from cached docnum -> values arrays, built once per segment, not per search."""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from itertools import chain, repeat
from typing import Any

from .analysis import fold, words
from .engine import K1, B, ScoreVectors
from .model import FACETS, LANGS, FacetCount
from .schema import facet_field, sort_field

Values = tuple[str, ...]
Counter_ = Callable[[str], Counter[str]]
_EMPTY: Values = ()
# Facet counting by masks (see SearcherArrays.counter): at most this many bytes of masks per
# searcher (one byte per document and facet value); facets beyond it are counted doc by doc.
MASK_BUDGET = 48 * 1024 * 1024
MASK_MIN_SHARE = 16  # masks for doc sets of 1/16 of the documents or more; smaller: one by one
# Segments this small (the ones apply() leaves) keep their whole term list in memory, so a
# search skips them with a set lookup instead of a term-dictionary probe per query term.
SMALL_TERMS_DOCS = 200


class _Segment:
    """Per-segment arrays; segments are immutable apart from deletions, which matchers skip."""

    def __init__(self, reader: Any) -> None:
        self.size: int = reader.doc_count_all()
        self.values: dict[str, list[Values]] = {}
        # groupedby would rebuild these lists from every posting on every search
        # (whoosh-community#452); here it happens once per segment.
        for facet in FACETS:
            arr: list[Values] = [_EMPTY] * self.size
            name = facet_field(facet)
            for value in reader.field_terms(name):
                for docnum in reader.postings(name, value).all_ids():
                    arr[docnum] = arr[docnum] + (value,)
            self.values[facet] = arr
        self.published: list[float] | None = None
        self.keys: list[int] | None = None
        self.titles: dict[str, list[bytes]] = {}
        self.lengths: dict[str, list[int]] = {}
        self.title_index: tuple[list[str], list[array[int]], array[int]] | None = None
        self.term_keys: frozenset[tuple[str, str]] | None = None

    def terms_of(self, reader: Any) -> frozenset[tuple[str, str]] | None:
        """(field, term) pairs of a small segment; None for a big one (probe it instead)."""
        if self.size > SMALL_TERMS_DOCS:
            return None
        if self.term_keys is None:
            self.term_keys = frozenset(
                (f, t.decode("utf-8") if isinstance(t, bytes) else t)
                for f, t in reader.all_terms()
            )
        return self.term_keys

    def title_words(self, reader: Any) -> tuple[list[str], list[array[int]], array[int]]:
        """Sorted folded title words, the docnums having each, and each doc's word count.

        Built once per segment from the folded-title columns (no n-gram postings), for
        as-you-type suggestions by prefix.
        """
        if self.title_index is None:
            by_word: dict[str, array[int]] = {}
            sizes = array("I", [0] * self.size)
            per_lang = [self.sort_titles(reader, lang) for lang in LANGS]
            for d in range(self.size):
                seen = set()
                for titles in per_lang:
                    seen.update(words(titles[d].decode("utf-8", "replace")))
                sizes[d] = len(seen)
                for w in seen:
                    found = by_word.get(w)
                    if found is None:
                        found = by_word[w] = array("I")
                    found.append(d)
            keys = sorted(by_word)
            self.title_index = (keys, [by_word[k] for k in keys], sizes)
        return self.title_index

    def field_lengths(self, reader: Any, field: str) -> list[int]:
        """Indexed length per docnum of one field (Whoosh's length byte, decoded)."""
        if field not in self.lengths:
            dfl = reader.doc_field_length
            self.lengths[field] = [dfl(d, field, 1) or 0 for d in range(self.size)]
        return self.lengths[field]

    def sort_published(self, reader: Any) -> list[float]:
        """Publication times, read from the column only when someone sorts by newest."""
        if self.published is None:
            column = reader.column_reader("published")
            self.published = [float(column[i]) for i in range(self.size)]
        return self.published

    def sort_keys(self, reader: Any) -> list[int]:
        """Document ids as numbers, the tie-break of every order (read once per segment)."""
        if self.keys is None:
            column = reader.column_reader("key")
            self.keys = [int(column[i]) for i in range(self.size)]
        return self.keys

    def sort_titles(self, reader: Any, lang: str) -> list[bytes]:
        """Folded titles, read from the column only when someone sorts by title."""
        if lang not in self.titles:
            column = reader.column_reader(sort_field(lang))
            self.titles[lang] = [bytes(column[i]) for i in range(self.size)]
        return self.titles[lang]


class SearcherArrays:
    """Global (whole-searcher) docnum -> values arrays, the concatenation of segment arrays."""

    def __init__(self, leaves: Sequence[tuple[Any, int, _Segment]]) -> None:
        self._leaves = leaves
        # Segment arrays outlive deletions (an edit deletes the old document in its segment);
        # a searcher's arrays blank the deleted ones, so that filters, counts, masks, known
        # values and suggestions built from them only ever see live documents.
        self.deleted = sorted(
            offset + d
            for reader, offset, _seg in leaves
            if reader.has_deletions()
            for d in reader.deleted_docs_set
        )
        self.values: dict[str, list[Values]] = {}
        for facet in FACETS:
            arr: list[Values] = []
            for _reader, _offset, seg in leaves:
                arr.extend(seg.values[facet])
            for d in self.deleted:
                arr[d] = _EMPTY
            self.values[facet] = arr
        self.size = sum(seg.size for _r, _o, seg in leaves)
        self.live_count = self.size - len(self.deleted)
        self._known: dict[str, dict[str, str]] = {}
        self._published: list[float] | None = None
        self._keys: list[int] | None = None
        self._titles: dict[str, list[bytes]] = {}
        self._norms: dict[str, list[float]] = {}
        self._with: dict[str, dict[str, frozenset[int]]] = {}
        self._live: list[int] | None = None
        self._masks: dict[str, dict[str, int] | None] = {}
        self._mask_bytes = 0
        # Synonym groups' score vectors, dropped with the searcher (engine.ScoreVectors).
        self.vectors = ScoreVectors()

    def term_filters(self) -> list[frozenset[tuple[str, str]] | None]:
        """Per leaf (searcher order): the small segment's terms, or None for a big segment."""
        return [seg.terms_of(reader) for reader, _o, seg in self._leaves]

    def norms(self, field: str) -> list[float]:
        """BM25 length norm K1*(1-B+B*len/avg) per global docnum, for one field.

        The average is over live documents (Whoosh's counts deleted ones too), so an index
        that grew by edits scores exactly as one rebuilt from the same documents.
        """
        found = self._norms.get(field)
        if found is None:
            lengths = [
                n for reader, _o, seg in self._leaves for n in seg.field_lengths(reader, field)
            ]
            total = sum(lengths) - sum(lengths[d] for d in self.deleted)
            avg = total / self.live_count if self.live_count and total else 1.0
            a, b = K1 * (1 - B), K1 * B / avg
            found = self._norms[field] = [a + b * n for n in lengths]
        return found

    def live_docs(self, searcher: Any, meta: int | None) -> list[int]:
        """Every live global docnum except the meta document (browsing)."""
        if self._live is None:
            self._live = [
                offset + d
                for sub, offset in searcher.leaf_searchers()
                for d in sub.reader().all_doc_ids()
                if offset + d != meta
            ]
        return self._live

    def docs_with(self, facet: str, value: str) -> frozenset[int]:
        """Live global docnums having one facet value, from one pass per facet and searcher."""
        return self._value_docs(facet).get(value, frozenset())

    def _value_docs(self, facet: str) -> dict[str, frozenset[int]]:
        """Value -> global docnums having it, from one pass per facet and searcher."""
        table = self._with.get(facet)
        if table is None:
            grouped = self._grouped(facet)
            table = self._with[facet] = {v: frozenset(ds) for v, ds in grouped.items()}
        return table

    def _grouped(self, facet: str) -> Mapping[str, Sequence[int] | frozenset[int]]:
        """Value -> docnums, from the kept table when a filter built it, else a fresh pass."""
        if facet in self._with:
            return self._with[facet]
        grouped: dict[str, list[int]] = {}
        for d, vals in enumerate(self.values[facet]):
            for v in vals:
                grouped.setdefault(v, []).append(d)
        return grouped

    def known(self, facet: str) -> dict[str, str]:
        """Folded value -> value as indexed, so "city:strasbourg" finds "Strasbourg"."""
        if facet not in self._known:
            table: dict[str, str] = {}
            for vals in self.values[facet]:
                for v in vals:
                    table.setdefault(fold(v), v)
            self._known[facet] = table
        return self._known[facet]

    def resolve(self, facet: str, value: str) -> str | None:
        """The indexed spelling of a value typed by the reader, or None when unknown."""
        return self.known(facet).get(fold(value).strip())

    def published(self) -> list[float]:
        """Publication time per global docnum."""
        if self._published is None:
            self._published = [
                t for reader, _o, seg in self._leaves for t in seg.sort_published(reader)
            ]
        return self._published

    def keys(self) -> list[int]:
        """Document id per global docnum: the tie-break that does not depend on docnums."""
        if self._keys is None:
            self._keys = [k for reader, _o, seg in self._leaves for k in seg.sort_keys(reader)]
        return self._keys

    def titles(self, lang: str) -> list[bytes]:
        """Folded title per global docnum in one language."""
        if lang not in self._titles:
            self._titles[lang] = [
                t for reader, _o, seg in self._leaves for t in seg.sort_titles(reader, lang)
            ]
        return self._titles[lang]

    def title_prefix_docs(self, typed: Sequence[str], limit: int) -> list[int]:
        """Live global docnums whose titles have a word starting with each typed word (of two
        letters or more), shortest titles first."""
        needles = [w for w in dict.fromkeys(typed) if len(w) >= 2]
        if not needles or limit <= 0:
            return []
        ranked: list[tuple[int, int, int]] = []
        for reader, offset, seg in self._leaves:
            words_, posts, sizes = seg.title_words(reader)
            sets: list[set[int]] = []
            for needle in needles:
                found: set[int] = set()
                i = bisect_left(words_, needle)
                while i < len(words_) and words_[i].startswith(needle):
                    found.update(posts[i])
                    i += 1
                sets.append(found)
            sets.sort(key=len)
            docs = sets[0].intersection(*sets[1:])
            if docs and reader.has_deletions():
                docs = {d for d in docs if not reader.is_deleted(d)}
            ids = seg.sort_keys(reader)
            ranked.extend((sizes[d], ids[d], d + offset) for d in docs)
        return [d for _n, _k, d in heapq.nsmallest(limit, ranked)]

    def counter(self, docs: Sequence[int]) -> Counter_:
        """A function counting each facet's values over `docs` (the doc set is read once).

        Each facet value has a mask, an int with byte d set to 1 when document d has the value
        (built once per searcher, within MASK_BUDGET); the matched docs become one such int, and
        a value's count is the popcount of the two ANDed: a few C-level passes over N bytes per
        value instead of a dict update per matched document and value.
        """
        size = len(self.values[FACETS[0]]) if FACETS else 0
        if len(docs) * MASK_MIN_SHARE < size:
            # Few documents (a narrow query, the search right after a publish): counting them one
            # by one is cheaper than a pass over every mask, and builds no masks on a new searcher.
            return lambda facet: self._count_each(facet, docs)
        marks = bytearray(size)
        deque(map(marks.__setitem__, docs, repeat(1)), maxlen=0)
        matched = int.from_bytes(marks, "little")

        def count(facet: str) -> Counter[str]:
            masks = self._value_masks(facet)
            if masks is None:
                return self._count_each(facet, docs)
            out: Counter[str] = Counter()
            for value, mask in masks.items():
                n = (mask & matched).bit_count()
                if n:
                    out[value] = n
            return out

        return count

    def _count_each(self, facet: str, docs: Sequence[int]) -> Counter[str]:
        """Count values over the docs one by one, in one C-level pass."""
        return Counter(chain.from_iterable(map(self.values[facet].__getitem__, docs)))

    def _value_masks(self, facet: str) -> dict[str, int] | None:
        """Value -> mask of the documents having it; None when over the searcher's budget."""
        if facet in self._masks:
            return self._masks[facet]
        size = len(self.values[facet])
        grouped = self._grouped(facet)  # not kept: the masks replace it for counting
        cost = size * len(grouped)
        masks: dict[str, int] | None = None
        if self._mask_bytes + cost <= MASK_BUDGET:
            masks = {}
            for value, ds in grouped.items():
                marks = bytearray(size)
                deque(map(marks.__setitem__, ds, repeat(1)), maxlen=0)
                masks[value] = int.from_bytes(marks, "little")
            self._mask_bytes += cost
        self._masks[facet] = masks
        return masks


class FacetCache:
    """Segment arrays survive searcher reopens, so a commit only pays for its new segment."""

    def __init__(self) -> None:
        self._segments: dict[str, _Segment] = {}
        # The searcher itself, not id(searcher): a closed searcher's id is reused by the next one.
        self._current: tuple[Any, SearcherArrays] | None = None

    def arrays(self, searcher: Any) -> SearcherArrays:
        """Arrays for this searcher, built from cached segments plus any new ones."""
        if self._current is not None and self._current[0] is searcher:
            return self._current[1]
        leaves: list[tuple[Any, int, _Segment]] = []
        live: dict[str, _Segment] = {}
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            key = _segment_key(reader)
            seg = self._segments.get(key) or _Segment(reader)
            live[key] = seg
            leaves.append((reader, offset, seg))
        # Drop segments merged away so memory follows the index, not its history.
        self._segments = live
        arrays = SearcherArrays(leaves)
        self._current = (searcher, arrays)
        return arrays

    def clear(self) -> None:
        """Forget everything, e.g. after switching to a rebuilt generation."""
        self._segments = {}
        self._current = None


def _segment_key(reader: Any) -> str:
    """Identity of a segment; random per segment, so it never collides across generations."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return f"reader-{id(reader)}"
    return f"{segment.segment_id()}-{reader.doc_count_all()}"


def facet_counts(
    arrays: SearcherArrays,
    matched: Sequence[int],
    selected: Mapping[str, frozenset[int]],
    filters: Mapping[str, tuple[str, ...]],
) -> dict[str, tuple[FacetCount, ...]]:
    """Counts per facet: each ignores its own selection but applies the other facets'."""
    full = arrays.counter(_passing(matched, selected, skip=None))
    out: dict[str, tuple[FacetCount, ...]] = {}
    for facet in FACETS:
        if facet in selected:
            counts = arrays.counter(_passing(matched, selected, skip=facet))(facet)
        else:
            counts = full(facet)
        chosen = set(filters.get(facet, ()))
        for value in chosen:
            counts.setdefault(value, 0)
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out[facet] = tuple(FacetCount(v, n, v in chosen) for v, n in ordered)
    return out


def _passing(
    matched: Sequence[int], selected: Mapping[str, frozenset[int]], skip: str | None
) -> Sequence[int]:
    """Matched docs that satisfy every selected facet except `skip` (AND across facets)."""
    sets = [s for f, s in selected.items() if f != skip]
    if not sets:
        return matched
    sets.sort(key=len)
    first, rest = sets[0], sets[1:]
    return [d for d in matched if d in first and all(d in s for s in rest)]

