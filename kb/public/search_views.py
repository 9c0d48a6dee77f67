"""The search pages on the `public` blueprint: search, a facet's values, a theme, a country.

Each runs the request's search (`_search_context`) and renders the results beside the filters;
the list beside the results shows each facet's most frequent values, its own page all of them.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from flask import abort, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlmodel import select

from kb.collections import collections
from kb.collections import reads as collection_reads
from kb.models import Practice
from kb.public import presenting as catalogue
from kb.public.blueprint import FACET_TITLES, bp
from kb.search import index_sync as search
from kb.search import params
from kb.search import service as index_ext
from kb.search.service import load_vocabulary, vocabulary
from kb.web.database import get_session

NOTICES = {
    "query_truncated": lambda: _("Your search was too long and has been shortened."),
    "unknown_filter": lambda: _("A filter in the address was not recognised and has been ignored."),
    "page_out_of_range": lambda: _("That page number does not exist; showing the nearest page."),
    "per_page_clamped": lambda: _("The number of results per page has been adjusted."),
}



def _search_context(preset: dict[str, str] | None = None) -> dict[str, Any]:
    """Run the search of the current request (plus `preset` filters) and build the page context."""
    session = get_session()
    vocab = load_vocabulary(session)
    args = request.args.copy()
    for name, value in (preset or {}).items():
        if value not in args.getlist(name):
            args.add(name, value)
    parsed = params.parse(args, vocabulary=vocab, lang=g.lang)
    within, collection = _collection_filter(parsed)
    searched = index_ext.run_search(
        session, parsed.query, correct=not args.get("exact"), within=within
    )
    found, corrected_from = searched.found, searched.corrected_from
    results = found.results
    query = results.query
    pages_count = max(1, math.ceil(results.total / query.per_page))
    hits = {hit.id: hit for hit in results.hits}
    shown, facet_totals = catalogue.sidebar_facets(results.facets)
    facets = catalogue.facet_view(vocab, shown, g.lang)
    titles = dict((name, title()) for name, title in FACET_TITLES)
    chips = [
        {
            "facet": name,
            "title": titles.get(name, name),
            "value": value,
            "label": catalogue.facet_label(vocab, name, value, g.lang),
            "url": _url_without(args, name, value),
        }
        for name, values in query.filters.items()
        for value in values
        if (preset or {}).get(name) != value
    ]
    if collection is not None:
        chips.insert(
            0,
            {
                "facet": "collection",
                "value": collection.slug,
                "label": _("Collection: %(title)s", title=collection.title(g.lang)),
                "url": _url_without(args, "collection", collection.slug),
            },
        )
    return {
        "query": query,
        "results": results,
        "practices": found.practices,
        "hits": hits,
        "facets": facets,
        "all_facets": results.facets,
        "facet_totals": facet_totals,
        "facet_values_url": lambda name: (
            url_for("public.facet_values", facet=name)
            + _encoded([(k, v) for k, v in args.items(multi=True) if k != "page"])
        ),
        "chips": chips,
        "notices": [NOTICES[n]() for n in parsed.notices],
        "degraded": searched.degraded,
        "pages_count": pages_count,
        "page_url": lambda page: _url_with_page(args, page),
        "sort_options": [
            ("relevance", _("Relevance")),
            ("newest", _("Newest")),
            ("title", _("Title")),
        ],
        "vocab": vocab,
        "preset": preset or {},
        "corrected_from": corrected_from,
        "search_instead_url": _url_with_text(args, corrected_from) if corrected_from else "",
        "feed_url": url_for("feeds.search") + _query_of(args),
        "export_query": urlencode(
            [(k, v) for k, v in args.items(multi=True) if k not in ("page", "per_page")]
        ),
    }


def _encoded(pairs: list[tuple[str, str]]) -> str:
    return "?" + urlencode(pairs) if pairs else ""


def _query_of(args: Any) -> str:
    kept = [(k, v) for k, v in args.items(multi=True) if k not in ("page", "per_page", "sort")]
    return "?" + urlencode(kept) if kept else ""


def _collection_filter(parsed: params.SearchParams) -> tuple[list[int] | None, Any]:
    """The practice ids and the collection of `collection=`; an unknown one is ignored, noticed."""
    if not parsed.collection:
        return None, None
    session = get_session()
    ids = collection_reads.practice_ids(session, parsed.collection)
    if ids is None:
        parsed.notices = sorted({*parsed.notices, "unknown_filter"})
        return None, None
    return ids, collections.get_by_slug(session, parsed.collection)


def _url_without(args: Any, name: str, value: str) -> str:
    kept = [
        (k, v) for k, v in args.items(multi=True) if not (k == name and v == value) and k != "page"
    ]
    return url_for("public.search_page") + ("?" + urlencode(kept) if kept else "")


def _url_with_text(args: Any, text: str) -> str:
    """This search with `text` as typed, not corrected again."""
    kept = [(k, v) for k, v in args.items(multi=True) if k not in ("q", "page", "exact")]
    return f"{request.path}?{urlencode([('q', text), *kept, ('exact', '1')])}"


def _url_with_page(args: Any, page: int) -> str:
    kept = [(k, v) for k, v in args.items(multi=True) if k != "page"] + [("page", str(page))]
    return f"{request.path}?{urlencode(kept)}"


@bp.get("/search")
def search_page() -> ResponseReturnValue:
    return render_template("public/search.html", **_search_context())


@bp.get("/search/filters/<facet>")
def facet_values(facet: str) -> ResponseReturnValue:
    """Every value of one facet for the current search, to choose from when the list beside
    the results shows only the most frequent ones. Works without JavaScript: a plain form."""
    titles = dict(FACET_TITLES)
    if facet not in titles:
        abort(404, _("There is no filter called “%(name)s”.", name=facet))
    context = _search_context()
    values = catalogue.facet_view(
        context["vocab"], {facet: context["all_facets"].get(facet, ())}, g.lang
    )[facet]
    order = "az" if request.args.get("order") == "az" else "count"
    if order == "az":
        values.sort(key=lambda v: (search.fold(v["label"]), v["value"]))
    elif facet == "year":
        values.sort(key=lambda v: v["value"], reverse=True)
    search_args = [(k, v) for k, v in request.args.items(multi=True) if k != "order"]
    here = url_for("public.facet_values", facet=facet)
    return render_template(
        "public/facet_values.html",
        facet=facet,
        facet_title=titles[facet](),
        values=values,
        order=order,
        # The form sends this facet's boxes; every other parameter of the search rides along.
        kept=[(k, v) for k, v in search_args if k not in (facet, "page")],
        order_urls={
            o: here + "?" + urlencode([*search_args, ("order", o)]) for o in ("count", "az")
        },
        back_url=url_for("public.search_page") + _encoded(search_args),
        query=context["query"],
        results=context["results"],
        degraded=context["degraded"],
    )


@bp.get("/themes/<slug>")
def theme(slug: str) -> ResponseReturnValue:
    term = load_vocabulary(get_session()).get("theme", slug)
    if term is None:
        abort(404, _("There is no theme called “%(slug)s”.", slug=slug))
    context = _search_context({"theme": slug})
    context["feed_url"] = url_for("feeds.theme", slug=slug)
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
    context["feed_url"] = url_for("feeds.country", code=code)
    return render_template("public/country.html", code=code, name=name, **context)


