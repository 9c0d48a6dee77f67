"""Place names in both languages, so a text naming « Syrie » is found by "Syria" and the reverse.

A practice written in English says "young people who travelled to Syria"; a French reader types
« Syrie ». Stemming cannot bridge names, and a synonym group would rank the other language's
name below the typed word. So at index time each place a text names (the taxonomy's cities,
every country and territory CLDR knows) adds its names in the other language to the document's
searchable text: the index holds « Syrie » beside "Syria" and ranks it as the reader's own word.

Only capitalised mentions count (a place name is a proper noun: "Nice", not "nice"; "Turkey",
not "turkey"), and only places whose names differ between the languages (« Berlin » needs
nothing).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Sequence

from babel import Locale

from indexer.analysis import WORD_PATTERN, fold, words
from kb.catalogue.taxonomy import Vocabulary

Key = tuple[str, ...]
_WORD = re.compile(WORD_PATTERN)  # the analyzers' words
# A word starting with a capital (Latin letters: the place names of French and English texts).
_CAPITALISED = re.compile(r"(?<!\w)[A-ZÀ-ÖØ-Þ]\w*")


class PlaceNames:
    """Groups of names of one place (any language); finds the groups a text names."""

    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        self._names: list[tuple[str, ...]] = []
        self._by_key: dict[Key, int] = {}
        self.max_len = 1
        for names in groups:
            keyed = {tuple(fold(w) for w in words(n)): n.strip() for n in names if words(n)}
            if len(keyed) < 2:
                continue  # spelled the same in both languages: the text already matches
            group = len(self._names)
            self._names.append(tuple(keyed.values()))
            for key in keyed:
                self._by_key.setdefault(key, group)  # the first place listed keeps a shared name
                self.max_len = max(self.max_len, len(key))
        self._firsts = frozenset(key[0] for key in self._by_key)

    def __len__(self) -> int:
        return len(self._names)

    def other_names(self, text: str) -> list[str]:
        """The names, not written in `text`, of the places `text` names: what to index with it."""
        firsts = self._firsts
        seen_keys: set[Key] = set()
        groups: dict[int, None] = {}
        for capital in _CAPITALISED.finditer(text):
            # Only a capitalised word that begins some place's name is read further.
            if _folded(capital.group()) not in firsts:
                continue
            following = itertools.islice(_WORD.finditer(text, capital.start()), self.max_len)
            seq = [_folded(m.group()) for m in following]
            for n in range(len(seq), 0, -1):
                key = tuple(seq[:n])
                group = self._by_key.get(key)
                if group is not None:
                    groups[group] = None
                    seen_keys.add(key)
                    break
        return [
            name
            for group in groups
            for name in self._names[group]
            if tuple(fold(w) for w in words(name)) not in seen_keys
        ]


@functools.lru_cache(maxsize=65536)
def _folded(word: str) -> str:
    """fold(), remembered: the same capitalised words recur in every practice."""
    return fold(word)


@functools.lru_cache(maxsize=1)
def country_groups() -> tuple[tuple[str, str], ...]:
    """Every country and territory's English and French names (CLDR's, the names in use: ISO's
    formal ones, "Syrian Arab Republic", would add words such as "Arab" to the text)."""
    english, french = Locale("en").territories, Locale("fr").territories
    return tuple(
        (name, french[code])
        for code, name in english.items()
        # Two letters: countries and territories, not regions; ZZ is "Unknown Region".
        if len(code) == 2 and code.isalpha() and code != "ZZ" and code in french
    )


def place_names(vocabulary: Vocabulary) -> PlaceNames:
    """The taxonomy's cities (their French and English labels) and every country."""
    cities = [(t.label_fr, t.label_en) for t in vocabulary.terms.get("city", ())]
    return PlaceNames([*cities, *country_groups()])
