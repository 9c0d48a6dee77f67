"""Ranking for needs, not only names: coordination over the query's concepts and field weights.

A practitioner's need ("prévenir la radicalisation en ligne des adolescents") names several
concepts; a practice answering it rarely uses every word. So a natural-language query (question
words removed, or at least NATURAL_CLAUSES concepts) matches any of its concepts and ranks by
BM25 times coordination: the share of the query's concepts, weighted by rarity, that the
practice covers, to the power COORD_POWER. Short keyword queries keep all-words matching.

Field weights multiply each field's BM25: title and summary (`head_*`) and the taxonomy tags
(`f_*`, reached through synonym groups) count more than a passing word in the body (`text_*`).
`head_*` already carries schema.HEAD_BOOST (2.5) at index time, and its words are in `text_*`
too, so raising it further lowered nDCG; a tag is scored at EXPANSION_BOOST (0.15) times its
weight, so 16 makes a practice tagged with the query's concept count about 2.4 times a typed
word. The figures were tuned on tests/relevance/topical.yaml (see tests/bench/README.md).

Names, not only needs: a reader who types a practice's name types words of its title. A
practice whose title (in one language) holds every typed word has its score multiplied by
NAMED_BOOST, set once (1.5) and not tuned: without it a practice tagged with the same concepts,
or repeating the words in its summary and body, outranked the one named (known-item MRR 0.888
→ 0.961 in tests/test_relevance.py; the topical halves unchanged).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .analysis import analyze, words
from .engine import Engine
from .model import LANGS
from .query import Parsed
from .schema import head_field
from .understand import is_stop

NATURAL_CLAUSES = 3
COORD_POWER = 1.0
# Score factor of a practice whose title holds every word the reader typed (named()).
NAMED_BOOST = 1.5
Titles = Callable[[str], Sequence[bytes]]  # per language, the folded title of each docnum
# Field-name prefix -> weight on its BM25 contribution.
FIELD_WEIGHTS: Mapping[str, float] = {"head_": 1.0, "text_": 1.0, "f_": 16.0}


def is_natural(parsed: Parsed) -> bool:
    """A query that reads as a sentence or a question: match any concept, rank by coverage."""
    return len(parsed.positives) >= (2 if parsed.filler else NATURAL_CLAUSES)


def field_weight(field: str) -> float:
    for prefix, weight in FIELD_WEIGHTS.items():
        if field.startswith(prefix):
            return weight
    return 1.0


class WeightedEngine(Engine):
    """The engine with FIELD_WEIGHTS applied to every term it scores."""

    def score(
        self,
        field: str,
        term: str,
        boost: float = 1.0,
        *,
        only: set[int] | None = None,
        key: Any = None,
    ) -> None:
        super().score(field, term, boost * field_weight(field), only=only, key=key)


def covers_all(concepts: Sequence[set[int]], docs: Iterable[int]) -> bool:
    """True when some document holds every concept (so the query was not relaxed)."""
    if not concepts:
        return True
    return bool(set(docs).intersection(*concepts))


def coordinate(eng: Engine, concepts: Sequence[set[int]], docs: Iterable[int]) -> None:
    """Scale each document's score by the rarity-weighted share of concepts it covers."""
    acc = eng.acc
    if acc is None or len(concepts) < 2:
        return
    # The live document count, not len(acc): the accumulator has a slot per docnum, deleted
    # ones included, so an index grown by edits would weigh rarity unlike a rebuilt one.
    n = eng.live_count
    weights = [math.log(1 + n / max(1, len(c))) for c in concepts]
    total = sum(weights)
    for d in docs:
        covered = sum(w for c, w in zip(concepts, weights, strict=True) if d in c)
        acc[d] *= (covered / total) ** COORD_POWER


def named(eng: Engine, parsed: Parsed, docs: Iterable[int], titles: Titles) -> list[int]:
    """Documents whose title, in one language, holds every word the reader typed.

    A reader who types a practice's name ("conseil des résidents étrangers", "hate crimes
    office") types words of its title, not their synonyms: a practice tagged with the same
    concepts, or using the words in its summary or body, must not outrank it. The title+summary
    postings narrow the candidates; the few left have their title read.
    """
    typed = [
        w
        for c in parsed.positives
        if c.kind in ("word", "phrase", "group")
        for w in c.words
        if not is_stop(w)  # names nothing ("des" is a French stop word, an English non-word)
    ]
    if not typed:
        return []
    per_word = [{lang: set(analyze(lang, w)) for lang in LANGS} for w in typed]
    candidates = set(docs)
    for wanted in per_word:
        found: set[int] = set()
        for lang, terms in wanted.items():
            for term in terms:
                found |= eng.docs(head_field(lang), term)
        candidates &= found
        if not candidates:
            return []
    out = []
    for d in candidates:
        for lang in LANGS:
            title = {t for w in words(titles(lang)[d].decode("utf-8")) for t in analyze(lang, w)}
            if all(wanted[lang] & title for wanted in per_word):
                out.append(d)
                break
    return out


def favour_named(
    eng: Engine, parsed: Parsed, docs: Iterable[int], titles: Titles, top: int
) -> None:
    """Scale by NAMED_BOOST the documents whose title holds the typed words.

    Only documents that could reach the first `top` once boosted have their title read (the
    others stay below the top-th score either way), so a broad query at 10k costs no more.
    """
    acc = eng.acc
    if acc is None or top <= 0:
        return
    docs = list(docs)
    best = heapq.nlargest(top, docs, key=acc.__getitem__)
    if not best:
        return
    floor = acc[best[-1]] / NAMED_BOOST
    within = [d for d in docs if acc[d] >= floor] if len(best) == top else docs
    for d in named(eng, parsed, within, titles):
        acc[d] *= NAMED_BOOST
