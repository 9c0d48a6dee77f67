"""Matching and scoring a parsed query: clause doc sets, AND / relaxed OR, BM25, sort orders."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from typing import Any

from . import query as qmod
from .analysis import analyze, fold
from .concepts import CONCEPT_FIELD, Concepts
from .engine import Engine
from .facets import SearcherArrays
from .model import LANGS
from .schema import facet_field, head_field, text_field

# Weight of a synonym (or of the tag it stands for) relative to the word the reader typed.
EXPANSION_BOOST = 0.15


def filtered(matched: set[int], selected: Mapping[str, frozenset[int]]) -> set[int]:
    """Matched documents that pass every selected facet."""
    if not selected:
        return matched
    return matched.intersection(*sorted(selected.values(), key=len))


def evaluate(
    s: Any, eng: Engine, arrays: SearcherArrays, parsed: qmod.Parsed, *,
    relaxed: bool, meta: int | None, concepts: Concepts | None = None,
) -> set[int]:
    """Matching docnums as a set: AND (or relaxed OR) of clauses, minus exclusions."""
    positives: list[set[int]] = []
    for clause in parsed.positives:
        found = clause_docs(s, eng, arrays, clause, concepts)
        if found is not None:
            positives.append(found)
    if parsed.positives and not positives:
        return set()  # the reader searched for something, but none of it is indexable
    required = [
        clause_docs(s, eng, arrays, c, concepts)
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
        docs = set(arrays.live_docs(s, meta))
    for clause in parsed.clauses:
        if clause.negated and docs:
            excluded = clause_docs(s, eng, arrays, clause, concepts)
            if excluded:
                docs -= excluded
    return docs


def word_terms(word: str) -> list[tuple[str, str]]:
    """(language, indexed term) of one typed word."""
    return [(lang, t) for lang in LANGS for t in analyze(lang, word)]


def clause_docs(
    s: Any,
    eng: Engine,
    arrays: SearcherArrays,
    clause: qmod.Clause,
    concepts: Concepts | None = None,
) -> set[int] | None:
    """Docnums matching one clause; None when nothing of it is indexable.

    With `concepts` (the index's concept terms come from this synonym table), a synonym group
    is the postings of its concept term instead of the union of its members' matches.
    """
    if clause.kind == "word":
        terms = word_terms(clause.words[0])
        # text_<lang> repeats title and summary, so head_<lang> adds no document.
        return eng.union((text_field(lang), t) for lang, t in terms) if terms else None
    if clause.kind == "phrase":
        return phrase_docs(eng, clause.words)
    if clause.kind == "prefix":
        pairs = qmod.prefix_terms(clause.words[0], s.reader())
        return eng.union(pairs) if pairs else None
    if clause.kind == "facet":
        return set(arrays.docs_with(clause.facet, clause.value))
    key = concepts.group_key(clause.group_terms) if concepts else None
    out: set[int] | None = None
    if key is not None:
        out = eng.docs(CONCEPT_FIELD, key)
    for seq in clause.group_terms if key is None else ():
        sub = (
            clause_docs(s, eng, arrays, qmod.Clause("word", seq))
            if len(seq) == 1
            else phrase_docs(eng, seq)
        )
        if sub is not None:
            out = sub if out is None else out | sub
    if clause.facet and clause.value:
        extra = arrays.docs_with(clause.facet, clause.value)
        out = set(extra) if out is None else out | extra
    return out


def phrase_docs(eng: Engine, seq: Sequence[str]) -> set[int] | None:
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


def score_clause(s: Any, eng: Engine, clause: qmod.Clause, boost: float = 1.0) -> None:
    """BM25 of a clause's terms in the title/summary and text fields, both languages."""
    if clause.kind == "word":
        for lang, term in word_terms(clause.words[0]):
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
        _score_group(s, eng, clause, boost)


def _score_group(s: Any, eng: Engine, clause: qmod.Clause, boost: float) -> None:
    """A group's scores, reused from the searcher's vectors when the same group and typed
    words were scored before (the expansion is ~40 terms: most of a search's scoring)."""
    vectors = eng.vectors
    if vectors is None:
        _score_group_terms(s, eng, clause, boost)
        return
    key = (clause.group_terms, tuple(fold(w) for w in clause.words), clause.facet,
           clause.value, boost)
    found = vectors.get(key)
    if found is None:
        sub = eng.fork()
        _score_group_terms(s, sub, clause, boost)
        found = sub.vector()
        vectors.put(key, found)
    if not eng.add_vector(found):
        _score_group_terms(s, eng, clause, boost)


def _score_group_terms(s: Any, eng: Engine, clause: qmod.Clause, boost: float) -> None:
    """What the reader typed counts fully; its synonyms and the tag they stand for count
    less, so a practice that names the thing ranks above one that is only tagged with it."""
    # The typed words go first: a term shared with a synonym is scored once, at full weight.
    typed = _stems(clause.words)

    def is_typed(seq: tuple[str, ...]) -> bool:
        return not typed.isdisjoint(_stems(seq))

    seqs = sorted(clause.group_terms, key=lambda seq: not is_typed(seq))
    for seq in seqs:
        kind = "word" if len(seq) == 1 else "phrase"
        weight = 1.0 if is_typed(seq) else EXPANSION_BOOST
        score_clause(s, eng, qmod.Clause(kind, seq), boost * weight)
    if clause.facet and clause.value:
        eng.score(facet_field(clause.facet), clause.value, boost * EXPANSION_BOOST)


def _stems(seq: Sequence[str]) -> set[tuple[str, tuple[str, ...]]]:
    """Per language, the indexed terms of a word sequence: "coordinate" is "coordination"."""
    out = set()
    for lang in LANGS:
        terms = tuple(t for w in seq for t in analyze(lang, w))
        if terms:
            out.add((lang, terms))
    return out


def order(
    arrays: SearcherArrays, docs: list[int], sort: str, lang: str, top: int
) -> list[tuple[int, float]]:
    """The first `top` (docnum, 0.0) by title or newest first, ties broken by document id."""
    keys = arrays.keys()
    if sort == "title":
        titles = arrays.titles(lang)
        best = heapq.nsmallest(top, docs, key=lambda d: (titles[d], keys[d]))
        return [(d, 0.0) for d in best]
    published = arrays.published()
    best = heapq.nsmallest(top, docs, key=lambda d: (-published[d], keys[d]))
    return [(d, 0.0) for d in best]
