"""Postings and phrase results kept in memory per segment, shared by every searcher.

Reading a term's postings from Whoosh (unpickle, decompress, delta-decode, one seek per block)
was most of a search's time at 10k documents. Segments never change apart from deletions, so
their postings are kept here, raw (deleted documents included), keyed by segment id: a searcher
reopened after a publish finds the big segment's postings already here, and only the small new
segment is read. Deleted documents are removed when the postings are handed out (a sorted list
minus a few docnums: bisect, not a scan).

The store is bounded: at most MAX_POSTINGS postings (ids and weights in arrays of 4 + 4 bytes,
so about 16 MB for the default 2,000,000) and MAX_PHRASE_DOCS docnums of phrase results
(~8 MB); the least recently used terms go first, and a segment's entries go with the segment
when a merge or a rebuild retires it.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from whoosh.matching.wrappers import FilterMatcher

MAX_POSTINGS = 2_000_000
MAX_PHRASE_DOCS = 1_000_000

Raw = tuple["array[int]", "array[float]"]
_EMPTY: Raw = (array("i"), array("f"))


def read_raw(reader: Any, field: str, term: str) -> Raw:
    """Every docnum (segment-local, deleted ones included) and weight of one term."""
    try:
        m = reader.postings(field, term)
    except Exception:  # TermNotFound, or a field this (older) segment does not have
        return _EMPTY
    if isinstance(m, FilterMatcher):
        m = m.child  # the deleted documents are removed by the caller
    ids = array("i")
    weights = array("f")
    if hasattr(m, "_read_ids") and hasattr(m, "_next_block"):
        # W3LeafMatcher: take whole decoded blocks instead of one id() call per posting.
        while m.is_active():
            m._read_ids()  # noqa: SLF001
            m._read_weights()  # noqa: SLF001
            ids.extend(m._ids)  # noqa: SLF001
            weights.extend(m._weights)  # noqa: SLF001
            m._next_block()  # noqa: SLF001
    else:  # inlined single postings (ListMatcher) or another codec
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
    return ids, weights


def segment_id(reader: Any) -> str | None:
    """The segment a leaf reader reads, or None for readers that are not one segment."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    return None if segment is None else str(segment.segment_id())


class PostingsStore:
    """Bounded LRU of raw postings and phrase results per (segment, field, term)."""

    def __init__(
        self, max_postings: int = MAX_POSTINGS, max_phrase_docs: int = MAX_PHRASE_DOCS
    ) -> None:
        self.max_postings = max_postings
        self.max_phrase_docs = max_phrase_docs
        self._postings: OrderedDict[tuple[str, str, str], Raw] = OrderedDict()
        self._phrases: OrderedDict[tuple[Any, ...], frozenset[int]] = OrderedDict()
        self._deleted: dict[tuple[str, int], frozenset[int]] = {}
        self._size = 0
        self._phrase_size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @property
    def size(self) -> int:
        """Postings held now (each one docnum and one weight)."""
        return self._size

    def deleted(self, reader: Any) -> frozenset[int]:
        """The deleted docnums of a leaf reader (one set per segment and deletion count)."""
        if not reader.has_deletions():
            return frozenset()
        seg = reader.segment()
        key = (str(seg.segment_id()), seg.deleted_count())
        found = self._deleted.get(key)
        if found is None:
            found = self._deleted[key] = frozenset(seg.deleted_docs())
        return found

    def postings(self, reader: Any, field: str, term: str) -> tuple[list[int], list[float]]:
        """Live segment-local docnums and weights of a term, read once per segment."""
        seg = segment_id(reader)
        if seg is None:
            ids, weights = read_raw(reader, field, term)
        else:
            key = (seg, field, term)
            with self._lock:
                found = self._postings.get(key)
                if found is not None:
                    self._postings.move_to_end(key)
                    self.hits += 1
            if found is None:
                found = read_raw(reader, field, term)
                self._put(key, found)
            ids, weights = found
        deleted = self.deleted(reader)
        return _without(ids, weights, deleted)

    def _put(self, key: tuple[str, str, str], value: Raw) -> None:
        n = len(value[0])
        if n > self.max_postings:
            return
        with self._lock:
            self.misses += 1
            if key in self._postings:
                return
            self._postings[key] = value
            self._size += n
            while self._size > self.max_postings:
                _k, old = self._postings.popitem(last=False)
                self._size -= len(old[0])

    def phrase(
        self, reader: Any, key: tuple[Any, ...], compute: Callable[[], Iterable[int]]
    ) -> frozenset[int]:
        """Live segment-local docnums of a phrase check, computed once per segment."""
        seg = segment_id(reader)
        if seg is None:
            return frozenset(compute())
        full = (seg, *key)
        with self._lock:
            found = self._phrases.get(full)
            if found is not None:
                self._phrases.move_to_end(full)
        if found is None:
            found = frozenset(compute())
            with self._lock:
                if full not in self._phrases and len(found) <= self.max_phrase_docs:
                    self._phrases[full] = found
                    self._phrase_size += len(found) + 1
                    while self._phrase_size > self.max_phrase_docs:
                        _k, old = self._phrases.popitem(last=False)
                        self._phrase_size -= len(old) + 1
        deleted = self.deleted(reader)
        return found - deleted if deleted else found

    def retain(self, segments: Iterable[str]) -> None:
        """Drop the entries of segments no longer served (merged away, or a new generation)."""
        live = set(segments)
        with self._lock:
            for key in [k for k in self._postings if k[0] not in live]:
                self._size -= len(self._postings.pop(key)[0])
            for pkey in [k for k in self._phrases if k[0] not in live]:
                self._phrase_size -= len(self._phrases.pop(pkey)) + 1
            self._deleted = {k: v for k, v in self._deleted.items() if k[0] in live}

    def clear(self) -> None:
        """Forget everything."""
        self.retain(())


def _without(
    ids: array[int], weights: array[float], deleted: frozenset[int]
) -> tuple[list[int], list[float]]:
    """The postings minus deleted docnums, as lists (ids are sorted: bisect each deletion)."""
    if not deleted or not ids:
        return ids.tolist(), weights.tolist()
    drop = []
    for d in deleted:
        i = bisect_left(ids, d)
        if i < len(ids) and ids[i] == d:
            drop.append(i)
    if not drop:
        return ids.tolist(), weights.tolist()
    skip = set(drop)
    keep = [i for i in range(len(ids)) if i not in skip]
    return [ids[i] for i in keep], [weights[i] for i in keep]
