"""The two-language parts of a practice: original body + marked translation, FR/EN name pairs.

A practice file's body is the original-language body, then one marker line
`<!-- kb:translation fr -->` (or `en`) alone between blank lines, then the translated body. This
module is the only place that knows the marker, so parsing and canonical export agree byte for
byte.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

LANGS = ("fr", "en")
MARKER = "<!-- kb:translation {lang} -->"
MARKER_RE = re.compile(r"^<!-- kb:translation (?P<lang>[a-z]{2}) -->[ \t]*$", re.MULTILINE)
# The section headings of a practice body in each language, in order.
HEADINGS: Mapping[str, tuple[str, ...]] = {
    "en": ("Context", "What the city does", "Results and evaluation"),
    "fr": ("Contexte", "Ce que fait la ville", "Résultats et évaluation"),
}


def other(lang: str) -> str:
    """The other language of fr/en."""
    return "en" if lang == "fr" else "fr"


def normalise(body: str) -> str:
    """Canonical body: no leading blank lines, exactly one trailing newline (or empty)."""
    body = body.replace("\r\n", "\n").strip("\n")
    return f"{body}\n" if body.strip() else ""


def split_body(text: str) -> tuple[str, str | None, str, int]:
    """(original, marker language or None, translation, number of markers) of a file's body."""
    text = text.replace("\r\n", "\n")
    markers = list(MARKER_RE.finditer(text))
    if not markers:
        return normalise(text), None, "", 0
    first = markers[0]
    return (
        normalise(text[: first.start()]),
        first.group("lang"),
        normalise(text[first.end() :]),
        len(markers),
    )


def join_body(original: str, language: str, translation: str) -> str:
    """The canonical file body: original, blank line, marker, blank line, translation."""
    if not translation:
        return original
    marker = MARKER.format(lang=other(language))
    return f"{original}\n{marker}\n\n{translation}" if original else f"{marker}\n\n{translation}"


def headings(body: str) -> tuple[str, ...]:
    """The level-2 headings of a Markdown body, in order."""
    return tuple(m.group(1).strip() for m in re.finditer(r"^## +(.+)$", body, re.MULTILINE))


def pair(value: Any, language: str) -> tuple[Any, Any]:
    """(original, translation) of a field that is a plain value or a {fr, en} map."""
    if isinstance(value, dict):
        return value.get(language), value.get(other(language))
    return value, None


def names(value: Any) -> tuple[Any, Any]:
    """(English, French or None) of a name that is plain (same in both) or a {fr, en} map."""
    if isinstance(value, dict):
        en, fr = value.get("en"), value.get("fr")
        return en, (fr if fr != en else None)
    return value, None


def name_map(en: str | None, fr: str | None) -> str | dict[str, str] | None:
    """The front-matter form of a name: plain when the same in both languages, else {fr, en}."""
    if en is None or not fr or fr == en:
        return en
    return {"fr": fr, "en": en}


def text_map(
    original: str | None, translation: str | None, language: str
) -> str | dict[str, str] | None:
    """The front-matter form of evaluation/lessons: plain original, or {fr, en} with both."""
    if not translation:
        return original
    values = {language: original or "", other(language): translation}
    return {"fr": values["fr"], "en": values["en"]}
