"""The practitioners' site blueprints (`/<lang>/…` pages and the language-less root), shared by
the page views and the search views, which both add their routes to them."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint
from flask_babel import gettext as _

from kb.public import display_views as display
from kb.web.i18n import install_lang

bp = Blueprint("public", __name__, url_prefix="/<lang>")
install_lang(bp)
display.register_filters(bp)
root = Blueprint("root", __name__)

FACET_TITLES: tuple[tuple[str, Callable[[], str]], ...] = (
    ("theme", lambda: _("Theme")),
    ("country", lambda: _("Country")),
    ("city", lambda: _("City")),
    ("approach", lambda: _("Approach")),
    ("target", lambda: _("Target group")),
    ("evidence", lambda: _("Evidence")),
    ("language", lambda: _("Language of the text")),
    ("year", lambda: _("Start year")),
)
