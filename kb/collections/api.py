"""/api/v1/collections and /api/v1/collections/<slug>: published collections as JSON, with ETags."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from kb.collections import reads as collection_reads
from kb.collections.views import last_change
from kb.web.database import get_session
from kb.web.record_urls import record_url

bp = Blueprint("api_collections", __name__, url_prefix="/api/v1/collections")


def _conditional(body: object, modified: object = None) -> ResponseReturnValue:
    response = jsonify(body)
    if modified is not None:
        response.last_modified = modified  # type: ignore[assignment]
    response.add_etag()
    return response.make_conditional(request)


@bp.get("")
def index() -> ResponseReturnValue:
    session = get_session()
    listing = collection_reads.published(session)
    counts = collection_reads.counts(session, listing)
    return _conditional(
        {
            "total": len(listing),
            "results": [
                collection_reads.summary(c, counts.get(c.id or 0, 0), url=record_url)
                for c in listing
            ],
        }
    )


@bp.get("/<slug>")
def show(slug: str) -> ResponseReturnValue:
    session = get_session()
    collection, entries = collection_reads.public(session, slug)
    record = collection_reads.record(session, collection, url=record_url)
    return _conditional(record, last_change(collection, entries))
