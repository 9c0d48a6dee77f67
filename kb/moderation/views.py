"""Moderation, writing side: the queue, the spotlight form, Markdown import (preview: `preview`).

Nothing typed is lost: every submit of the form saves the draft first (then checks it), a
validation error or an edit conflict shows the form again as typed, and a sign-in that ended
shows what was typed back (see `signed_in`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import col, select

from kb import uow
from kb.accounts.forms import ConfirmForm
from kb.catalogue import diff
from kb.catalogue.data import PracticeData, SourceData
from kb.catalogue.fields import MAX_SOURCES
from kb.catalogue.reads import get_by_slug, to_data
from kb.content.practice_file import parse_practice_text
from kb.errors import N_, Conflict, NotFound, ValidationError
from kb.models import Event, Proposal, utcnow
from kb.moderation import forms as spotlight
from kb.moderation import practice_subject as proposals
from kb.moderation import reviews, subjects, suggestions, workflow
from kb.moderation.shared_views import autosaving, field_label, reason, typed_version
from kb.moderation.workflow import get
from kb.permissions import allowed
from kb.search.service import get_index, vocabulary
from kb.web import csrf
from kb.web.auth import current_actor
from kb.web.database import get_session
from kb.web.i18n import install_lang, localized
from kb.web.security import never_cache
from kb.web.urls import mail_url

bp = Blueprint("moderation", __name__, url_prefix="/<lang>/moderation")
install_lang(bp)
PASTE_MAX = 512 * 1024


@bp.before_request
def signed_in() -> ResponseReturnValue | None:
    """Signed-in accounts only; a form sent after the sign-in ended comes back as typed."""
    get_index(get_session())  # loads the vocabulary the forms list
    if current_user.is_authenticated:
        return None
    if request.method == "POST":
        back = url_for("account.login", next=request.path)
        return render_template("csrf_error.html", values=csrf.typed_values(), back=back), 401
    return redirect(url_for("account.login", next=request.full_path))


bp.after_request(never_cache)


@bp.app_context_processor
def badge() -> dict[str, Any]:
    def moderation_count() -> int:
        try:
            return reviews.awaiting_count(get_session(), current_actor())
        except Exception:  # the header never fails a page
            return 0

    def can_move(proposal: Proposal, move: str) -> bool:
        return workflow.allows(current_actor(), proposal, move)

    return {
        "moderation_count": moderation_count,
        "can_move": can_move,
        "proposal_status": lambda status: _(workflow.STATUSES.get(status, status)),
        "proposal_version": workflow.version_of,
        "describe_proposal": lambda proposal: localized(subjects.of(proposal).describe(proposal)),
    }


def link(proposal_id: int) -> str:
    """The review page's address in a notification e-mail (from KB_BASE_URL, never the Host)."""
    return mail_url("review.proposal", proposal_id=proposal_id)


# --- the queue -------------------------------------------------------------------------------


@bp.get("/")
def queue() -> ResponseReturnValue:
    session, actor = get_session(), current_actor()
    moderator = allowed(actor, "proposal.queue")
    listing = reviews.queue(session, actor) if moderator else reviews.mine(session, actor)
    return render_template(
        "moderation/queue.html",
        queue=listing,
        moderator=moderator,
        suggestions=suggestions.open_ones(session, actor) if moderator else [],
        import_form=ConfirmForm(formdata=None),
        now=utcnow(),
    )


@bp.post("/suggestions/<int:suggestion_id>/draft")
def suggestion_to_draft(suggestion_id: int) -> ResponseReturnValue:
    session = get_session()
    proposal = suggestions.to_draft(
        session=session, actor=current_actor(), suggestion_id=suggestion_id
    )
    uow.commit(session=session)
    flash(_("The suggestion is now your draft; its sender's e-mail address is erased."), "success")
    return redirect(url_for("moderation.edit", proposal_id=proposal.id))


@bp.post("/suggestions/<int:suggestion_id>/close")
def close_suggestion(suggestion_id: int) -> ResponseReturnValue:
    session = get_session()
    row = suggestions.close(session=session, actor=current_actor(), suggestion_id=suggestion_id)
    uow.commit(session=session)
    flash(_("Suggestion closed; its sender's e-mail address is erased."), "success")
    if row.practice_slug and request.form.get("back") == "history":
        return redirect(url_for("review.practice_history", slug=row.practice_slug))
    return redirect(url_for("moderation.queue"))


# --- the form --------------------------------------------------------------------------------


def spotlight_form(data: PracticeData | None = None, note: str = "") -> spotlight.SpotlightForm:
    """The spotlight form, from the request (no `data`) or from `data`, with today's choices."""
    events = get_session().exec(select(Event).order_by(col(Event.start_date))).all()
    return spotlight.build(vocabulary(), g.lang, data, note, events=events)


