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
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .engine import Engine
from .query import Parsed

NATURAL_CLAUSES = 3
COORD_POWER = 1.0
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
