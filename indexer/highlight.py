"""HTML-escaped text with <mark> around matched terms, for the shown hits only."""

from __future__ import annotations

import re
from collections.abc import Collection
from html import escape

from .analysis import _WORD_RE, analyze

SNIPPET_CHARS = 240
_SPACE_RE = re.compile(r"\s")


def _matches(
    text: str, lang: str, terms: Collection[str], prefixes: tuple[str, ...]
) -> list[tuple[int, int, str]]:
    """(start, end, term) of words whose indexed term the query looks for."""
    # Word-level cached analysis instead of whoosh's token pipeline: same terms, a fraction of
    # the time, which matters because this runs on up to 20 bodies per page.
    found: list[tuple[int, int, str]] = []
    if not terms and not prefixes:
        return found
    for m in _WORD_RE.finditer(text):
        for term in analyze(lang, m.group()):
            if term in terms or (prefixes and term.startswith(prefixes)):
                found.append((m.start(), m.end(), term))
    return found


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


def highlight(text: str, lang: str, terms: Collection[str], prefixes: tuple[str, ...]) -> str:
    """The whole text, escaped, with matched words marked (titles and summaries)."""
    return _render(text, 0, len(text), _matches(text, lang, terms, prefixes))


def snippet(
    text: str,
    lang: str,
    terms: Collection[str],
    prefixes: tuple[str, ...],
    width: int = SNIPPET_CHARS,
) -> str:
    """The window of about `width` characters with the most distinct matches; "" if none."""
    marks = _matches(text, lang, terms, prefixes)
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
