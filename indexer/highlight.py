"""HTML-escaped text with <mark> around matched terms, for the shown hits only."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from html import escape

from .analysis import _WORD_RE, term_of

SNIPPET_CHARS = 240
_SPACE_RE = re.compile(r"\s")


PhraseSpec = Sequence[tuple[tuple[str, ...], int]]  # (terms, allowed gap between them)


def _phrase_matches(
    text: str, found: list[str], term: Mapping[str, str | None], phrases: PhraseSpec
) -> list[tuple[int, int, str]]:
    """(start, end, term) of each word of a whole occurrence of one of the phrases."""
    present = set(term.values())
    phrases = [(terms, gap) for terms, gap in phrases if present.issuperset(terms)]
    if not phrases:
        return []  # most texts: no phrase has all its words here, and no offsets are needed
    # Indexed tokens only, as positions count: their word numbers and terms.
    numbers = [i for i, w in enumerate(found) if term[w] is not None]
    tokens = [term[found[i]] for i in numbers]
    starts: dict[str, list[int]] = {}
    wanted = {t for terms, _gap in phrases for t in terms}
    for j, t in enumerate(tokens):
        if t in wanted:
            starts.setdefault(t, []).append(j)
    paths: list[list[int]] = []
    for terms, gap in phrases:
        for j in starts.get(terms[0], ()):
            path = [j]
            for want in terms[1:]:
                last = path[-1]
                nxt = next(
                    (k for k in range(last + 1, min(len(tokens), last + 1 + gap))
                     if tokens[k] == want),
                    None,
                )
                if nxt is None:
                    break
                path.append(nxt)
            if len(path) == len(terms):
                paths.append(path)
    if not paths:
        return []
    spans = [m.span() for m in _WORD_RE.finditer(text)]
    out: list[tuple[int, int, str]] = []
    for path in paths:
        for j in path:
            start, stop = spans[numbers[j]]
            out.append((start, stop, tokens[j] or ""))
    return out


def _matches(
    text: str,
    lang: str,
    terms: Collection[str],
    prefixes: tuple[str, ...],
    phrases: PhraseSpec = (),
) -> list[tuple[int, int, str]]:
    """(start, end, term) of words whose indexed term the query looks for, in text order.

    The text is tokenised and each distinct word analysed once (a dict lookup), for the single
    words and the phrases alike: this runs on the title, summary and body of every shown hit.
    """
    if not terms and not prefixes and not phrases:
        return []
    found_words = _WORD_RE.findall(text)
    term = {w: term_of(lang, w) for w in set(found_words)}
    found = _word_matches(text, term, terms, prefixes)
    if phrases:
        extra = _phrase_matches(text, found_words, term, phrases)
        if extra:
            found = sorted(set(found) | set(extra))
    return found


def _word_matches(
    text: str, term: Mapping[str, str | None], terms: Collection[str], prefixes: tuple[str, ...]
) -> list[tuple[int, int, str]]:
    """(start, end, term) of single words whose indexed term the query looks for."""
    # One regex of the matching surface forms finds their offsets at C speed.
    if not terms and not prefixes:
        return []
    hit_words = {
        word: t
        for word, t in term.items()
        if t is not None and (t in terms or (prefixes and t.startswith(prefixes)))
    }
    if not hit_words:
        return []
    alternation = "|".join(re.escape(w) for w in sorted(hit_words, key=len, reverse=True))
    pattern = re.compile(r"(?<!\w)(?:" + alternation + r")(?!\w)")
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
