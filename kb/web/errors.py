"""One error handler for the whole app: JSON under /api/, an HTML page elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, gettext
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, SecurityError

from kb import audit
from kb.errors import KBError
from kb.web import security_events
from kb.web.auth import current_actor
from kb.web.i18n import api_lang, localized

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _ensure_url_adapter() -> None:
    """Give a request that could not be routed (an untrusted or malformed Host) a URL adapter.

    Flask leaves it without one, so url_for in the error page would raise and turn a 400 into
    a 500. Relative links need no host: bind to the public origin's, or a placeholder.
    """
    if request_ctx.url_adapter is None:
        base = current_app.config.get("KB_BASE_URL") or "http://localhost"
        scheme, _, host = base.partition("://")
        request_ctx.url_adapter = current_app.url_map.bind(
            host.split("/")[0] or "localhost", url_scheme=scheme or "http"
        )


def _respond(
    status: int,
    code: str,
    message: str,
    payload: dict[str, object] | None = None,
    *,
    shown: bool = False,
) -> ResponseReturnValue:
    """`shown`: the message is already written for the reader (in their language)."""
    _ensure_url_adapter()
    if _wants_json():
        body = payload or {"error": {"code": code, "status": status, "message": message}}
        return jsonify(body), status
    html_message = message if shown else _html_message(status, message)
    return render_template("error.html", status=status, message=html_message), status


def _html_message(status: int, message: str) -> str:
    """Readers get a message in their language; the technical one stays in the log and the API."""
    if status == 404:
        return str(_("The page you asked for does not exist. It may have been moved or removed."))
    if status == 405:
        return str(_("This address cannot be used that way."))
    if status == 413:
        return str(_("What you sent is too large."))
    if status == 429:
        return str(_("Too many attempts. Wait a few minutes, then try again."))
    if status >= 500:
        return str(_("An unexpected error occurred; it has been logged. Please try again later."))
    return message


WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _report_forbidden(status: int) -> None:
    """A 403 on a route that writes is a security event (someone tried what they may not do)."""
    if status == 403 and request.method in WRITE_METHODS:
        security_events.report(
            audit.WriteForbidden(security_events.network(), request.method, request.path[:200]),
            current_actor(),
        )


def handle_kb_error(error: KBError) -> ResponseReturnValue:
    """The message in the reader's language: the page's, or the API client's (`api_lang`)."""
    _report_forbidden(error.status)
    if _wants_json():
        with force_locale(api_lang()):
            payload = error.to_dict(gettext)
        return _respond(error.status, error.code, error.message, payload)
    return _respond(error.status, error.code, localized(error))


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    _report_forbidden(status)
    code = (error.name or "error").lower().replace(" ", "_")
    message = error.description or error.name
    if isinstance(error, SecurityError):  # an untrusted Host: never echo it back
        code, message = "untrusted_host", str(_("This site does not answer to that host name."))
    # Errors that tell the reader what the operator must do say it (kb.web.urls.NoPublicOrigin).
    shown = bool(getattr(error, "operator_message", False))
    response = make_response(_respond(status, code, message, shown=shown))
    if status == 429:  # the limits are per minute: a client may retry after one
        response.headers["Retry-After"] = "60"
    return response


def handle_out_of_range(error: Exception) -> ResponseReturnValue:
    """A number the database cannot hold (SQLite: OverflowError; PostgreSQL: DataError)."""
    log.info("out-of-range value on %s: %s", request.path, type(error).__name__)
    message = str(_("A number or a value in the request is out of range."))
    return _respond(400, "out_of_range", message, shown=True)


def handle_unexpected(error: Exception) -> ResponseReturnValue:
    log.exception("unhandled error on %s", request.path)
    return _respond(500, "internal_error", "An unexpected error occurred; it has been logged.")


def init_app(app: Flask) -> None:
    app.register_error_handler(KBError, handle_kb_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OverflowError, handle_out_of_range)
    app.register_error_handler(DataError, handle_out_of_range)
    app.register_error_handler(Exception, handle_unexpected)
