"""Practitioners' pages in French and English: home, practice, About, editorial pages, sitemap.

The search pages (search, a facet's values, theme, country) are `kb.public.search_views`, on
the same blueprint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import (
    Response,
    current_app,
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
from sqlmodel import col, select

from kb.catalogue import pages
from kb.catalogue.fields import ACTIVITY_STATUSES
from kb.collections import reads as collection_reads
from kb.errors import KBError, NotFound
from kb.models import Practice
from kb.public import display_views as display
from kb.public import presenting as catalogue
from kb.public.blueprint import FACET_TITLES, bp, root
from kb.search import health as search_health
from kb.search import service as index_ext
from kb.search.service import load_vocabulary, usable_index, vocabulary
from kb.text.markdown import render
from kb.web.database import get_session
from kb.web.i18n import LANGS, preferred_lang
from kb.web.urls import external_url


def _language_name(code: str, in_sentence: bool = False) -> str:
    """'Anglais' as a label, 'anglais' inside a French sentence; English keeps its capital."""
    name = catalogue.facet_label(vocabulary(), "language", code, g.lang)
    return name.lower() if in_sentence and g.lang == "fr" else name


@bp.app_context_processor  # for the whole app: the moderation preview renders practice pages
def helpers() -> dict[str, Any]:
    vocab = vocabulary()
    return {
        "vocab": vocab,
        **display.helpers(),
        "translated_from": lambda original: (
            _("Translated from English") if original == "en" else _("Translated from French")
        ),
        "country_name": lambda code, lang: catalogue.facet_label(vocab, "country", code, lang),
        "language_name": _language_name,
        "facet_titles": lambda: [(name, title()) for name, title in FACET_TITLES],
        "status_label": lambda status: _(ACTIVITY_STATUSES.get(status, status)),
    }


@root.get("/")
def choose_language() -> ResponseReturnValue:
    response = redirect(url_for("public.home", lang=preferred_lang()), code=302)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@bp.get("/")
def home() -> ResponseReturnValue:
    session = get_session()
    load_vocabulary(session)
    cache = current_app.extensions.setdefault("kb.overview", catalogue.OverviewCache())
    overview = catalogue.overview(
        session=session, vocabulary=vocabulary(), lang=g.lang, cache=cache
    )
    return render_template(
        "public/home.html", overview=overview, feed_url=url_for("feeds.overall")
    )


@bp.get("/practices/<slug>")
def practice(slug: str) -> ResponseReturnValue:
    session = get_session()
    load_vocabulary(session)
    try:
        page = _practice_page(slug)
    except NotFound:
        archived = session.exec(
            select(Practice.id).where(Practice.slug == slug, Practice.state == "archived")
        ).first()
        if archived is None:
            raise
        return render_template("public/gone.html", slug=slug), 410
    url = external_url("public.practice", slug=slug)
    in_collections = collection_reads.containing(session, page.practice.id or 0)
    html = render_template(
        "public/practice.html",
        page=page,
        **display.practice_texts(page.practice, g.lang),
        citation=catalogue.citation(page, url=url, lang=g.lang),
        json_ld=catalogue.json_ld(page, url=url, lang=g.lang, vocabulary=vocabulary()),
        vocab=vocabulary(),
        canonical_url=url,
        in_collections=in_collections,
    )
    response = make_response(html)
    # The page lists its collections: publishing or renaming one changes the page too.
    response.last_modified = max(
        [page.practice.updated_at, *(c.updated_at for c in in_collections)]
    )
    response.add_etag()
    return response.make_conditional(request)


def _practice_page(slug: str) -> catalogue.PracticePage:
    """The practice page; an index that fails only costs it the related practices."""
    session = get_session()
    index = usable_index(session)
    try:
        return catalogue.practice_page(session=session, index=index, slug=slug)
    except KBError:
        raise
    except Exception as exc:
        if index is None:
            raise
        session.rollback()
        index_ext.index_failed(exc)
        return catalogue.practice_page(session=session, index=None, slug=slug)


@bp.get("/about")
def about() -> ResponseReturnValue:
    page = pages.get(get_session(), "about", g.lang)
    return render_template("public/about.html", page=page, body_html=render(page.body))


def publisher_name() -> str:
    """KB_PUBLISHER, or a plain statement that none is declared."""
    return str(current_app.config.get("KB_PUBLISHER") or _(
        "the contributors of the kb project (no publishing organisation is declared for this "
        "installation)"
    ))


# Legal notice, privacy and accessibility statements: content pages naming the site, and
# placeholders filled from the settings, each with what the page says when it is unset.
EDITORIAL_PAGES = ("legal", "privacy", "accessibility")
PLACEHOLDERS: dict[str, Callable[[], str]] = {
    "{site_name}": lambda: str(current_app.config["KB_SITE_NAME"]),
    "{publisher}": publisher_name,
    "{publication_director}": lambda: str(
        current_app.config.get("KB_PUBLICATION_DIRECTOR")
        or _("the legal representative of the publisher (the name is not declared yet)")
    ),
    "{host}": lambda: str(
        current_app.config.get("KB_HOST")
        or _(
            "a provider whose name, address and telephone number are not declared yet for this "
            "installation (the publisher gives them on request)"
        )
    ),
}


def _editorial(slug: str) -> ResponseReturnValue:
    page = pages.get(get_session(), slug, g.lang)
    body = page.body
    for placeholder, value in PLACEHOLDERS.items():
        if placeholder in body:
            body = body.replace(placeholder, value())
    return render_template("public/about.html", page=page, body_html=render(body))


for _slug in EDITORIAL_PAGES:
    bp.add_url_rule(f"/{_slug}", _slug, lambda _slug=_slug: _editorial(_slug))


@root.get("/robots.txt")
def robots() -> ResponseReturnValue:
    lines = [
        "User-agent: *",
        "Disallow: /api/",
        "Disallow: /*/search",
        f"Sitemap: {external_url('root.sitemap')}",
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain")


@root.get("/sitemap.xml")
def sitemap() -> ResponseReturnValue:
    session = get_session()
    vocab = load_vocabulary(session)
    rows = session.exec(
        select(Practice.slug, Practice.updated_at)
        .where(Practice.state == "published")
        .order_by(col(Practice.slug))
    ).all()
    entries: list[tuple[str, str | None]] = []
    for lang in LANGS:
        entries.append((external_url("public.home", lang=lang), None))
        entries.append((external_url("public.about", lang=lang), None))
        for slug in EDITORIAL_PAGES:
            entries.append((external_url(f"public.{slug}", lang=lang), None))
        for slug, updated in rows:
            entries.append(
                (
                    external_url("public.practice", lang=lang, slug=slug),
                    updated.date().isoformat(),
                )
            )
        for term in vocab.terms.get("theme", ()):
            entries.append((external_url("public.theme", lang=lang, slug=term.slug), None))
        for c in collection_reads.published(session):
            entries.append(
                (
                    external_url("collections.show", lang=lang, slug=c.slug),
                    c.updated_at.date().isoformat(),
                )
            )
    xml = render_template("sitemap.xml", entries=entries)
    return Response(xml, mimetype="application/xml")


@root.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 with the figures, or 503 with the reason (database, rebuilding, cannot write, lag)."""
    status, body = search_health.health(
        get_session(), max_lag=int(current_app.config["KB_HEALTH_MAX_LAG"])
    )
    return jsonify(body), status


# The search pages add their routes to `bp`: importing them here makes the blueprint whole.
