"""Public collection pages: /<lang>/collections/ and /<lang>/collections/<slug> (published only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, g, make_response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kb.collections import reads as collection_reads
from kb.distribution.exports import pdf
from kb.models import Collection
from kb.public import presenting as catalogue
from kb.search.service import get_index, vocabulary
from kb.text.markdown import render
from kb.web.database import get_session
from kb.web.i18n import install_lang

bp = Blueprint("collections", __name__, url_prefix="/<lang>/collections")
install_lang(bp)


@bp.context_processor
def helpers() -> dict[str, Any]:
    vocab = vocabulary()
    return {"country_name": lambda code, lang: catalogue.facet_label(vocab, "country", code, lang)}


@bp.get("/")
def index() -> ResponseReturnValue:
    session = get_session()
    listing = collection_reads.published(session)
    return render_template(
        "collections/index.html",
        collections=listing,
        counts=collection_reads.counts(session, listing),
    )


def last_change(collection: Collection, entries: list[collection_reads.Entry]) -> datetime:
    """The page changes with the collection and with any of its practices."""
    return max([collection.updated_at, *(e.practice.updated_at for e in entries if e.practice)])


@bp.get("/<slug>")
def show(slug: str) -> ResponseReturnValue:
    session = get_session()
    get_index(session)  # loads the vocabulary (country names)
    collection, entries = collection_reads.public(session, slug)
    html = render_template(
        "collections/show.html",
        collection=collection,
        entries=entries,
        intro_html=render(collection.intro(g.lang)),
        note_html=lambda entry: render(entry.note(g.lang)),
        canonical_url=url_for("collections.show", slug=slug, _external=True),
        feed_url=url_for("feeds.collection", slug=slug),
        pdf_available=pdf.available(),
    )
    response = make_response(html)
    response.last_modified = last_change(collection, entries)
    response.add_etag()
    return response.make_conditional(request)
