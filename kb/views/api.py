"""The JSON API under /api/v1: search, suggestions and full practice records.

It is the resource centre's contract: parameters are those of the search page plus `per_page`
(at most 100) and `lang` (fr|en) for labels; errors are JSON with a status and a message.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from kb import catalogue, collection_reads, practices, search
from kb.db import get_session
from kb.errors import BadRequest
from kb.i18n import LANGS
from kb.index_ext import get_index, result_cache, vocabulary
from kb.models import Practice
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
    record["version"] = practice.version
    record["updated_at"] = practice.updated_at.isoformat()
    record["published_at"] = practice.published_at.isoformat() if practice.published_at else None
    record["urls"] = {
        lang: url_for("public.practice", lang=lang, slug=practice.slug, _external=True)
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
    index = get_index(session)
    vocab = vocabulary()
    parsed = params.parse(request.args, vocabulary=vocab, lang=lang)
    within = (
        collection_reads.practice_ids(session, parsed.collection) if parsed.collection else None
    )
    if parsed.collection and within is None:
        parsed.notices = sorted({*parsed.notices, "unknown_filter"})
    found = search.search(
        session=session, index=index, query=parsed.query, cache=result_cache(), within=within
    )
    results, query = found.results, parsed.query
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
            "relaxed": results.relaxed,
            "notices": parsed.notices,
            "results": [
                {
                    "slug": p.slug,
                    "title": p.title(lang),
                    "summary": p.summary(lang),
                    "city": p.city,
                    "cities": p.cities,
                    "country": p.country,
                    "themes": terms.get(p.id or 0, {}).get("theme", []),
                    "language": p.language,
                    "url": url_for("public.practice", lang=lang, slug=p.slug, _external=True),
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
    index = get_index(session)
    items: list[dict[str, str]] = []
    if len(prefix) >= 2:
        items = [
            {"kind": s.kind, "value": s.value, "label": s.label}
            for s in search.suggest(index=index, vocabulary=vocabulary(), prefix=prefix, lang=lang)
        ]
    return jsonify({"query": prefix, "suggestions": items})
