"""The JSON API under /api/v1: search, suggestions and full practice records.

It is the resource centre's contract: parameters are those of the search page plus `per_page`
(at most 100) and `lang` (fr|en) for labels; errors are JSON with a status and a message.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from kb import bilingual, catalogue, index_ext, practices, search, sources
from kb.db import get_session
from kb.errors import BadRequest
from kb.i18n import LANGS
from kb.index_ext import load_vocabulary, usable_index, vocabulary
from kb.models import Practice
from kb.urls import external_url
from kb.views import params

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _lang() -> str:
    lang = request.args.get("lang", "en")
    if lang not in LANGS:
        raise BadRequest(f"lang: expected one of {', '.join(LANGS)}, got {lang[:20]!r}")
    return lang


def practice_record(practice: Practice) -> dict[str, Any]:
    """The full public record of a practice."""
    record = practices.to_data(get_session(), practice).snapshot()
    vocab = vocabulary()
    record["version"] = practice.version
    record["updated_at"] = practice.updated_at.isoformat()
    record["published_at"] = practice.published_at.isoformat() if practice.published_at else None
    # Issue 11: the translated side is named by its language; honest dates; city names.
    record["translation_language"] = (
        bilingual.other(practice.language) if practice.body_translation else None
    )
    record["changed_at"] = practice.changed_at.isoformat() if practice.changed_at else None
    record["city_names"] = [
        {"id": c, "fr": vocab.city(c, "fr"), "en": vocab.city(c, "en")} for c in practice.cities
    ]
    for source in record["sources"]:
        source["unofficial_copy"] = sources.is_unofficial_copy(source["url"])
    record["urls"] = {
        lang: external_url("public.practice", lang=lang, slug=practice.slug)
        for lang in LANGS
    }
    return record


@bp.get("/practices/<slug>")
def practice(slug: str) -> ResponseReturnValue:
    return jsonify(practice_record(practices.get_by_slug(get_session(), slug)))


@bp.get("/search")
def search_api() -> ResponseReturnValue:
    lang = _lang()
    session = get_session()
    vocab = load_vocabulary(session)
    parsed = params.parse(request.args, vocabulary=vocab, lang=lang)
    searched = index_ext.run_search(session, parsed.query, correct=not request.args.get("exact"))
    found, corrected_from = searched.found, searched.corrected_from
    results, query = found.results, found.results.query
    notices = parsed.notices + (["search_rebuilding"] if searched.degraded else [])
    hits = {hit.id: hit for hit in results.hits}
    terms = search.terms_by_practice(session, [p.id for p in found.practices if p.id is not None])
    return jsonify(
        {
            "query": query.text,
            "total": results.total,
            "page": query.page,
            "per_page": query.per_page,
            "sort": query.sort,
            "suggestion": results.suggestion,
            "corrected_from": corrected_from,
            "relaxed": results.relaxed,
            "notices": notices,
            "degraded": searched.degraded,
            "results": [
                {
                    "slug": p.slug,
                    "title": p.title(lang),
                    "summary": p.summary(lang),
                    "city": p.city,
                    "cities": p.cities,
                    "city_names": [vocab.city(c, lang) for c in p.cities],
                    "country": p.country,
                    "themes": terms.get(p.id or 0, {}).get("theme", []),
                    "language": p.language,
                    "url": external_url("public.practice", lang=lang, slug=p.slug),
                    "snippet": hits[p.id].snippet if p.id in hits else "",
                }
                for p in found.practices
            ],
            "facets": catalogue.facet_view(vocab, results.facets, lang),
        }
    )


@bp.get("/suggest")
def suggest() -> ResponseReturnValue:
    lang = _lang()
    prefix = params.clean_text(request.args.get("q", ""))[:100]
    session = get_session()
    load_vocabulary(session)
    index = usable_index(session)
    items: list[dict[str, str]] = []
    if len(prefix) >= 2 and index is not None:
        items = [
            {
                "kind": s.kind,
                "value": s.value,
                "label": vocabulary().city(s.value, lang) if s.kind == "city" else s.label,
            }
            for s in search.suggest(index=index, vocabulary=vocabulary(), prefix=prefix, lang=lang)
        ]
    return jsonify({"query": prefix, "suggestions": items})
