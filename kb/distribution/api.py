"""The JSON API under /api/v1: search, suggestions, full records, changes feed, OpenAPI.

It is the resource centre's contract: parameters are those of the search page plus `per_page`
(at most 100) and `lang` (fr|en) for labels; errors are JSON with a status and a message.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from kb.catalogue import records
from kb.catalogue.reads import get_by_slug
from kb.collections import reads as collection_reads
from kb.distribution import changes, exports, openapi
from kb.errors import N_, BadRequest
from kb.public import presenting as catalogue
from kb.search import documents as search_documents
from kb.search import index_sync as search
from kb.search import params
from kb.search import service as index_ext
from kb.search.service import load_vocabulary, usable_index, vocabulary
from kb.web.database import get_session
from kb.web.i18n import LANGS
from kb.web.record_urls import practice_urls, record_url
from kb.web.urls import external_url

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _lang() -> str:
    lang = request.args.get("lang", "en")
    if lang not in LANGS:
        raise BadRequest(
            N_("lang: expected one of %(choices)s, got %(lang)r"),
            choices=", ".join(LANGS),
            lang=lang[:20],
        )
    return lang


@bp.get("/practices/<slug>")
def practice(slug: str) -> ResponseReturnValue:
    session = get_session()
    found = get_by_slug(session, slug)
    response = jsonify(records.practice_record(session, found, urls=practice_urls))
    response.last_modified = found.updated_at
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/changes")
def changes_feed() -> ResponseReturnValue:
    since = changes.parse_cursor(request.args.get("since"))
    limit = changes.parse_limit(request.args.get("limit"))
    session = get_session()
    page = changes.read(session, since=since, limit=limit)
    next_url = external_url("api.changes_feed", since=str(page.next_cursor), limit=limit)
    response = jsonify(
        {
            "changes": changes.to_json(
                session, page, urls=practice_urls, collection_url=record_url
            ),
            "next": str(page.next_cursor),
            "next_url": next_url,
            "caught_up": page.caught_up,
        }
    )
    if not page.caught_up:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


@bp.get("/search")
def search_api() -> ResponseReturnValue:
    lang = _lang()
    session = get_session()
    vocab = load_vocabulary(session)
    parsed = params.parse(request.args, vocabulary=vocab, lang=lang)
    within = (
        collection_reads.practice_ids(session, parsed.collection) if parsed.collection else None
    )
    if parsed.collection and within is None:
        parsed.notices = sorted({*parsed.notices, "unknown_filter"})
    searched = index_ext.run_search(
        session, parsed.query, correct=not request.args.get("exact"), within=within
    )
    found, corrected_from = searched.found, searched.corrected_from
    results, query = found.results, found.results.query
    notices = parsed.notices + (["search_rebuilding"] if searched.degraded else [])
    hits = {hit.id: hit for hit in results.hits}
    shown = [p.id for p in found.practices if p.id is not None]
    terms = search_documents.terms_by_practice(session, shown)
    links = _page_links(query.page, query.per_page, results.total)
    response = jsonify(
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
            "next": links.get("next"),
            "previous": links.get("prev"),
        }
    )
    if links:
        response.headers["Link"] = ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items())
    return response


def _page_links(page: int, per_page: int, total: int) -> dict[str, str]:
    """`next` and `prev` URLs of a search page (the same parameters, another page)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "page"]
    base = external_url("api.search_api")
    links = {}
    if page * per_page < total:
        links["next"] = f"{base}?{urlencode([*args, ('page', str(page + 1))])}"
    if page > 1:
        links["prev"] = f"{base}?{urlencode([*args, ('page', str(page - 1))])}"
    return links


@bp.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    return jsonify(openapi.document(version=exports.kb_version()))


@bp.after_request
def cors(response: Response) -> Response:
    """Any origin may read the API; only GET (and its HEAD and preflight OPTIONS) are allowed."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "Link, ETag, Last-Modified"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


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
