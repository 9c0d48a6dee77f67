"""Exports and the print booklet of a search, a personal selection or the whole catalogue.

`/<lang>/search/export.{json,csv,zip}` and `/<lang>/search/print` take the search page's
parameters, or `slugs=a,b,c` for a personal selection; with neither they export the whole
catalogue. `/<lang>/collections/<slug>/export.{json,csv,zip}` and `…/print` export a published
collection through the same renderers. Every export streams: a batch of records at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    render_template,
    request,
    stream_with_context,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlmodel import Session

from indexer import Index
from kb.catalogue import meetings as events
from kb.catalogue import records, taxonomy
from kb.collections import collections
from kb.collections import files as collection_files
from kb.collections import reads as collection_reads
from kb.db import get_engine
from kb.distribution import exports
from kb.distribution.exports import booklet, csvfile, jsonfile, markdown_zip, pdf
from kb.errors import N_, BadRequest
from kb.public import views as public
from kb.search import params
from kb.search.service import get_index, vocabulary
from kb.web.database import get_session
from kb.web.i18n import install_lang
from kb.web.record_urls import practice_urls, record_url
from kb.web.security import NO_STORE

bp = Blueprint("exports", __name__, url_prefix="/<lang>")
install_lang(bp)
bp.context_processor(public.helpers)

EXPORT_FORMATS = ("json", "csv", "zip")


def selection(session: Session, index: Index) -> exports.Selection:
    """The practices the request asks for: `slugs=`, a search, or the whole catalogue."""
    raw = request.args.get("slugs")
    if raw is not None:
        return exports.by_slugs(session, records.parse_slugs(raw))
    parsed = params.parse(request.args, vocabulary=vocabulary(), lang=g.lang)
    if parsed.is_empty:
        return exports.catalogue(session)
    query = parsed.query
    source: dict[str, Any] = {"q": query.text, "filters": dict(query.filters), "sort": query.sort}
    return exports.by_search(session, index, query, source=source)


def _filename(ext: str, name: str = "practices") -> str:
    return f"kb-{name}-{datetime.now(UTC):%Y%m%d}.{ext}"


def _stream(
    produce: Callable[[Session], Iterator[Any]], media_type: str, ext: str, *, name: str
) -> Response:
    """Stream `produce(session)`; the session is the generator's own, closed when it ends.

    The request's session is closed at teardown, before a streamed body is read, so a generator
    must not keep using it (it would hold a connection that nobody returns to the pool).
    """
    engine = get_engine(current_app)

    def chunks() -> Iterator[Any]:
        with Session(engine, expire_on_commit=False) as session:
            yield from produce(session)

    response = Response(stream_with_context(chunks()), mimetype=media_type.split(";")[0])
    if "charset" in media_type:
        response.headers["Content-Type"] = media_type
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(ext, name)}"'
    response.headers["Cache-Control"] = NO_STORE
    return response


Choose = Callable[[Session], exports.Selection]


def _check_format(fmt: str) -> str:
    """The CSV dialect asked for, once `fmt` is known to be an export format."""
    if fmt not in EXPORT_FORMATS:
        raise BadRequest(
            N_("format: expected one of %(choices)s, got %(fmt)r"),
            choices=", ".join(EXPORT_FORMATS),
            fmt=fmt[:20],
        )
    dialect = request.args.get("dialect", "standard")
    if fmt == "csv" and dialect not in csvfile.DIALECTS:
        raise BadRequest(
            N_("dialect: expected one of %(choices)s, got %(dialect)r"),
            choices=", ".join(csvfile.DIALECTS),
            dialect=dialect[:20],
        )
    return dialect


def _export(fmt: str, choose: Choose, *, name: str = "practices") -> Response:
    """Stream the selection `choose(session)` gives in `fmt`, with the same renderers for all."""
    dialect = _check_format(fmt)
    get_index(get_session())  # open and catch up the index (and vocabulary) before streaming
    url = request.url

    def produce(session: Session) -> Iterator[Any]:
        chosen = choose(session)
        batches = chosen.batches(session, urls=practice_urls)
        if fmt == "json":
            manifest = exports.manifest(chosen, url=url, fmt="json")
            yield from jsonfile.render(manifest, batches)
        elif fmt == "csv":
            yield from csvfile.render(batches, dialect=dialect)
        else:
            vocab = taxonomy.load(session)
            event_list = [events.to_data(e) for e in events.all_events(session)]
            extra = _collection_file(session, chosen)
            yield from markdown_zip.render(
                batches, vocabulary=vocab, events=event_list, extra=extra
            )

    media = {"json": jsonfile.MEDIA_TYPE, "csv": csvfile.MEDIA_TYPE, "zip": markdown_zip.MEDIA_TYPE}
    return _stream(produce, media[fmt], fmt, name=name)


def _collection_file(session: Session, chosen: exports.Selection) -> list[tuple[str, str]]:
    """A collection's own file for its zip: the practices that travel with it, in order."""
    if chosen.collection is None:
        return []
    collection = collections.get_by_slug(session, chosen.collection["slug"])
    kept = [e for e in collection_reads.entries(session, collection) if e.available]
    file = collection_files.of_collection(collection, kept)
    return [(collection_files.path_of(collection.slug), collection_files.render(file))]


