"""Set-based matching and BM25 scoring over Whoosh postings, at close to C speed.

Whoosh's matchers walk postings one Python call per document per sub-matcher, and verify phrases
span by span. Here a term's postings are read block by block into plain lists (ids and weights),
matching is done with Python sets (intersection, union, difference run in C), phrases check
positions of the candidate documents only, and BM25 is computed only for the terms of the query with
per-searcher cached length norms. The formula is Whoosh's BM25F (B=0.75, K1=1.2, same idf and
length bytes), so ranking matches what `searcher.search` would give.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from typing import Any

from whoosh.matching.wrappers import FilterMatcher

B = 0.75
K1 = 1.2

Postings = tuple[list[int], list[float]]
_NONE: Postings = ([], [])


def read_postings(reader: Any, field: str, term: str) -> Postings:
    """Live docnums (segment-local) and weights of one term in one segment reader."""
    try:
        m = reader.postings(field, term)
    except Exception:  # TermNotFound, or a field this (older) segment does not have
        return _NONE
    deleted: Any = None
    if isinstance(m, FilterMatcher):
        deleted = m._ids  # noqa: SLF001 - the deleted set the wrapper would filter with
        m = m.child
    ids: list[int] = []
    weights: list[float] = []
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
    if deleted:
        keep = [i for i, d in enumerate(ids) if d not in deleted]
        ids = [ids[i] for i in keep]
        weights = [weights[i] for i in keep]
    return ids, weights


def read_positions(reader: Any, field: str, term: str, wanted: set[int]) -> dict[int, list[int]]:
    """Positions of a term for the wanted segment-local docnums only (phrase verification)."""
    try:
        m = reader.postings(field, term)
    except Exception:
        return {}
    if isinstance(m, FilterMatcher):
        m = m.child  # deleted documents are never wanted: they are not matched
    out: dict[int, list[int]] = {}
    if hasattr(m, "_read_values") and hasattr(m, "_next_block"):
        decode = m.format.decode_positions
        while m.is_active():
            m._read_ids()  # noqa: SLF001
            block = m._ids  # noqa: SLF001
            hits = [i for i, d in enumerate(block) if d in wanted]
            if hits:
                m._read_values()  # noqa: SLF001
                values = m._values  # noqa: SLF001
                for i in hits:
                    out[block[i]] = decode(values[i])
            m._next_block()  # noqa: SLF001
    else:
        while m.is_active():
            if m.id() in wanted:
                out[m.id()] = list(m.value_as("positions"))
            m.next()
    return out


def in_sequence(positions: Sequence[Sequence[int]], slop: int) -> bool:
    """True if the terms occur in order, each at most `slop` positions after the previous."""
    if slop == 1 and len(positions) == 2:  # the common case: two adjacent words
        return not set(positions[1]).isdisjoint([p + 1 for p in positions[0]])
    reach = set(positions[0])
    for pos in positions[1:]:
        reach = {p for p in pos if any(0 < p - r <= slop for r in reach)}
        if not reach:
            return False
    return True


class Engine:
    """Per-search helper: global postings (memoised for this request only) and BM25 scores."""

    def __init__(
        self,
        searcher: Any,
        leaves: Sequence[tuple[Any, int]],
        norms: Any,
        term_filters: Sequence[frozenset[tuple[str, str]] | None] | None = None,
    ) -> None:
        self._s = searcher
        self._leaves = leaves
        # Per leaf: the terms of a small segment (skip it when the term is absent), or None.
        self._filters = list(term_filters) if term_filters else [None] * len(leaves)
        self._sizes = [reader.doc_count_all() for reader, _o in leaves]
        self._norms = norms  # callable field -> list of K1*(1-B+B*len/avg) per global docnum
        self._memo: dict[tuple[str, str], Postings] = {}
        self.acc: list[float] | None = None
        self._scored: set[Any] = set()
        self._phrases: dict[tuple[str, tuple[str, ...], int], set[int]] = {}

    def postings(self, field: str, term: str) -> Postings:
        """Global docnums and weights of a term across segments."""
        key = (field, term)
        found = self._memo.get(key)
        if found is not None:
            return found
        if len(self._leaves) == 1 and self._leaves[0][1] == 0:
            found = read_postings(self._leaves[0][0], field, term)
        else:
            ids: list[int] = []
            weights: list[float] = []
            for (reader, offset), terms in zip(self._leaves, self._filters, strict=True):
                if terms is not None and key not in terms:
                    continue
                sub_ids, sub_w = read_postings(reader, field, term)
                ids.extend([d + offset for d in sub_ids] if offset else sub_ids)
                weights.extend(sub_w)
            found = (ids, weights)
        self._memo[key] = found
        return found

    def docs(self, field: str, term: str) -> set[int]:
        """Set of global docnums holding the term."""
        return set(self.postings(field, term)[0])

    def phrase(self, field: str, terms: Sequence[str], slop: int) -> set[int]:
        """Documents with the terms in order within `slop` (Whoosh's Phrase semantics)."""
        key = (field, tuple(terms), slop)
        if key in self._phrases:
            return self._phrases[key]
        found = self._phrase(field, terms, slop)
        self._phrases[key] = found
        return found

    def _phrase(self, field: str, terms: Sequence[str], slop: int) -> set[int]:
        sets = sorted((self.docs(field, t) for t in terms), key=len)
        candidates = sets[0].intersection(*sets[1:])
        out: set[int] = set()
        if not candidates:
            return out
        for (reader, offset), size in zip(self._leaves, self._sizes, strict=True):
            if len(self._leaves) == 1:
                local = candidates
            else:
                local = {d - offset for d in candidates if offset <= d < offset + size}
                if not local:
                    continue
            per_term = [read_positions(reader, field, t, local) for t in terms]
            for d in local:
                plists = [pt.get(d) for pt in per_term]
                if all(plists) and in_sequence(plists, slop):  # type: ignore[arg-type]
                    out.add(d + offset)
        return out

    def union(self, pairs: Iterable[tuple[str, str]]) -> set[int]:
        out: set[int] = set()
        for field, term in pairs:
            out.update(self.postings(field, term)[0])
        return out

    def score(
        self,
        field: str,
        term: str,
        boost: float = 1.0,
        *,
        only: set[int] | None = None,
        key: Any = None,
    ) -> None:
        """Add the BM25 contribution of one term to the accumulator (every posting).

        Each (field, term) counts once per search, as after Whoosh's query normalize().
        """
        key = (field, term) if key is None else key
        if key in self._scored:
            return
        self._scored.add(key)
        ids, weights = self.postings(field, term)
        if not ids:
            return
        acc = self.acc
        if acc is None:
            acc = self.acc = [0.0] * self._s.doc_count_all()
        norm = self._norms(field)
        c = self._s.idf(field, term) * (K1 + 1) * boost
        if only is None:
            for d, w in zip(ids, weights, strict=True):
                acc[d] += c * w / (w + norm[d])
        else:
            for d, w in zip(ids, weights, strict=True):
                if d in only:
                    acc[d] += c * w / (w + norm[d])

    def top(self, docs: Sequence[int], k: int) -> list[tuple[int, float]]:
        """The k best (docnum, score) of docs (ascending docnums: ties keep docnum order)."""
        acc = self.acc
        if acc is None:
            return [(d, 0.0) for d in docs[:k]]
        best = heapq.nlargest(k, docs, key=acc.__getitem__)
        return [(d, acc[d]) for d in best]
