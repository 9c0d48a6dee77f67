"""Practitioners' pages in French and English: home, search, practice, theme, country, About."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import text
from sqlmodel import col, select

from kb import catalogue, pages, search
from kb.db import get_session
from kb.errors import NotFound
from kb.i18n import LANGS, install_lang, preferred_lang
from kb.index_ext import get_index, result_cache, vocabulary
from kb.markdown import render
from kb.models import Practice
from kb.views import params

bp = Blueprint("public", __name__, url_prefix="/<lang>")
install_lang(bp)
root = Blueprint("root", __name__)

NOTICES = {
    "query_truncated": lambda: _("Your search was too long and has been shortened."),
    "unknown_filter": lambda: _("A filter in the address was not recognised and has been ignored."),
    "page_out_of_range": lambda: _("That page number does not exist; showing the nearest page."),
    "per_page_clamped": lambda: _("The number of results per page has been adjusted."),
}


FACET_TITLES = (
    ("theme", lambda: _("Theme")),
    ("country", lambda: _("Country")),
    ("city", lambda: _("City")),
    ("approach", lambda: _("Approach")),
    ("target", lambda: _("Target group")),
    ("evidence", lambda: _("Evidence")),
    ("language", lambda: _("Language of the text")),
    ("year", lambda: _("Start year")),
)
STATUS_LABELS = {
    "ongoing": lambda: _("Ongoing"),
    "ended": lambda: _("Ended"),
    "unknown": lambda: _("Unknown (no recent source)"),
}


def _language_name(code: str, in_sentence: bool = False) -> str:
    """'Anglais' as a label, 'anglais' inside a French sentence; English keeps its capital."""
    name = catalogue.facet_label(vocabulary(), "language", code, g.lang)
    return name.lower() if in_sentence and g.lang == "fr" else name


@bp.app_context_processor  # for the whole app: the moderation preview renders practice pages
def helpers() -> dict[str, Any]:
    vocab = vocabulary()
    return {
        "vocab": vocab,
        "country_name": lambda code, lang: catalogue.facet_label(vocab, "country", code, lang),
        "language_name": _language_name,
        "facet_titles": lambda: [(name, title()) for name, title in FACET_TITLES],
        "status_label": lambda status: STATUS_LABELS.get(status, lambda: status)(),
    }


@root.get("/")
def choose_language() -> ResponseReturnValue:
    response = redirect(url_for("public.home", lang=preferred_lang()), code=302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/")
def home() -> ResponseReturnValue:
    session = get_session()
    get_index(session)  # loads the vocabulary and catches the index up
    overview = catalogue.overview(session=session, vocabulary=vocabulary(), lang=g.lang)
    return render_template("public/home.html", overview=overview)


def _search_context(preset: dict[str, str] | None = None) -> dict[str, Any]:
    """Run the search of the current request (plus `preset` filters) and build the page context."""
    session = get_session()
    index = get_index(session)
    vocab = vocabulary()
    args = request.args.copy()
    for name, value in (preset or {}).items():
        if value not in args.getlist(name):
            args.add(name, value)
    parsed = params.parse(args, vocabulary=vocab, lang=g.lang)
    found = search.search(session=session, index=index, query=parsed.query, cache=result_cache())
    results = found.results
    query = parsed.query
    pages_count = max(1, math.ceil(results.total / query.per_page))
    hits = {hit.id: hit for hit in results.hits}
    facets = catalogue.facet_view(vocab, results.facets, g.lang)
    chips = [
        {
            "facet": name,
            "value": value,
            "label": catalogue.facet_label(vocab, name, value, g.lang),
            "url": _url_without(args, name, value),
        }
        for name, values in query.filters.items()
        for value in values
        if (preset or {}).get(name) != value
    ]
    return {
        "query": query,
        "results": results,
        "practices": found.practices,
        "hits": hits,
        "facets": facets,
        "chips": chips,
        "notices": [NOTICES[n]() for n in parsed.notices],
        "pages_count": pages_count,
        "page_url": lambda page: _url_with_page(args, page),
        "sort_options": [
            ("relevance", _("Relevance")),
            ("newest", _("Newest")),
            ("title", _("Title")),
        ],
        "vocab": vocab,
        "preset": preset or {},
    }


def _url_without(args: Any, name: str, value: str) -> str:
    kept = [
        (k, v) for k, v in args.items(multi=True) if not (k == name and v == value) and k != "page"
    ]
    return url_for("public.search_page") + ("?" + urlencode(kept) if kept else "")


def _url_with_page(args: Any, page: int) -> str:
    kept = [(k, v) for k, v in args.items(multi=True) if k != "page"] + [("page", str(page))]
    return f"{request.path}?{urlencode(kept)}"


@bp.get("/search")
def search_page() -> ResponseReturnValue:
    return render_template("public/search.html", **_search_context())


@bp.get("/themes/<slug>")
def theme(slug: str) -> ResponseReturnValue:
    get_index(get_session())
    term = vocabulary().get("theme", slug)
    if term is None:
        abort(404, _("There is no theme called “%(slug)s”.", slug=slug))
    context = _search_context({"theme": slug})
    return render_template("public/theme.html", term=term, **context)


@bp.get("/countries/<code>")
def country(code: str) -> ResponseReturnValue:
    if code != code.upper():
        return redirect(url_for("public.country", code=code.upper()), code=301)
    session = get_session()
    exists = session.exec(
        select(Practice.id).where(Practice.country == code, Practice.state == "published").limit(1)
    ).first()
    if exists is None:
        abort(404, _("No published practice comes from the country “%(code)s”.", code=code))
    context = _search_context({"country": code})
    name = catalogue.facet_label(vocabulary(), "country", code, g.lang)
    return render_template("public/country.html", code=code, name=name, **context)


@bp.get("/practices/<slug>")
def practice(slug: str) -> ResponseReturnValue:
    session = get_session()
    index = get_index(session)
    try:
        page = catalogue.practice_page(session=session, index=index, slug=slug)
    except NotFound:
        archived = session.exec(
            select(Practice.id).where(Practice.slug == slug, Practice.state == "archived")
        ).first()
        if archived is None:
            raise
        return render_template("public/gone.html", slug=slug), 410
    url = url_for("public.practice", slug=slug, _external=True)
    html = render_template(
        "public/practice.html",
        page=page,
        body_html=render(page.practice.body),
        lessons_html=render(page.practice.lessons or ""),
        citation=catalogue.citation(page, url=url, lang=g.lang),
        json_ld=catalogue.json_ld(page, url=url, lang=g.lang),
        vocab=vocabulary(),
        canonical_url=url,
    )
    response = make_response(html)
    response.last_modified = page.practice.updated_at
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/about")
def about() -> ResponseReturnValue:
    page = pages.get(get_session(), "about", g.lang)
    return render_template("public/about.html", page=page, body_html=render(page.body))


@root.get("/robots.txt")
def robots() -> ResponseReturnValue:
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /*/search",
        f"Sitemap: {url_for('root.sitemap', _external=True)}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


@root.get("/sitemap.xml")
def sitemap() -> ResponseReturnValue:
    session = get_session()
    get_index(session)
    rows = session.exec(
        select(Practice.slug, Practice.updated_at)
        .where(Practice.state == "published")
        .order_by(col(Practice.slug))
    ).all()
    entries: list[tuple[str, str | None]] = []
    for lang in LANGS:
        entries.append((url_for("public.home", lang=lang, _external=True), None))
        entries.append((url_for("public.about", lang=lang, _external=True), None))
        for slug, updated in rows:
            entries.append(
                (
                    url_for("public.practice", lang=lang, slug=slug, _external=True),
                    updated.date().isoformat(),
                )
            )
        for term in vocabulary().terms.get("theme", ()):
            entries.append(
                (url_for("public.theme", lang=lang, slug=term.slug, _external=True), None)
            )
    xml = render_template("sitemap.xml", entries=entries)
    return Response(xml, mimetype="application/xml")


@root.get("/healthz")
def healthz() -> ResponseReturnValue:
    session = get_session()
    session.execute(text("SELECT 1"))
    index = get_index(session)
    lag = search.latest_change_id(session) - index.last_change_id()
    return jsonify(status="ok", database="ok", index_documents=index.doc_count(), index_lag=lag)
