"""HTML-escaped text with <mark> around matched terms, for the shown hits only."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Sequence
from html import escape

from .analysis import _WORD_RE, term_of

SNIPPET_CHARS = 240
_SPACE_RE = re.compile(r"\s")


PhraseSpec = Sequence[tuple[tuple[str, ...], int]]  # (terms, allowed gap between them)


# Each distinct text's analysis (indexed term -> the words of the text having it), kept across
# searches: the same practices come back page after page, and analysing a long body word by word
# is most of what highlighting costs. Bounded by an estimate of its size in bytes.
ANALYSIS_CACHE_BYTES = 16 * 1024 * 1024
_WORD_BYTES = 160  # a dict entry, its word and a list slot: a rough per-word size
WordsOf = dict[str, list[str]]


class _AnalysisCache:
    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, str], tuple[WordsOf, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def words_of(self, text: str, lang: str) -> WordsOf:
        key = (lang, text)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found[0]
        words_of: WordsOf = {}
        for word in set(_WORD_RE.findall(text)):
            term = term_of(lang, word)
            if term is not None:
                words_of.setdefault(term, []).append(word)
        size = len(text) + _WORD_BYTES * sum(map(len, words_of.values()))
        with self._lock:
            if key not in self._entries and size <= ANALYSIS_CACHE_BYTES:
                self._entries[key] = (words_of, size)
                self._bytes += size
                while self._bytes > ANALYSIS_CACHE_BYTES:
                    _key, (_w, dropped) = self._entries.popitem(last=False)
                    self._bytes -= dropped
        return words_of

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


_ANALYSES = _AnalysisCache()


def _phrase_matches(
    text: str, words_of: WordsOf, phrases: PhraseSpec
) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of a whole occurrence of one of the phrases.

    Positions count indexed words only (stop words are skipped, as at indexing). Each occurrence
    of a phrase's first word is found by one regex; only the few words after it are read.
    """
    phrases = [(terms, gap) for terms, gap in phrases if all(t in words_of for t in terms)]
    if not phrases:
        return []  # most texts: no phrase has all its words here
    term = {w: t for t, ws in words_of.items() for w in ws}
    out: list[tuple[int, int, str]] = []
    for terms, gap in phrases:
        for first in _surface_pattern(words_of[terms[0]]).finditer(text):
            path = [(first.start(), first.end(), terms[0])]
            pos = first.end()
            for want in terms[1:]:
                seen = 0
                step = None
                while seen < gap:
                    word = _WORD_RE.search(text, pos)
                    if word is None:
                        break
                    pos = word.end()
                    t = term.get(word.group())
                    if t is None:
                        continue  # a stop word holds no position
                    seen += 1
                    if t == want:
                        step = (word.start(), word.end(), want)
                        break
                if step is None:
                    break
                path.append(step)
            if len(path) == len(terms):
                out.extend(path)
    return out


def _surface_pattern(words_: Collection[str]) -> re.Pattern[str]:
    """A regex of whole words, longest first (re caches the compiled patterns)."""
    alternation = "|".join(re.escape(w) for w in sorted(words_, key=len, reverse=True))
    return re.compile(r"(?<!\w)(?:" + alternation + r")(?!\w)")


def _matches(
    text: str,
    lang: str,
    terms: Collection[str],
    prefixes: tuple[str, ...],
    phrases: PhraseSpec = (),
) -> list[tuple[int, int, str]]:
    """(start, end, term) of words whose indexed term the query looks for, in text order."""
    if not text or (not terms and not prefixes and not phrases):
        return []
    words_of = _ANALYSES.words_of(text, lang)
    found = _word_matches(text, words_of, terms, prefixes)
    if phrases:
        extra = _phrase_matches(text, words_of, phrases)
        if extra:
            found = sorted(set(found) | set(extra))
    return found


def _word_matches(
    text: str, words_of: WordsOf, terms: Collection[str], prefixes: tuple[str, ...]
) -> list[tuple[int, int, str]]:
    """(start, end, term) of single words whose indexed term the query looks for."""
    hit_words: dict[str, str] = {}
    for term in terms:
        for word in words_of.get(term, ()):
            hit_words[word] = term
    if prefixes:
        for term, words_ in words_of.items():
            if term.startswith(prefixes):
                for word in words_:
                    hit_words[word] = term
    if not hit_words:
        return []
    # One regex of the matching surface forms finds their offsets at C speed.
    pattern = _surface_pattern(hit_words)
    return [(m.start(), m.end(), hit_words[m.group()]) for m in pattern.finditer(text)]


def _render(text: str, start: int, end: int, marks: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    pos = start
    for s, e, _t in marks:
        if s < pos or e > end:
            continue
        out.append(escape(text[pos:s], quote=False))
        out.append("<mark>" + escape(text[s:e], quote=False) + "</mark>")
        pos = e
    out.append(escape(text[pos:end], quote=False))
    return "".join(out)


def highlight(
    text: str,
    lang: str,
    terms: Collection[str],
    prefixes: tuple[str, ...],
    phrases: PhraseSpec = (),
) -> str:
    """The whole text, escaped, with matched words marked (titles and summaries)."""
    return _render(text, 0, len(text), _matches(text, lang, terms, prefixes, phrases))


def snippet(
    text: str,
    lang: str,
    terms: Collection[str],
    prefixes: tuple[str, ...],
    width: int = SNIPPET_CHARS,
    phrases: PhraseSpec = (),
) -> str:
    """The window of about `width` characters with the most distinct matches; "" if none."""
    marks = _matches(text, lang, terms, prefixes, phrases)
    if not marks:
        return ""
    best = (0, 0, 0)  # (distinct terms, matches, index of first match)
    j = 0
    for i in range(len(marks)):
        j = max(j, i)
        while j + 1 < len(marks) and marks[j + 1][1] - marks[i][0] <= width:
            j += 1
        window = marks[i : j + 1]
        score = (len({t for _s, _e, t in window}), len(window), -i)
        if score > (best[0], best[1], -best[2]):
            best = (score[0], score[1], i)
    first = best[2]
    span_end = max(e for s, e, _t in marks[first:] if e - marks[first][0] <= width)
    slack = max(0, width - (span_end - marks[first][0]))
    start = max(0, marks[first][0] - slack // 3)
    end = min(len(text), start + width)
    end = max(end, span_end)
    # Cut at whitespace so the fragment never starts or ends mid-word.
    if start > 0:
        space = _SPACE_RE.search(text, start, marks[first][0])
        start = space.end() if space else marks[first][0]
    if end < len(text):
        tail = text.rfind(" ", span_end, end)
        end = tail if tail > 0 else end
    body = _render(text, start, end, marks).strip()
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")
