"""French and English analyzers (stop -> fold -> stem) and the synonym table for query expansion."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from .model import SynonymGroup

# Words: letters/digits, never the apostrophe, so French elisions ("l'extrémisme") split and the
# article is dropped by the stop list.
WORD_PATTERN = r"\w+"
_WORD_RE = re.compile(WORD_PATTERN)

# Elided articles and pronouns are single letters; whoosh's list has most, not all.
_ELISIONS = frozenset({"c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu"})
# Function words Whoosh's French list lacks, "les" first: without them a French text's length and
# its common terms were inflated by words that name no concept, and its phrases needed them in
# place. Prepositions stay indexed (understand.py drops them from queries): they form compounds
# the taxonomy names ("contre-discours", "sous-déclaration", "aller-vers"), which would shrink
# to their common second word.
_FUNCTION_WORDS_FR = frozenset({
    "les", "leurs", "cette", "cet", "ceux", "celles", "celle", "celui", "ils", "elles", "dont",
    "où", "quel", "quelle", "quels", "quelles", "lequel", "laquelle", "lesquels", "lesquelles",
    "auquel", "auxquels", "auxquelles", "duquel", "desquels", "desquelles", "tous", "toutes",
    "tout", "toute", "ainsi", "aussi", "comme", "très", "quand", "si", "ni",
})
_STOP_FR_ACCENTED = frozenset(stopwords_for_language("fr")) | _ELISIONS | _FUNCTION_WORDS_FR
# Each word also without its accents (the stop filter runs before folding): "apres" typed in a
# quoted phrase must be dropped as "après" was when the text was indexed.
STOP_FR: frozenset[str] = _STOP_FR_ACCENTED | frozenset(
    "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))
    for w in _STOP_FR_ACCENTED
)
STOP_EN: frozenset[str] = frozenset(stopwords_for_language("en"))
STOP_ANY: frozenset[str] = STOP_FR | STOP_EN


def _text_analyzer(lang: str, stoplist: frozenset[str]) -> Any:
    """Build the analyzer in the only order that keeps accent-less queries working."""
    # Stop before fold: the stop lists are accented. Fold before stem: "securite" and "sécurité"
    # must reach the stemmer as the same string. cachesize=-1: an unbounded stem cache, since the
    # LRU bookkeeping costs more than it saves when bulk indexing.
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | StopFilter(stoplist=stoplist, minsize=1)
        | CharsetFilter(accent_map)
        | StemFilter(lang=lang, cachesize=-1)
    )


CHAINS: dict[str, Any] = {
    "fr": _text_analyzer("fr", STOP_FR),
    "en": _text_analyzer("en", STOP_EN),
}

# word as matched by the tokenizer -> indexed term, or None for a stop word. Filled lazily and
# shared by index and query analysis; bounded so hostile input cannot grow it forever.
_TERM_CACHE: dict[str, dict[str, str | None]] = {lang: {} for lang in CHAINS}
_TERM_CACHE_MAX = 500_000
_POSITIONS_MEMO = 4  # texts whose term -> positions an analyzer remembers (one document's)
# Kept outside the analyzer objects: Whoosh compares analyzers by their __dict__.
_POSITIONS: dict[str, dict[str, dict[str, list[int]]]] = {lang: {} for lang in CHAINS}


def term_of(lang: str, word: str) -> str | None:
    """The indexed term of one tokenizer match in one language (None: a stop word)."""
    cache = _TERM_CACHE[lang]
    try:
        return cache[word]
    except KeyError:
        pass
    out = [t.text for t in CHAINS[lang](word, mode="index")]
    term = out[0] if len(out) == 1 else None
    if len(cache) >= _TERM_CACHE_MAX:
        cache.clear()
    cache[word] = term
    return term


class FastTextAnalyzer(Analyzer):  # type: ignore[misc]
    """The same tokens as CHAINS[lang] (tokenize, lowercase, stop, fold, stem), but one dict
    lookup per word instead of a Python generator chain: rebuilds analyse 3x faster."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Any]:
        if not tokenize or not removestops or keeporiginal:
            yield from CHAINS[self.lang](
                value, positions=positions, chars=chars, keeporiginal=keeporiginal,
                removestops=removestops, start_pos=start_pos, start_char=start_char,
                tokenize=tokenize, mode=mode, **kwargs,
            )
            return
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        cache = _TERM_CACHE[self.lang]
        lang = self.lang
        pos: int | None = None  # StopFilter(renumber=True): kept tokens are numbered densely
        for i, match in enumerate(_WORD_RE.finditer(value)):
            word = match.group()
            term = cache[word] if word in cache else term_of(lang, word)
            if term is None:
                continue
            t.text = term
            t.boost = 1.0
            t.stopped = False
            if positions:
                pos = start_pos + i if pos is None else pos + 1
                t.pos = pos
            if chars:
                t.startchar = start_char + match.start()
                t.endchar = start_char + match.end()
            yield t


    def positions(self, value: str) -> dict[str, list[int]]:
        """Indexed term -> positions, as the tokens above would give them (bulk indexing).

        The last few texts are remembered: a document's text fields are analysed once for its
        concept terms and again when Whoosh indexes them.
        """
        memo = _POSITIONS[self.lang]
        found_memo = memo.get(value)
        if found_memo is not None:
            return found_memo
        out = self._positions(value)
        if len(memo) >= _POSITIONS_MEMO:
            memo.clear()
        memo[value] = out
        return out

    def _positions(self, value: str) -> dict[str, list[int]]:
        cache = _TERM_CACHE[self.lang]
        lang = self.lang
        out: dict[str, list[int]] = {}
        pos = -1
        first = True
        for i, word in enumerate(_WORD_RE.findall(value)):
            term = cache[word] if word in cache else term_of(lang, word)
            if term is None:
                continue
            if first:
                pos, first = i, False
            else:
                pos += 1
            found = out.get(term)
            if found is None:
                out[term] = [pos]
            else:
                found.append(pos)
        return out


