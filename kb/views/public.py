"""Public pages for practitioners."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlmodel import col, select

from kb import search, taxonomy
from kb.db import get_session
from kb.index_ext import get_index
from kb.models import Practice

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    session = get_session()
    rows = session.exec(
        select(Practice).where(Practice.state == "published").order_by(col(Practice.title_en))
    ).all()
    return render_template(
        "public/index.html",
        practices=rows,
        vocabulary=taxonomy.load(session),
        terms=search.terms_by_practice(session, [p.id for p in rows if p.id is not None]),
    )


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    session = get_session()
    session.execute(text("SELECT 1"))
    index = get_index(session)
    lag = search.latest_change_id(session) - index.last_change_id()
    return jsonify(status="ok", database="ok", index_documents=index.doc_count(), index_lag=lag)
