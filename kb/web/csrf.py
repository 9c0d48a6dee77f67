"""CSRF protection on every form (Flask-WTF); the API is exempt because it reads no cookie.

A POST without a valid token answers 400 with a page that says why in the reader's language and
shows back what was typed (never a password), so nothing is lost when a form was left open past
the session's end or sent from elsewhere. The page does not resend anything by itself: a forged
request must not become a one-click confirmation.
"""

from __future__ import annotations

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect

SECRET_FIELDS = ("password", "confirm", "current_password", "new_password", "csrf_token")
csrf = CSRFProtect()


def typed_values() -> list[tuple[str, str]]:
    """What the person typed, minus secrets and empty fields, for them to copy back."""
    out: list[tuple[str, str]] = []
    for name, value in request.form.items(multi=True):
        if name in SECRET_FIELDS or "password" in name or not value.strip() or name == "submit":
            continue
        out.append((name[:100], value[:100_000]))
    return out


def handle_csrf_error(error: CSRFError) -> ResponseReturnValue:
    if request.path.startswith("/api/"):
        from kb.web.errors import handle_http_error

        return handle_http_error(error)
    referrer = request.referrer or ""
    back = referrer if referrer.startswith(request.host_url) else request.path
    return render_template("csrf_error.html", values=typed_values(), back=back), 400


def init_app(app: Flask) -> None:
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session is
    app.config.setdefault("WTF_I18N_ENABLED", True)
    csrf.init_app(app)
    app.register_error_handler(CSRFError, handle_csrf_error)
