"""The spotlight preview: a practice page built from plain data by the public template.

`GET …/proposals/<id>/preview` shows the saved draft (the form's "Save and preview" button, no
JavaScript needed). `POST …/proposals/preview` (and `…/<id>/preview`) renders what the form holds
right now, nothing stored: the form's script sends it a few moments after typing stops and shows
the answer beside the form. Both are marked "Preview — not published" and `noindex`.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlmodel import select

from kb.catalogue.data import PracticeData
from kb.catalogue.fields import SCALAR_FIELDS
from kb.catalogue.validation import validate
from kb.errors import KBError
from kb.models import Event, Practice, Proposal, Source, utcnow
from kb.moderation import forms as spotlight
from kb.moderation import practice_subject as proposals
from kb.moderation import workflow
from kb.moderation.shared_views import field_label
from kb.moderation.views import (
    form_page,
    read_practice_proposal,
    signed_in,
    spotlight_form,
)
from kb.public import display_views as display
from kb.public import presenting as catalogue
from kb.search.service import vocabulary
from kb.web.auth import current_actor
from kb.web.database import get_session
from kb.web.i18n import install_lang
from kb.web.security import never_cache

bp = Blueprint("spotlight_preview", __name__, url_prefix="/<lang>/moderation")
install_lang(bp)
bp.before_request(signed_in)
bp.after_request(never_cache)


def preview_page(data: PracticeData, *, version: int) -> catalogue.PracticePage:
    """A practice page built from plain data, for the public template (nothing is stored)."""
    now = utcnow()
    scalars = {name: getattr(data, name) for name in SCALAR_FIELDS}
    practice = Practice(
        **scalars,
        cities=list(data.cities),
        partners=list(data.partners),
        partners_fr=list(data.partners_fr),
        facts=dict(data.facts),
        state="draft",
        version=version,
        created_at=now,
        updated_at=now,
    )
    sources = tuple(
        Source(practice_id=0, position=i, **vars(s)) for i, s in enumerate(data.sources)
    )
    return catalogue.PracticePage(practice, data, sources, (), ())


def _render(data: PracticeData, version: int, proposal: Proposal | None) -> str:
    page = preview_page(data, version=version)
    try:
        return render_template(
            "public/practice.html",
            page=page,
            **display.practice_texts(page.practice, g.lang),
            citation="",
            json_ld={},
            vocab=vocabulary(),
            canonical_url="",
            preview=proposal or True,
        )
    except KBError:
        abort(422)


def _known_events() -> tuple[str, ...]:
    """The events a practice may be tagged with (validation refuses any other)."""
    return tuple(get_session().exec(select(Event.slug)))


@bp.get("/proposals/<int:proposal_id>/preview")
def stored(proposal_id: int) -> ResponseReturnValue:
    session = get_session()
    proposal = read_practice_proposal(proposal_id)
    data = proposals.data_of(proposal)
    errors = validate(data, vocabulary=vocabulary(), events=_known_events())
    if errors and not workflow.allows(current_actor(), proposal, "edit"):
        # A reviewer's preview: what is missing, never the author's form (theirs to save).
        missing = ", ".join(dict.fromkeys(field_label(e.field) for e in errors))
        flash(
            _(
                "No preview: the proposal lacks %(fields)s; its author completes it.",
                fields=missing,
            ),
            "error",
        )
        return redirect(url_for("review.proposal", proposal_id=proposal_id))
    if errors:
        form = spotlight_form(data, proposal.note)
        spotlight.place_errors(form, errors)
        flash(_("The preview needs the fields marked below."), "error")
        return form_page(form, proposal, status=422)
    live = proposals.live_practice(session, proposal)
    return _render(data, (live.version + 1) if live else 1, proposal)


@bp.post("/proposals/preview")
@bp.post("/proposals/<int:proposal_id>/preview")
def live(proposal_id: int | None = None) -> ResponseReturnValue:
    """What the form holds now, rendered (422 with the fields still needed); nothing is saved."""
    proposal = read_practice_proposal(proposal_id) if proposal_id is not None else None
    data = spotlight.data_of(spotlight_form())
    errors = validate(data, vocabulary=vocabulary(), events=_known_events())
    if errors:
        return render_template("moderation/preview_needs.html", errors=errors), 422
    live_row = proposals.live_practice(get_session(), proposal) if proposal else None
    return _render(data, (live_row.version + 1) if live_row else 1, proposal)
