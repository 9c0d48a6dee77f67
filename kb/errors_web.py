"""One error handler for the whole app: JSON under /api/, an HTML page elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from kb.errors import KBError

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _respond(status: int, code: str, message: str, payload: dict[str, object] | None = None) -> ResponseReturnValue:
    if _wants_json():
        body = payload or {"error": {"code": code, "status": status, "message": message}}
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def handle_kb_error(error: KBError) -> ResponseReturnValue:
    return _respond(error.status, error.code, error.message, error.to_dict())


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    response = _respond(status, code, error.description or error.name)
    return response


def handle_unexpected(error: Exception) -> ResponseReturnValue:
    log.exception("unhandled error on %s", request.path)
    return _respond(500, "internal_error", "An unexpected error occurred; it has been logged.")


def init_app(app: Flask) -> None:
    app.register_error_handler(KBError, handle_kb_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
