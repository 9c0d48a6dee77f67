"""`/<lang>/api`: the OpenAPI document rendered for people."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from kb.catalogue import fields
from kb.distribution import exports, openapi
from kb.web.i18n import install_lang

bp = Blueprint("apidocs", __name__, url_prefix="/<lang>")
install_lang(bp)


@bp.get("/api")
def api_page() -> ResponseReturnValue:
    spec = openapi.document(version=exports.kb_version())
    return render_template("apidocs/api.html", spec=spec, fields=fields.FIELDS)
