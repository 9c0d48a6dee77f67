"""The JSON API under /api/v1 (the resource centre's contract)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from kb import practices
from kb.db import get_session
from kb.models import Practice

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def practice_record(practice: Practice) -> dict[str, object]:
    """The full public record of a practice."""
    record = practices.to_data(get_session(), practice).snapshot()
    record["version"] = practice.version
    record["updated_at"] = practice.updated_at.isoformat()
    record["published_at"] = practice.published_at.isoformat() if practice.published_at else None
    return record


@bp.get("/practices/<slug>")
def practice(slug: str) -> ResponseReturnValue:
    return jsonify(practice_record(practices.get_by_slug(get_session(), slug)))
