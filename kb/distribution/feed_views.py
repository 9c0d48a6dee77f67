"""Atom feeds: new and updated practices overall, per theme, per country, per collection and for
any search."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, g, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlmodel import Session

from kb.catalogue import records
from kb.collections import reads as collection_reads
from kb.distribution import exports, feeds
from kb.models import Practice
from kb.public import presenting as catalogue
from kb.search import params
from kb.search.service import get_index, vocabulary
from kb.web.database import get_session
from kb.web.i18n import install_lang
from kb.web.record_urls import practice_urls
from kb.web.urls import external_url

bp = Blueprint("feeds", __name__, url_prefix="/<lang>")
install_lang(bp)


def _respond(
    session: Session,
    key: str,
    title: str,
    page_url: str,
    chosen: list[Practice],
    changed_at: datetime | None = None,
) -> Response:
    info = feeds.FeedInfo(
        key=key,
        title=title,
        subtitle=_("New and updated practices in the kb knowledge base"),
        lang=g.lang,
        self_url=request.url,
        page_url=page_url,
        changed_at=changed_at,
    )
    entries = records.practice_records(session, chosen, urls=practice_urls)
    vocab = vocabulary()
    body = feeds.render(info, entries, theme_label=lambda s: vocab.label("theme", s, g.lang))
    response = Response(body, mimetype=feeds.MEDIA_TYPE)
    response.headers["Content-Type"] = f"{feeds.MEDIA_TYPE}; charset=utf-8"
    return response


@bp.get("/feed.atom")
def overall() -> ResponseReturnValue:
    session = get_session()
    get_index(session)
    return _respond(
        session,
        "all",
        _("kb: new and updated practices"),
        external_url("public.home"),
        feeds.latest_published(session),
    )


@bp.get("/themes/<slug>/feed.atom")
def theme(slug: str) -> ResponseReturnValue:
    session = get_session()
    get_index(session)
    term = vocabulary().get("theme", slug)
    if term is None:
        abort(404, _("There is no theme called “%(slug)s”.", slug=slug))
    return _respond(
        session,
        f"theme:{slug}",
        _("kb: practices on %(theme)s", theme=term.label(g.lang)),
        external_url("public.theme", slug=slug),
        feeds.latest_published(session, theme=slug),
    )


@bp.get("/countries/<code>/feed.atom")
def country(code: str) -> ResponseReturnValue:
    session = get_session()
    get_index(session)
    code = code.upper()
    if len(code) != 2 or not code.isalpha():
        abort(404)
    name = catalogue.facet_label(vocabulary(), "country", code, g.lang)
    return _respond(
        session,
        f"country:{code}",
        _("kb: practices in %(country)s", country=name),
        external_url("public.country", code=code),
        feeds.latest_published(session, country=code),
    )


@bp.get("/collections/<slug>/feed.atom")
def collection(slug: str) -> ResponseReturnValue:
    """A published collection's practices, most recently changed first."""
    session = get_session()
    get_index(session)
    found, entries = collection_reads.public(session, slug)
    chosen = feeds.latest([[e.practice for e in entries if e.practice is not None]])
    return _respond(
        session,
        f"collection:{slug}",
        _("kb collection: %(title)s", title=found.title(g.lang)),
        external_url("collections.show", slug=slug),
        chosen,
        changed_at=found.updated_at,
    )


@bp.get("/search/feed.atom")
def search() -> ResponseReturnValue:
    session = get_session()
    index = get_index(session)
    parsed = params.parse(request.args, vocabulary=vocabulary(), lang=g.lang)
    if parsed.is_empty:
        chosen = feeds.latest_published(session)
    else:
        selection = exports.by_search(session, index, parsed.query, source={})
        chosen = feeds.latest(selection.practices())
    query = urlencode(sorted(feed_args()))
    page_url = external_url("public.search_page") + (f"?{query}" if query else "")
    title = (
        _("kb: practices for “%(q)s”", q=parsed.query.text)
        if parsed.query.text
        else _("kb: practices of a search")
    )
    return _respond(session, f"search:{query}", title, page_url, chosen)


def feed_args() -> list[tuple[str, str]]:
    """The search parameters that decide a feed's content (not page, sort or per_page)."""
    return [
        (k, v)
        for k, v in request.args.items(multi=True)
        if k == "q" or k in params.FACET_PARAMS
    ]
