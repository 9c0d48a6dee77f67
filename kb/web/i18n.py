"""Interface language: French and English, chosen by the URL (/fr/…, /en/…), with Flask-Babel.

Interface strings are English in the code and templates, translated to French in
`kb/translations/fr/LC_MESSAGES/messages.po` (compiled by `make install`).
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import Blueprint, Flask, Response, abort, g, request, url_for
from flask_babel import Babel, force_locale, format_date, format_datetime, gettext

from kb.errors import Gettext
from kb.text.typography import french_html

LANGS = ("fr", "en")
DEFAULT_LANG = "fr"  # French when in doubt: most readers are French-speaking practitioners
LANG_COOKIE = "kb_lang"


def current_lang() -> str:
    lang = g.get("lang")
    return lang if lang in LANGS else preferred_lang()


def preferred_lang() -> str:
    """The reader's language: remembered choice, then Accept-Language, then French."""
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGS:
        return remembered
    return request.accept_languages.best_match(LANGS) or DEFAULT_LANG


def api_lang() -> str:
    """The language of API messages: `?lang=`, else Accept-Language, else English (for machines)."""
    lang = request.args.get("lang")
    if lang in LANGS:
        return lang
    if request.accept_languages:
        return request.accept_languages.best_match(LANGS) or "en"
    return "en"


class Message(Protocol):
    """A domain message (kb.errors): a marked msgid and its parameters."""

    def render(self, gettext: Gettext = ..., /) -> str: ...


def localized(message: Message) -> str:
    """A domain message in the reader's language: the msgid translated, then its parameters put in
    (what a person typed is only ever a parameter, never the format string)."""
    return message.render(gettext)


def api_message(message: Message) -> str:
    """A domain message in the API client's language (`api_lang`)."""
    with force_locale(api_lang()):
        return message.render(gettext)


def twin_url(lang: str) -> str:
    """This page in `lang` (same view, same arguments, same query string)."""
    if (
        request.endpoint
        and request.view_args is not None
        and "lang" in (request.url_rule.arguments if request.url_rule else ())
    ):
        args: dict[str, Any] = {**request.view_args, "lang": lang}
        url = url_for(request.endpoint, **args)
        query = request.query_string.decode("utf-8", "replace")
        return f"{url}?{query}" if query else url
    return url_for("public.home", lang=lang)


def install_lang(bp: Blueprint) -> None:
    """Make a blueprint under /<lang>/…: read and check the language, default it in url_for,
    and remember it in a cookie."""

    @bp.url_value_preprocessor
    def pull_lang(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        lang = (values or {}).pop("lang", None)
        if lang not in LANGS:
            g.lang = preferred_lang()
            abort(404)
        g.lang = lang

    @bp.url_defaults
    def add_lang(_endpoint: str, values: dict[str, Any]) -> None:
        values.setdefault("lang", g.get("lang", preferred_lang()))

    @bp.after_request
    def remember_lang(response: Response) -> Response:
        if g.get("lang") in LANGS and request.cookies.get(LANG_COOKIE) != g.lang:
            response.set_cookie(LANG_COOKIE, g.lang, max_age=365 * 24 * 3600, samesite="Lax")
        return response


def babel_locale() -> str:
    """Dates and numbers: French as in France, English as in the UK (2 December 2026)."""
    return "fr" if current_lang() == "fr" else "en_GB"


def french_typography(response: Response) -> Response:
    """French pages get French no-break spaces, in interface strings and content alike."""
    if (
        g.get("lang") == "fr"
        and response.mimetype == "text/html"
        and not response.direct_passthrough
        and response.status_code not in (204, 304)
    ):
        response.set_data(french_html(response.get_data(as_text=True)))
    return response


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=babel_locale)
    app.after_request(french_typography)
    app.jinja_env.globals.update(
        twin_url=twin_url,
        current_lang=current_lang,
        LANGS=LANGS,
        format_date=format_date,
        format_datetime=format_datetime,
        domain_message=localized,
    )
    app.jinja_env.globals["site_name"] = app.config.get("KB_SITE_NAME") or "kb"