def form_page(
    form: spotlight.SpotlightForm,
    proposal: Proposal | None,
    *,
    status: int = 200,
    base_slug: str | None = None,
    warnings: list[Any] | None = None,
) -> ResponseReturnValue:
    session = get_session()
    practice_id = proposal.practice_id if proposal else None
    if practice_id is None and base_slug:
        practice_id = get_by_slug(session, base_slug, published_only=False).id
    others = [
        (p, name)
        for p, name in (proposals.open_for(session, practice_id) if practice_id else [])
        if proposal is None or p.id != proposal.id
    ]
    stale = proposals.changed_since_base(session, proposal) if proposal else []
    return render_template(
        "moderation/edit.html",
        form=form,
        max_sources=MAX_SOURCES,
        proposal=proposal,
        base_slug=base_slug or (proposal.slug if proposal and proposal.practice_id else None),
        others=others,
        stale=stale,
        warnings=warnings or [],
        confirm=ConfirmForm(formdata=None),
    ), status


@bp.get("/proposals/new")
def new() -> ResponseReturnValue:
    base_slug = request.args.get("from") or None
    session = get_session()
    data, note = None, ""
    if base_slug:
        data = to_data(session, get_by_slug(session, base_slug, published_only=False))
    form = spotlight_form(data or _empty(), note)
    return form_page(form, None, base_slug=base_slug)


def _empty() -> PracticeData:
    return PracticeData(
        slug="",
        title_fr="",
        title_en="",
        summary_fr="",
        summary_en="",
        language=g.lang,
        cities=(),
        country="",
        themes=(),
        lead_organisation="",
        status="ongoing",
        evidence_level="none-found",
        sources=(),
    )


@bp.post("/proposals/new")
def create() -> ResponseReturnValue:
    form = spotlight_form()
    base_slug = request.form.get("base_slug") or None
    if spotlight.posted_sources() > MAX_SOURCES:  # the form says so; saving would drop some
        return form_page(form, None, status=422, base_slug=base_slug)
    session = get_session()
    data = spotlight.data_of(form, keep_empty_sources=True)
    try:
        proposal = proposals.start(
            session=session,
            actor=current_actor(),
            data=_without_empty_sources(data),
            base_slug=base_slug,
            note=form.note.data or "",
        )
    except ValidationError as error:
        session.rollback()
        spotlight.place_errors(form, error.errors)
        return form_page(form, None, status=422, base_slug=base_slug)
    uow.commit(session=session)
    assert proposal.id is not None
    return _after_save(form, proposal, data)


def read_practice_proposal(proposal_id: int) -> Proposal:
    """A practice proposal the actor may see (an editorial page's has its own form)."""
    proposal = workflow.read(get_session(), current_actor(), proposal_id)
    if proposal.kind != "practice":
        raise NotFound(N_("no practice proposal with id %(proposal_id)s"), proposal_id=proposal_id)
    return proposal


@bp.get("/proposals/<int:proposal_id>/edit")
def edit(proposal_id: int) -> ResponseReturnValue:
    proposal = read_practice_proposal(proposal_id)
    form = spotlight_form(proposals.data_of(proposal), proposal.note)
    return form_page(form, proposal)


@bp.post("/proposals/<int:proposal_id>/edit")
def save(proposal_id: int) -> ResponseReturnValue:
    session = get_session()
    proposal = read_practice_proposal(proposal_id)
    form = spotlight_form()
    if spotlight.posted_sources() > MAX_SOURCES:  # the form says so; saving would drop some
        error = spotlight.too_many_sources(spotlight.posted_sources())
        if autosaving():
            return {"error": f"{error.field}: {localized(error)}"}, 422
        return form_page(form, proposal, status=422)
    data = spotlight.data_of(form, keep_empty_sources=True)
    try:
        proposals.save(
            session=session,
            actor=current_actor(),
            proposal_id=proposal_id,
            data=_without_empty_sources(data),
            note=form.note.data or "",
            expected=typed_version(),
        )
    except (ValidationError, Conflict) as error:
        session.rollback()
        if autosaving():
            return {"error": reason(error)}, error.status
        if isinstance(error, ValidationError):
            spotlight.place_errors(form, error.errors)
        elif isinstance(error, workflow.Stale):
            _told_of_other_save(get(session, proposal_id), data)
        else:
            flash(_("Your text was not saved: %(reason)s", reason=reason(error)), "error")
        return form_page(form, get(session, proposal_id), status=error.status)
    uow.commit(session=session)
    if autosaving():
        return {"version": workflow.version_of(proposal)}, 200
    return _after_save(form, proposal, data)


