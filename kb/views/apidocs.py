"""`/<lang>/api`: the OpenAPI document rendered for people."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from kb import exports, fields, openapi
from kb.views import public

bp = Blueprint("apidocs", __name__, url_prefix="/<lang>")
bp.url_value_preprocessor(public.pull_lang)
bp.url_defaults(public.add_lang)


@bp.get("/api")
def api_page() -> ResponseReturnValue:
    spec = openapi.document(version=exports.kb_version())
    return render_template("apidocs/api.html", spec=spec, fields=fields.FIELDS)