ANALYZERS: dict[str, Any] = {lang: FastTextAnalyzer(lang) for lang in CHAINS}

# Unstemmed and without stop words: the spelling field must hold real words to suggest.
FOLD_ANALYZER: Any = RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)



def fold(text: str) -> str:
    """Lowercase and strip accents, the normal form for comparing user input to values."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Split text into lowercase words the way the analyzers do, without stemming."""
    return _WORD_RE.findall(text.lower())


@lru_cache(maxsize=20000)
def analyze(lang: str, word: str) -> tuple[str, ...]:
    """Terms the index holds for this text in one language (cached: queries repeat words)."""
    return tuple(t.text for t in CHAINS[lang](word, mode="query"))


@dataclass(frozen=True)
class Expansion:
    """What a synonym group turns into: its terms as word lists, and an optional facet term."""

    terms: tuple[tuple[str, ...], ...]
    facet: str | None
    value: str | None


class SynonymTable:
    """Find synonym groups by folded word sequence or by per-language stems of the sequence."""

    def __init__(self, groups: Sequence[SynonymGroup]) -> None:
        self._by_key: dict[tuple[str, ...], Expansion] = {}
        self.max_len = 1
        for group in groups:
            term_words = tuple(tuple(words(t)) for t in group.terms if words(t))
            if not term_words:
                continue
            expansion = Expansion(term_words, group.facet, group.value)
            for tw in term_words:
                self.max_len = max(self.max_len, len(tw))
                for key in self._keys(tw):
                    # First group wins on a clash, so the order of the taxonomy decides.
                    self._by_key.setdefault(key, expansion)

    @staticmethod
    def _keys(seq: tuple[str, ...]) -> list[tuple[str, ...]]:
        """Folded form plus stems in each language, so plurals and accents still find the group."""
        keys = [("w",) + tuple(fold(w) for w in seq)]
        for lang in ANALYZERS:
            stems = tuple(s for w in seq for s in analyze(lang, w))
            if stems:
                keys.append((lang,) + stems)
        return keys

    def groups(self) -> list[Expansion]:
        """The distinct groups, in taxonomy order (a group is reachable by several keys)."""
        return list({id(e): e for e in self._by_key.values()}.values())

    def lookup(self, seq: Sequence[str]) -> Expansion | None:
        """The group whose term equals this word sequence, if any."""
        for key in self._keys(tuple(seq)):
            found = self._by_key.get(key)
            if found is not None:
                return found
        return None

    def __bool__(self) -> bool:
        return bool(self._by_key)
