"""Editorial pages (About, legal notice…) edited by moderators: form, preview, history, restore.

An edit is a proposal (kind "page") reviewed on the same review page as practices, with the same
decisions, comments and four eyes (`kb.page_proposals`). Nothing typed is lost: each submit saves
the draft first, and a refused save or submit shows the form again as typed.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from kb import uow
from kb.accounts.forms import ConfirmForm
from kb.catalogue import diff, pages
from kb.catalogue.pages import PageEdit
from kb.errors import N_, Conflict, NotFound, ValidationError
from kb.models import Proposal
from kb.moderation import forms as spotlight
from kb.moderation import page_subject as page_proposals
from kb.moderation import workflow
from kb.moderation.review_views import version_arg
from kb.moderation.shared_views import autosaving, reason, typed_version
from kb.moderation.views import link, signed_in
from kb.moderation.workflow import get
from kb.permissions import require
from kb.text.markdown import render
from kb.web.auth import current_actor
from kb.web.database import get_session
from kb.web.i18n import install_lang
from kb.web.security import never_cache

bp = Blueprint("page_editing", __name__, url_prefix="/<lang>/moderation/pages")
install_lang(bp)
bp.before_request(signed_in)
bp.after_request(never_cache)

# The public address of each editorial page (`public.<slug>`; About is `public.about`).
PUBLIC_ENDPOINTS = {
    slug: f"public.{slug}" for slug in ("about", "legal", "privacy", "accessibility")
}


class PageForm(FlaskForm):  # type: ignore[misc]
    title_fr = StringField(_l("Title in French"))
    title_en = StringField(_l("Title in English"))
    body_fr = TextAreaField(_l("Text in French (Markdown)"))
    body_en = TextAreaField(_l("Text in English (Markdown)"))
    note = TextAreaField(_l("Note to the reviewers (optional)"))


def _form(data: PageEdit | None = None, note: str = "") -> PageForm:
    if data is None:
        return PageForm()
    return PageForm(formdata=None, **{k: getattr(data, k) for k in pages.FIELDS[1:]}, note=note)


def _typed(form: PageForm, slug: str) -> PageEdit:
    return PageEdit(
        slug=slug,
        title_fr=(form.title_fr.data or "").strip(),
        title_en=(form.title_en.data or "").strip(),
        body_fr=(form.body_fr.data or "").replace("\r\n", "\n"),
        body_en=(form.body_en.data or "").replace("\r\n", "\n"),
    )


def public_url(slug: str) -> str | None:
    endpoint = PUBLIC_ENDPOINTS.get(slug)
    return url_for(endpoint) if endpoint else None


def _page(
    form: PageForm, slug: str, proposal: Proposal | None, status: int = 200
) -> ResponseReturnValue:
    session = get_session()
    others = [
        (p, name)
        for p, name in page_proposals.open_for(session, slug)
        if proposal is None or p.id != proposal.id
    ]
    return render_template(
        "page_editing/edit.html",
        form=form,
        slug=slug,
        proposal=proposal,
        others=others,
        stale=page_proposals.changed_since_base(session, proposal) if proposal else [],
        public_url=public_url(slug),
        confirm=ConfirmForm(formdata=None),
    ), status


@bp.get("/")
def index() -> ResponseReturnValue:
    session, actor = get_session(), current_actor()
    require(actor, "page.propose")
    listing = [
        (slug, pages.edit_of(session, slug), len(page_proposals.open_for(session, slug)))
        for slug in pages.slugs(session)
    ]
    return render_template("page_editing/index.html", listing=listing, public_url=public_url)


@bp.get("/<slug>/edit")
def new(slug: str) -> ResponseReturnValue:
    require(current_actor(), "page.propose")
    return _page(_form(pages.edit_of(get_session(), slug)), slug, None)


@bp.post("/<slug>/edit")
def create(slug: str) -> ResponseReturnValue:
    session = get_session()
    form = _form()
    try:
        proposal = page_proposals.start(
            session=session,
            actor=current_actor(),
            data=_typed(form, slug),
            note=form.note.data or "",
        )
    except ValidationError as error:
        session.rollback()
        spotlight.place_errors(form, error.errors)
        return _page(form, slug, None, 422)
    uow.commit(session=session)
    return _after_save(form, proposal)


def _read(proposal_id: int) -> Proposal:
    """A page proposal the actor may see (a practice's proposal is not found here)."""
    proposal = workflow.read(get_session(), current_actor(), proposal_id)
    if proposal.kind != page_proposals.KIND:
        raise NotFound(N_("no page proposal with id %(proposal_id)s"), proposal_id=proposal_id)
    return proposal


@bp.get("/proposals/<int:proposal_id>/edit")
def edit(proposal_id: int) -> ResponseReturnValue:
    proposal = _read(proposal_id)
    return _page(_form(page_proposals.data_of(proposal), proposal.note), proposal.slug, proposal)


@bp.post("/proposals/<int:proposal_id>/edit")
def save(proposal_id: int) -> ResponseReturnValue:
    session = get_session()
    proposal = _read(proposal_id)
    form = _form()
    try:
        page_proposals.save(
            session=session,
            actor=current_actor(),
            proposal_id=proposal_id,
            data=_typed(form, proposal.slug),
            note=form.note.data or "",
            expected=typed_version(),
        )
    except (ValidationError, Conflict) as error:
        session.rollback()
        if autosaving():
            return {"error": reason(error)}, error.status
        if isinstance(error, ValidationError):
            spotlight.place_errors(form, error.errors)
        else:
            flash(_("Your text was not saved: %(reason)s", reason=reason(error)), "error")
        return _page(form, proposal.slug, get(session, proposal_id), error.status)
    uow.commit(session=session)
    if autosaving():
        return {"version": workflow.version_of(proposal)}, 200
    return _after_save(form, proposal)


def _after_save(form: PageForm, proposal: Proposal) -> ResponseReturnValue:
    assert proposal.id is not None
    action = request.form.get("action", "save")
    if action == "preview":
        return redirect(url_for("page_editing.preview", proposal_id=proposal.id))
    if action != "submit":
        flash(_("Draft saved."), "success")
        return redirect(url_for("page_editing.edit", proposal_id=proposal.id))
    session = get_session()
    try:
        page_proposals.submit(
            session=session, actor=current_actor(), proposal_id=proposal.id, link=link
        )
    except (ValidationError, Conflict) as error:
        session.rollback()
        if isinstance(error, ValidationError):
            spotlight.place_errors(form, error.errors)
        flash(_("Draft saved, but not sent for review: correct the fields marked below."), "error")
        return _page(form, proposal.slug, get(session, proposal.id), error.status)
    uow.commit(session=session)
    flash(_("Sent for review."), "success")
    return redirect(url_for("review.proposal", proposal_id=proposal.id))


@bp.get("/proposals/<int:proposal_id>/preview")
def preview(proposal_id: int) -> ResponseReturnValue:
    """The page as it would read in the reader's language, by the public template."""
    session = get_session()
    proposal = _read(proposal_id)
    data = page_proposals.data_of(proposal)
    live = pages.get(session, proposal.slug, g.lang) if proposal.slug else None
    page = pages.PageData(
        proposal.slug,
        g.lang,
        getattr(data, f"title_{g.lang}"),
        getattr(data, f"body_{g.lang}"),
        tuple(live.sources) if live else (),
    )
    return render_template(
        "public/about.html", page=page, body_html=render(page.body), preview=proposal
    )


@bp.get("/<slug>/history")
def history(slug: str) -> ResponseReturnValue:
    session, actor = get_session(), current_actor()
    edits = page_proposals.of_page(session, actor, slug)
    revisions = pages.revisions(session, slug)
    versions = [r.version for r in revisions]
    a = version_arg("a") or (versions[1] if len(versions) > 1 else None)
    b = version_arg("b") or (versions[0] if versions else None)
    rows: list[diff.DiffRow] = []
    if a and b and a in versions and b in versions:
        changes = page_proposals.compare_versions(session, slug, a, b)
        rows = diff.rows(changes, page_proposals.BILINGUAL)
    return render_template(
        "page_editing/history.html",
        slug=slug,
        title=pages.edit_of(session, slug),
        revisions=revisions,
        edits=edits,
        a=a,
        b=b,
        rows=rows,
        public_url=public_url(slug),
        confirm=ConfirmForm(formdata=None),
    )


@bp.post("/<slug>/history/<int:version>/restore")
def restore(slug: str, version: int) -> ResponseReturnValue:
    session = get_session()
    proposal = page_proposals.restore(
        session=session, actor=current_actor(), slug=slug, version=version
    )
    uow.commit(session=session)
    flash(
        _("Version %(n)d is now a draft proposal: check it, then send it for review.", n=version),
        "success",
    )
    return redirect(url_for("page_editing.edit", proposal_id=proposal.id))
