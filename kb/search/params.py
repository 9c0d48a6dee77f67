"""Search parameters from a query string, shared by the HTML search page and the JSON API.

Lenient by design: a value that cannot be used is dropped or clamped and reported in `notices`,
so a hand-edited or stale URL still gives a sensible page instead of an error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

from indexer import Query
from kb.catalogue.taxonomy import Vocabulary

MAX_QUERY_CHARS = 500
MAX_VALUES_PER_FACET = 20
MAX_PAGE = 1000
SORTS = ("relevance", "newest", "title")
FACET_PARAMS = ("theme", "country", "city", "approach", "target", "language", "year", "evidence")
TAXONOMY_FACETS = {
    "theme": "theme",
    "approach": "approach",
    "target": "target",
    "evidence": "evidence",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class SearchParams:
    query: Query
    notices: list[str] = field(default_factory=list)
    # A collection's slug: results are limited to its practices (kb.search, `within=`).
    collection: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.query.text and not any(self.query.filters.values())


def clean_text(value: str) -> str:
    """Drop control characters and normalise Unicode, so odd input cannot upset the engine."""
    return unicodedata.normalize("NFC", _CONTROL.sub(" ", value)).strip()


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def parse(
    args: MultiDict[str, str],
    *,
    vocabulary: Vocabulary,
    lang: str,
    max_per_page: int = 100,
    default_per_page: int = 20,
) -> SearchParams:
    notices: list[str] = []
    text = clean_text(args.get("q", ""))
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append("query_truncated")
    filters: dict[str, tuple[str, ...]] = {}
    for name in FACET_PARAMS:
        values: list[str] = []
        for raw in args.getlist(name)[: MAX_VALUES_PER_FACET * 2]:
            value = clean_text(raw)
            if value and _valid(name, value, vocabulary) and value not in values:
                values.append(value if name != "country" else value.upper())
            elif value:
                notices.append("unknown_filter")
        if values:
            filters[name] = tuple(values[:MAX_VALUES_PER_FACET])
    sort = args.get("sort", "relevance")
    if sort not in SORTS:
        sort = "relevance"
    page = _int(args.get("page"), 1)
    if page < 1 or page > MAX_PAGE:
        notices.append("page_out_of_range")
        page = min(max(page, 1), MAX_PAGE)
    per_page = _int(args.get("per_page"), default_per_page)
    if per_page < 1 or per_page > max_per_page:
        notices.append("per_page_clamped")
        per_page = min(max(per_page, 1), max_per_page)
    text = _city_ids(text, vocabulary)
    query = Query(text=text, filters=filters, sort=sort, lang=lang, page=page, per_page=per_page)
    collection = clean_text(args.get("collection", ""))
    if collection and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", collection[:120]):
        notices.append("unknown_filter")
        collection = ""
    return SearchParams(query, sorted(set(notices)), collection[:120])


_CITY_FILTER = re.compile(r'\bcity:(?:"([^"]+)"|(\S+))', re.IGNORECASE)


def _fold(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _city_ids(text: str, vocabulary: Vocabulary) -> str:
    """`city:Londres` or `city:"Grand Manchester"` in either language becomes the city's id."""
    if "city:" not in text.lower():
        return text
    names = {
        _fold(name): term.slug
        for term in vocabulary.terms.get("city", ())
        for name in (term.label_fr, term.label_en, term.slug)
    }

    def replace(match: re.Match[str]) -> str:
        slug = names.get(_fold(match.group(1) or match.group(2)))
        return f"city:{slug}" if slug else match.group(0)

    return _CITY_FILTER.sub(replace, text)


def _valid(name: str, value: str, vocabulary: Vocabulary) -> bool:
    if name in TAXONOMY_FACETS:
        return value in vocabulary.slugs(TAXONOMY_FACETS[name])
    if name == "country":
        return bool(re.fullmatch(r"[A-Za-z]{2}", value))
    if name == "language":
        return value in ("fr", "en")
    if name == "year":
        return bool(re.fullmatch(r"\d{4}", value))
    return len(value) <= 100  # city
