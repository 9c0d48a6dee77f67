"""Set-based matching and BM25 scoring over Whoosh postings, at close to C speed.

Whoosh's matchers walk postings one Python call per document per sub-matcher, and verify phrases
span by span. Here a term's postings are read block by block into plain lists (ids and weights),
matching is done with Python sets (intersection, union, difference run in C), phrases check
positions of the candidate documents only, and BM25 is computed only for the terms of the query with
per-searcher cached length norms. The formula is Whoosh's BM25F (B=0.75, K1=1.2, same idf and
length bytes), with one difference: document counts, frequencies and average lengths are those
of live documents (Whoosh's include deleted ones until a merge), and equal scores are ordered
by document id, so an index grown by edits ranks exactly as one rebuilt from the same documents.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from whoosh.matching.wrappers import FilterMatcher

from .postings import PostingsStore

B = 0.75
K1 = 1.2

Postings = tuple[list[int], list[float]]
Vector = tuple["array[int]", "array[float]", frozenset[Any]]
PhraseTerm = Callable[[str, Sequence[str], int], tuple[str, str] | None]


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


def _phrase_in_segment(
    store: PostingsStore, reader: Any, field: str, terms: Sequence[str], slop: int
) -> set[int]:
    """Segment-local docnums holding the terms in order within `slop`."""
    sets = sorted((set(store.postings(reader, field, t)[0]) for t in terms), key=len)
    candidates = sets[0].intersection(*sets[1:])
    out: set[int] = set()
    if not candidates:
        return out
    per_term = [read_positions(reader, field, t, candidates) for t in terms]
    for d in candidates:
        plists = [pt.get(d) for pt in per_term]
        if all(plists) and in_sequence(plists, slop):  # type: ignore[arg-type]
            out.add(d)
    return out


class ScoreVectors:
    """Per searcher: the BM25 contribution of a synonym group's expansion, which depends only
    on the group and the typed words, kept for the searcher's life. Bounded to MAX entries
    (each at most one 12-byte pair per document: under 10 MB at 10k documents)."""

    MAX = 64

    def __init__(self) -> None:
        self._entries: OrderedDict[Any, Vector] = OrderedDict()

    def get(self, key: Any) -> Vector | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: Any, vector: Vector) -> None:
        self._entries[key] = vector
        while len(self._entries) > self.MAX:
            self._entries.popitem(last=False)


class Engine:
    """Per-search helper: global postings (memoised for this request only) and BM25 scores."""

    def __init__(
        self,
        searcher: Any,
        leaves: Sequence[tuple[Any, int]],
        norms: Any,
        term_filters: Sequence[frozenset[tuple[str, str]] | None] | None = None,
        phrase_term: PhraseTerm | None = None,
        store: PostingsStore | None = None,
        vectors: ScoreVectors | None = None,
        keys: Callable[[], Sequence[int]] | None = None,
    ) -> None:
        self._s = searcher
        self._live = int(searcher.doc_count())  # live documents (doc_count_all() counts deleted)
        self._keys = keys
        self._leaves = leaves
        # Per leaf: the terms of a small segment (skip it when the term is absent), or None.
        self._filters = list(term_filters) if term_filters else [None] * len(leaves)
        self._norms = norms  # callable field -> list of K1*(1-B+B*len/avg) per global docnum
        self._memo: dict[tuple[str, str], Postings] = {}
        self.acc: list[float] | None = None
        self._scored: set[Any] = set()
        self._phrases: dict[tuple[str, tuple[str, ...], int], set[int]] = {}
        # (field, terms, slop) -> (field, term) indexed for that phrase, when there is one.
        self._phrase_term = phrase_term
        self._store = store if store is not None else PostingsStore(0, 0)
        self.vectors = vectors

    def postings(self, field: str, term: str) -> Postings:
        """Global docnums and weights of a term across segments."""
        key = (field, term)
        found = self._memo.get(key)
        if found is not None:
            return found
        store = self._store
        if len(self._leaves) == 1 and self._leaves[0][1] == 0:
            found = store.postings(self._leaves[0][0], field, term)
        else:
            ids: list[int] = []
            weights: list[float] = []
            for (reader, offset), terms in zip(self._leaves, self._filters, strict=True):
                if terms is not None and key not in terms:
                    continue
                sub_ids, sub_w = store.postings(reader, field, term)
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
        indexed = self._phrase_term(field, terms, slop) if self._phrase_term else None
        found = self.docs(*indexed) if indexed else self._phrase(field, terms, slop)
        self._phrases[key] = found
        return found

    def _phrase(self, field: str, terms: Sequence[str], slop: int) -> set[int]:
        """Per segment (kept in the store): candidates by intersection, then positions."""
        out: set[int] = set()
        key = ("phrase", field, tuple(terms), slop)
        for (reader, offset), known in zip(self._leaves, self._filters, strict=True):
            if known is not None and any((field, t) not in known for t in terms):
                continue

            def compute(reader: Any = reader) -> set[int]:
                return _phrase_in_segment(self._store, reader, field, terms, slop)

            local = self._store.phrase(reader, key, compute)
            if offset:
                out.update(d + offset for d in local)
            else:
                out.update(local)
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
        c = self.idf(len(ids)) * (K1 + 1) * boost
        if only is None:
            for d, w in zip(ids, weights, strict=True):
                acc[d] += c * w / (w + norm[d])
        else:
            for d, w in zip(ids, weights, strict=True):
                if d in only:
                    acc[d] += c * w / (w + norm[d])

    @property
    def live_count(self) -> int:
        """Live documents in the searcher (the accumulator also has slots for deleted ones)."""
        return self._live

    def idf(self, df: int) -> float:
        """Whoosh's BM25 idf, from the live document count and a term's live postings."""
        return math.log(self._live / (df + 1)) + 1

    def key_terms(self, field: str, text: str, number: int) -> list[tuple[str, float]]:
        """The `number` most telling terms of a text for one field, with their weights.

        Whoosh's key_terms_from_text (the Bo1 model, normalised), computed from live postings
        instead of collection statistics that still count deleted documents.
        """
        in_text: dict[str, float] = {}
        for btext, _freq, weight, _value in self._s.schema[field].index(text):
            word = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            in_text[word] = in_text.get(word, 0.0) + weight
        n = self._live or 1
        scored: list[tuple[float, str]] = []
        for word, weight in in_text.items():
            frequency = sum(self.postings(field, word)[1])
            if frequency:
                f = frequency / n
                scored.append((weight * math.log((1.0 + f) / f, 2) + math.log(1.0 + f, 2), word))
        if not scored:
            return []
        top = max(sc for sc, _w in scored)
        f = top / n
        norm = (top * math.log((1.0 + f) / f) + math.log(1.0 + f)) / math.log(2.0)
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [(word, sc / norm) for sc, word in scored[:number]]

    def fork(self) -> Engine:
        """An engine on the same searcher and caches with an empty accumulator."""
        other = type(self)(  # a subclass (e.g. field weights) scores the same way in the fork
            self._s, self._leaves, self._norms, None, self._phrase_term, self._store,
            self.vectors, self._keys,
        )
        other._filters = self._filters
        other._memo = self._memo
        other._phrases = self._phrases
        return other

    def vector(self) -> Vector:
        """The scores accumulated so far as (docnums, scores, scored keys), to reuse later."""
        acc = self.acc or []
        ids = array("i", [d for d, v in enumerate(acc) if v])
        return ids, array("d", [acc[d] for d in ids]), frozenset(self._scored)

    def add_vector(self, vector: Vector) -> bool:
        """Add a reused score vector, unless one of its terms was scored already (then the
        caller scores the terms itself, so each term still counts once)."""
        ids, values, keys = vector
        if not self._scored.isdisjoint(keys):
            return False
        self._scored |= keys
        if not ids:
            return True
        acc = self.acc
        if acc is None:
            acc = self.acc = [0.0] * self._s.doc_count_all()
        for d, v in zip(ids, values, strict=True):
            acc[d] += v
        return True

    def top(self, docs: Sequence[int], k: int) -> list[tuple[int, float]]:
        """The k best (docnum, score) of docs; equal scores in document-id order."""
        acc = self.acc
        keys = self._keys() if self._keys else None
        if acc is None:
            first = heapq.nsmallest(k, docs, key=keys.__getitem__) if keys else docs[:k]
            return [(d, 0.0) for d in first]
        return [(d, acc[d]) for d in top_k(docs, k, acc, keys)]


def top_k(
    docs: Iterable[int], k: int, score: Sequence[float], keys: Sequence[int] | None
) -> list[int]:
    """The k docs of highest score, ties broken by ascending key.

    heapq on the bare score (C speed), then only the documents tied at the cut-off and the runs
    of equal scores above it are ordered by key, rather than a tuple key on every document.
    """
    docs = list(docs)
    best = heapq.nlargest(k, docs, key=score.__getitem__)
    if keys is None or not best:
        return best
    cut = score[best[-1]]
    above = [d for d in best if score[d] > cut]
    tied = sorted((d for d in docs if score[d] == cut), key=keys.__getitem__)
    chosen = above + tied[: k - len(above)]
    chosen.sort(key=lambda d: (-score[d], keys[d]))
    return chosen
