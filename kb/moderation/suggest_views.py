"""From the public side: suggest a practice, report an error on a practice page.

No account needed. Bots are caught by a honeypot field (a filled one is thanked and dropped),
the rate is limited per address (`KB_RATELIMIT_PROPOSE`) and every field has a size limit.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField

from kb import uow
from kb.accounts.forms import show_errors
from kb.catalogue.reads import get_by_slug
from kb.errors import ValidationError
from kb.moderation import suggestions
from kb.web import limits
from kb.web.database import get_session
from kb.web.i18n import install_lang

bp = Blueprint("propose", __name__, url_prefix="/<lang>")
install_lang(bp)


class SuggestionForm(FlaskForm):  # type: ignore[misc]
    city = StringField(_l("City"))
    title = StringField(_l("Name of the practice"))
    description = TextAreaField(_l("What it does"))
    links = TextAreaField(_l("Links (one per line, optional)"))
    email = EmailField(_l("Your e-mail address (optional, never published)"))
    website = StringField(_l("Leave this field empty"))  # the honeypot


class ReportForm(FlaskForm):  # type: ignore[misc]
    description = TextAreaField(_l("What is wrong on this page?"))
    email = EmailField(_l("Your e-mail address (optional, never published)"))
    website = StringField(_l("Leave this field empty"))


def _send(form: FlaskForm, kind: str, slug: str | None) -> bool:
    """Store the suggestion; False (errors on the form) when it is refused."""
    if form.website.data:
        return True  # a bot filled the hidden field: thank it, keep nothing
    limits.count_suggestion()
    data = suggestions.SuggestionData(
        kind=kind,
        description=form.description.data or "",
        city=getattr(form, "city", None) and form.city.data or "",
        title=getattr(form, "title", None) and form.title.data or "",
        links=getattr(form, "links", None) and form.links.data or "",
        email=form.email.data or "",
        practice_slug=slug,
    )
    session = get_session()
    try:
        suggestions.send(session=session, data=data)
    except ValidationError as error:
        session.rollback()
        show_errors(form, error)
        return False
    uow.commit(session=session)
    return True


@bp.route("/propose", methods=["GET", "POST"])
def suggest() -> ResponseReturnValue:
    form = SuggestionForm()
    if form.is_submitted():
        if _send(form, "suggestion", None):
            return redirect(url_for("propose.thanks"))
        return render_template("propose/suggest.html", form=form), 422
    return render_template("propose/suggest.html", form=form)


@bp.route("/practices/<slug>/report", methods=["GET", "POST"])
def report(slug: str) -> ResponseReturnValue:
    practice = get_by_slug(get_session(), slug)
    form = ReportForm()
    if form.is_submitted():
        if _send(form, "error", slug):
            return redirect(url_for("propose.thanks"))
        return render_template("propose/report.html", form=form, practice=practice), 422
    return render_template("propose/report.html", form=form, practice=practice)


@bp.get("/propose/thanks")
def thanks() -> ResponseReturnValue:
    return render_template("propose/thanks.html")
