"""Synonym groups as index-time concept terms, so a query word with synonyms is one posting list.

Each taxonomy synonym group becomes one term `g…` of the `concept` field in every document that
holds any member (a word in either language's analysis, or a multi-word member as a phrase), and
each multi-word member becomes a term `p…` in the documents holding that phrase. At query time a
synonym group is then the postings of its `g…` term (plus the documents tagged with its facet
value), and a phrase check on a known phrase is the postings of its `p…` term: no positions
are decoded. Matching is exactly what the query-time expansion gave: the same analysis and the
same in-order check, done once per document when it is written.

The set of groups has a fingerprint stored in the index's meta document. A searcher uses the
concept terms only when that fingerprint equals its own table's; otherwise (the taxonomy changed
and the index was not rebuilt yet, or two taxonomies wrote into it) it falls back to query-time
expansion, so results are never wrong, only slower, and `Index.open` asks for a rebuild.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from .analysis import SynonymTable, analyze
from .engine import in_sequence
from .model import LANGS

CONCEPT_FIELD = "concept"
MIXED = "mixed"  # fingerprint of an index written with more than one synonym table

Spec = tuple[tuple[str, ...], int]  # indexed terms in order, allowed gap between them


def member_spec(lang: str, seq: Sequence[str]) -> Spec | None:
    """A member's terms in one language and the gap its dropped stop words allow."""
    terms = tuple(t for w in seq for t in analyze(lang, w))
    if not terms:
        return None
    return terms, 1 + len(seq) - len(terms)


class Concepts:
    """The concept terms of one synonym table: what to index, and what a query may look up."""

    def __init__(self, table: SynonymTable) -> None:
        self._group_keys: dict[tuple[tuple[str, ...], ...], str] = {}
        self._phrase_keys: dict[tuple[str, tuple[str, ...], int], str] = {}
        # Per language: first term -> (spec, phrase key or "", group keys) of the members
        # starting with it, so a document is checked only against members it could hold.
        starts: dict[str, dict[str, dict[Spec, set[str]]]] = {lang: {} for lang in LANGS}
        digest = hashlib.sha1(usedforsecurity=False)
        for expansion in table.groups():
            key = "g" + hashlib.sha1(
                repr(expansion.terms).encode("utf-8"), usedforsecurity=False
            ).hexdigest()[:16]
            self._group_keys[expansion.terms] = key
            digest.update(repr(expansion.terms).encode("utf-8"))
            for seq in expansion.terms:
                for lang in LANGS:
                    spec = member_spec(lang, seq)
                    if spec is None:
                        continue
                    starts[lang].setdefault(spec[0][0], {}).setdefault(spec, set()).add(key)
        self._starts: dict[str, dict[str, list[tuple[Spec, str, tuple[str, ...]]]]] = {}
        for lang, by_first in starts.items():
            table_: dict[str, list[tuple[Spec, str, tuple[str, ...]]]] = {}
            for first, specs in by_first.items():
                entries = []
                for spec, groups in specs.items():
                    pkey = ""
                    if len(spec[0]) > 1:
                        pkey = f"p{lang}:{spec[1]}:" + "+".join(spec[0])
                        self._phrase_keys[(lang, spec[0], spec[1])] = pkey
                    entries.append((spec, pkey, tuple(sorted(groups))))
                table_[first] = entries
            self._starts[lang] = table_
        self.fingerprint = digest.hexdigest()[:16] if self._group_keys else ""

    def __bool__(self) -> bool:
        return bool(self._group_keys)

    def group_key(self, terms: tuple[tuple[str, ...], ...]) -> str | None:
        """The concept term of the synonym group with these member word lists."""
        return self._group_keys.get(terms)

    def phrase_key(self, lang: str, terms: Sequence[str], slop: int) -> str | None:
        """The concept term standing for this phrase check, when a member is that phrase."""
        return self._phrase_keys.get((lang, tuple(terms), slop))

    def terms_of(self, positions: Mapping[str, Mapping[str, Sequence[int]]]) -> list[str]:
        """Concept terms of a document, from its text fields' term -> positions per language."""
        out: set[str] = set()
        for lang, by_first in self._starts.items():
            found = positions.get(lang)
            if not found:
                continue
            for first in found.keys() & by_first.keys():
                for (terms, slop), pkey, groups in by_first[first]:
                    if len(terms) > 1:
                        plists = [found.get(t) for t in terms]
                        if not all(plists) or not in_sequence(plists, slop):  # type: ignore[arg-type]
                            continue
                        out.add(pkey)
                    out.update(groups)
        return sorted(out)