@bp.get("/search/export.<fmt>")
def export(fmt: str) -> ResponseReturnValue:
    return _export(fmt, lambda session: selection(session, get_index(session)))


def _collection_selection(slug: str) -> Choose:
    """The published collection `slug` (404 now, before streaming, for a draft or unknown one)."""
    collections.get_by_slug(get_session(), slug)

    def choose(session: Session) -> exports.Selection:
        collection = collections.get_by_slug(session, slug)
        record = collection_reads.record(session, collection, url=record_url)
        return exports.by_collection(session, collection, record=record)

    return choose


@bp.get("/collections/<slug>/export.<fmt>")
def collection_export(slug: str, fmt: str) -> ResponseReturnValue:
    _check_format(fmt)
    return _export(fmt, _collection_selection(slug), name=f"collection-{slug}")


def _booklet_html(limit: int, chosen: exports.Selection | None = None) -> str:
    session = get_session()
    chosen = chosen or selection(session, get_index(session))
    batches = chosen.batches(session, urls=practice_urls)
    book = booklet.build(batches, lang=g.lang, total=chosen.count, limit=limit)
    return render_template(
        "exports/booklet.html",
        booklet=book,
        selection=chosen,
        collection=_booklet_collection(chosen),
        generated_at=datetime.now(UTC),
        export_url=request.url,
        pdf_available=pdf.available(),
        theme_labels=lambda slugs: ", ".join(vocabulary().label("theme", s, g.lang) for s in slugs),
    )


def _booklet_collection(chosen: exports.Selection) -> booklet.CollectionCover | None:
    if chosen.collection is None:
        return None
    return booklet.collection_cover(chosen.collection, lang=g.lang)


@bp.get("/search/print")
def print_booklet() -> ResponseReturnValue:
    return _booklet_html(booklet.MAX_PRACTICES)


@bp.get("/search/print.pdf")
def print_pdf() -> ResponseReturnValue:
    return _pdf(lambda: _booklet_html(pdf.MAX_PRACTICES))


def _pdf(html_of: Callable[[], str], name: str = "practices") -> Response:
    if not pdf.available():
        abort(404, _("PDF export is not available on this server; use the printable page."))
    body = pdf.render(html_of(), base_url=request.url_root, fetch=_static_file)
    response = Response(body, mimetype=pdf.MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename("pdf", name)}"'
    return response


def _collection_booklet(slug: str, limit: int) -> str:
    return _booklet_html(limit, _collection_selection(slug)(get_session()))


@bp.get("/collections/<slug>/print")
def collection_print(slug: str) -> ResponseReturnValue:
    return _collection_booklet(slug, booklet.MAX_PRACTICES)


@bp.get("/collections/<slug>/print.pdf")
def collection_pdf(slug: str) -> ResponseReturnValue:
    return _pdf(lambda: _collection_booklet(slug, pdf.MAX_PRACTICES), f"collection-{slug}")


def _static_file(url: str) -> tuple[bytes, str] | None:
    """The app's own static files, for the PDF renderer; nothing else is fetched."""
    prefix = request.url_root.rstrip("/") + (current_app.static_url_path or "/static") + "/"
    folder = current_app.static_folder
    if not url.startswith(prefix) or folder is None:
        return None
    name = url[len(prefix) :].split("?")[0]
    path = (Path(folder) / name).resolve()
    if not path.is_file() or Path(folder).resolve() not in path.parents:
        return None
    mime = "text/css" if path.suffix == ".css" else "application/octet-stream"
    return path.read_bytes(), mime


@bp.get("/selection")
def my_selection() -> ResponseReturnValue:
    """A personal selection: the practices of `slugs=`, kept in the URL (and, with JS, locally)."""
    session = get_session()
    slugs = records.parse_slugs(request.args.get("slugs", ""))
    chosen = records.published_by_slugs(session, slugs)
    return render_template(
        "exports/selection.html",
        practices=chosen,
        slugs=",".join(p.slug for p in chosen),
        without=lambda slug: ",".join(p.slug for p in chosen if p.slug != slug),
    )