def _told_of_other_save(stored: Proposal, typed: PracticeData) -> None:
    """Someone (another tab, another person) saved or moved the proposal first: say so and what
    differs; the form shows the text as typed here, and saving again replaces the other one."""
    differing = [
        field_label(c.field)
        for c in diff.compare(stored.data, _without_empty_sources(typed).snapshot())
        if c.changed
    ]
    flash(
        _(
            "Your text was not saved: this proposal was saved or moved elsewhere (another tab "
            "or person) since you opened it; it is now « %(status)s ». Your text is kept below. "
            "Fields that differ from the saved version: %(fields)s. Saving again replaces the "
            "saved version with yours.",
            status=_(workflow.STATUSES.get(stored.status, stored.status)),
            fields=", ".join(differing) or "—",
        ),
        "error",
    )


def _without_empty_sources(data: PracticeData) -> PracticeData:
    kept = tuple(s for s in data.sources if any((s.title, s.url, s.publisher, s.date, s.language)))
    return replace(data, sources=kept)


def _after_save(
    form: spotlight.SpotlightForm, proposal: Proposal, data: PracticeData
) -> ResponseReturnValue:
    """The draft is saved; now do what the button asked (add/remove a row, preview, submit)."""
    assert proposal.id is not None
    action = request.form.get("action", "save")
    if action == "add_source":
        grown = replace(data, sources=(*data.sources, SourceData("", "")))
        form = spotlight_form(grown, proposal.note)
        return form_page(form, proposal)
    if action.startswith("remove_source-"):
        index = _int(action.removeprefix("remove_source-"))
        kept = tuple(s for i, s in enumerate(data.sources) if i != index)
        form = spotlight_form(replace(data, sources=kept), proposal.note)
        return form_page(form, proposal)
    if action == "preview":
        return redirect(url_for("spotlight_preview.stored", proposal_id=proposal.id))
    if action == "submit":
        return _submit(form, proposal)
    flash(_("Draft saved."), "success")
    return redirect(url_for("moderation.edit", proposal_id=proposal.id))


def _int(text: str) -> int:
    return int(text) if text.isdigit() else -1


def _submit(form: spotlight.SpotlightForm, proposal: Proposal) -> ResponseReturnValue:
    session = get_session()
    assert proposal.id is not None
    try:
        warnings = proposals.submit(
            session=session,
            actor=current_actor(),
            proposal_id=proposal.id,
            vocabulary=vocabulary(),
            link=link,
        )
    except ValidationError as error:
        session.rollback()
        spotlight.place_errors(form, error.errors)
        flash(_("Draft saved, but not sent for review: correct the fields marked below."), "error")
        return form_page(form, get(session, proposal.id), status=422)
    uow.commit(session=session)
    if warnings:
        flash(_("Sent for review, with warnings the reviewers will see."), "success")
    else:
        flash(_("Sent for review."), "success")
    return redirect(url_for("review.proposal", proposal_id=proposal.id))


# --- Markdown import ---------------------------------------------------------------------------


@bp.post("/proposals/import")
def import_markdown() -> ResponseReturnValue:
    """One practice in the `content/` format, pasted or uploaded, becomes a draft."""
    upload = request.files.get("file")
    name = "pasted.md"
    text = request.form.get("text", "")
    if upload is not None and upload.filename:
        name = upload.filename.rsplit("/", 1)[-1][:100] or name
        raw = upload.read(PASTE_MAX + 1)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _import_failed([f"1: file: {_('not UTF-8 text')}"], "")
    if len(text) > PASTE_MAX:
        return _import_failed(
            [f"{name}:1: file: {_('larger than %(max)s bytes', max=PASTE_MAX)}"],
            text[:PASTE_MAX],
            413,
        )
    data, errors = parse_practice_text(text, "" if name == "pasted.md" else name)
    if data is None or errors:
        lines = [f"{e.line}: {e.field}: {localized(e)}" for e in errors]
        return _import_failed(lines or [_("Nothing to import.")], text)
    session = get_session()
    try:
        proposal = proposals.start(session=session, actor=current_actor(), data=data)
    except ValidationError as error:
        session.rollback()
        return _import_failed([f"{e.field}: {localized(e)}" for e in error.errors], text)
    uow.commit(session=session)
    flash(_("Imported as a draft: check it, then send it for review."), "success")
    return redirect(url_for("moderation.edit", proposal_id=proposal.id))


def _import_failed(errors: list[str], text: str, status: int = 422) -> ResponseReturnValue:
    return render_template("moderation/import_errors.html", errors=errors, text=text), status
