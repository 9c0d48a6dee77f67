"""Moderation, reviewing side: the review page, decisions, comments, history, archive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kb import uow
from kb.accounts.forms import ConfirmForm
from kb.catalogue import diff, history, states
from kb.errors import BadRequest, Conflict, ValidationError
from kb.models import Proposal
from kb.moderation import reviews, subjects, suggestions
from kb.moderation.shared_views import field_label, reason, typed_version
from kb.moderation.views import link, signed_in
from kb.moderation.workflow import Stale, read
from kb.permissions import allowed
from kb.search.service import get_index, vocabulary
from kb.web.auth import current_actor
from kb.web.database import get_session
from kb.web.i18n import install_lang
from kb.web.security import never_cache

bp = Blueprint("review", __name__, url_prefix="/<lang>/moderation")
install_lang(bp)
bp.before_request(signed_in)
bp.after_request(never_cache)

CHECKLIST_LABELS = {
    "no_personal_data": _l("No personal data of private persons"),
    "no_minors_or_victims": _l("Nothing that identifies minors or victims"),
    "no_operational_security": _l("No operational security detail"),
    "evidence_matches_sources": _l("The evidence level matches the cited sources"),
    "languages_match": _l("French and English say the same thing"),
}
DECISION_LABELS = {
    "approve": _l("Approve and publish"),
    "request_changes": _l("Request changes (comment required)"),
    "reject": _l("Reject (reason required)"),
}
REVISION_LABELS = {
    "create": _l("created"),
    "update": _l("content changed"),
    "state": _l("moved (published, archived…)"),
    "delete": _l("deleted"),
}


@bp.app_context_processor
def labels() -> dict[str, Any]:
    return {
        "practice_state": lambda state: _(states.STATES.get(state, state)),
        "field_label": field_label,
        "revision_label": lambda action: str(REVISION_LABELS.get(action, action)),
    }


def _review_page(proposal: Proposal, status: int = 200, **typed: Any) -> ResponseReturnValue:
    session, actor = get_session(), current_actor()
    assert proposal.id is not None
    return render_template(
        "review/proposal.html",
        proposal=proposal,
        **_subject_view(proposal),
        decision_names={
            "approve": _("approved"),
            "request_changes": _("changes requested"),
            "reject": _("rejected"),
        },
        threads=reviews.threads(session, proposal.id),
        decisions=reviews.decisions_of(session, proposal.id),
        approvals=reviews.approvals(session, proposal),
        approvals_needed=_approvals_needed(),
        checklist=[(k, str(CHECKLIST_LABELS[k])) for k in reviews.CHECKLIST],
        decision_labels=[(k, str(v)) for k, v in DECISION_LABELS.items()],
        may_decide=proposal.status == "submitted"
        and allowed(actor, "proposal.approve", proposal.author_id),
        is_author=proposal.author_id == actor.user_id,
        confirm=ConfirmForm(formdata=None),
        typed=typed,
    ), status


def _subject_view(proposal: Proposal) -> dict[str, Any]:
    """What the review page shows of the proposal's subject: diff, checks, links."""
    session, subject = get_session(), subjects.of(proposal)
    stale = subject.changed_since_base(session, proposal)
    return {
        "subject": subject,
        "rows": diff.rows(subject.changes(session, proposal), subject.bilingual),
        "flags": diff.translation_flags(
            subject.live_snapshot(session, proposal), proposal.data, subject.bilingual
        ),
        "checks": subject.checks(session, proposal, vocabulary()),
        "stale": stale,
        "stale_rows": diff.rows(stale, subject.bilingual),
        "preview_url": url_for(subject.endpoints.preview, proposal_id=proposal.id),
        "edit_url": url_for(subject.endpoints.edit, proposal_id=proposal.id),
        "history_url": url_for(subject.endpoints.history, slug=proposal.slug)
        if subject.has_history(proposal)
        else None,
    }


def _approvals_needed() -> int:
    from flask import current_app

    return max(1, int(current_app.config.get("KB_REVIEW_APPROVALS") or 1))


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int) -> ResponseReturnValue:
    return _review_page(read(get_session(), current_actor(), proposal_id))


@bp.post("/proposals/<int:proposal_id>/decision")
def decide(proposal_id: int) -> ResponseReturnValue:
    session = get_session()
    decision = request.form.get("decision", "")[:40]
    comment = request.form.get("comment", "")
    ticked = {k: True for k in request.form.getlist("checklist") if k in reviews.CHECKLIST}
    try:
        outcome = reviews.decide(
            session=session,
            actor=current_actor(),
            proposal_id=proposal_id,
            decision=decision,
            comment=comment,
            checklist=ticked,
            vocabulary=vocabulary(),
            approvals_needed=_approvals_needed(),
            link=link,
            expected=typed_version(),
        )
    except (ValidationError, Conflict, BadRequest) as error:  # a stale base is a Conflict
        session.rollback()
        flash(_("No decision was recorded: %(reason)s", reason=reason(error)), "error")
        proposal = read(session, current_actor(), proposal_id)
        return _review_page(
            proposal, error.status, decision=decision, comment=comment, ticked=ticked
        )
    uow.commit(session=session, index=get_index(session))
    if outcome.practice is not None:
        flash(_("Approved and published."), "success")
        return redirect(url_for("public.practice", slug=outcome.practice.slug))
    if outcome.proposal.status == "published":
        flash(_("Approved and published."), "success")
        endpoint = subjects.of(outcome.proposal).endpoints.history
        return redirect(url_for(endpoint, slug=outcome.proposal.slug))
    if decision == "approve":
        flash(
            _(
                "Approval recorded (%(n)d of %(needed)d).",
                n=outcome.approvals,
                needed=outcome.approvals_needed,
            ),
            "success",
        )
    else:
        flash(_("Decision recorded; the author is told."), "success")
    return redirect(url_for("review.proposal", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/comments")
def comment(proposal_id: int) -> ResponseReturnValue:
    session = get_session()
    parent = request.form.get("parent_id", "")
    try:
        reviews.comment(
            session=session,
            actor=current_actor(),
            proposal_id=proposal_id,
            body=request.form.get("body", ""),
            parent_id=int(parent) if parent.isdigit() else None,
            link=link,
        )
    except ValidationError as error:
        session.rollback()
        flash(_("The comment was not added: %(reason)s", reason=reason(error)), "error")
        proposal = read(session, current_actor(), proposal_id)
        return _review_page(proposal, 422, body=request.form.get("body", ""), parent=parent)
    uow.commit(session=session)
    flash(_("Comment added."), "success")
    return redirect(url_for("review.proposal", proposal_id=proposal_id) + "#conversation")


@bp.post("/proposals/<int:proposal_id>/withdraw")
def withdraw(proposal_id: int) -> ResponseReturnValue:
    answer = _move(subjects.withdraw, proposal_id)
    if answer is not None:
        return answer
    flash(_("Proposal withdrawn."), "success")
    return redirect(url_for("moderation.queue"))


@bp.post("/proposals/<int:proposal_id>/rebase")
def rebase(proposal_id: int) -> ResponseReturnValue:
    answer = _move(subjects.rebase, proposal_id)
    if answer is not None:
        return answer
    flash(_("The proposal is now based on the live version; review it again."), "success")
    return redirect(url_for("review.proposal", proposal_id=proposal_id))


def _move(move: Callable[..., Proposal], proposal_id: int) -> ResponseReturnValue | None:
    """Withdraw or rebase the version the form shows; when someone else came first, nothing is
    done and the page shows the proposal as it is now, and why (409)."""
    session = get_session()
    try:
        move(
            session=session,
            actor=current_actor(),
            proposal_id=proposal_id,
            expected=typed_version(),
        )
    except Stale as error:
        session.rollback()
        flash(_("Nothing was done: %(reason)s", reason=reason(error)), "error")
        return _review_page(read(session, current_actor(), proposal_id), error.status)
    uow.commit(session=session)
    return None


# --- history ---------------------------------------------------------------------------------


def version_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 7 else None


@bp.get("/practices/<slug>/history")
def practice_history(slug: str) -> ResponseReturnValue:
    session, actor = get_session(), current_actor()
    practice, entries = history.history(session, actor, slug)
    versions = [e.version for e in entries if e.kind == "version" and e.version]
    a = version_arg("a") or (versions[1] if len(versions) > 1 else None)
    b = version_arg("b") or (versions[0] if versions else None)
    rows: list[diff.DiffRow] = []
    if a and b and a in versions and b in versions:
        rows = diff.rows(history.compare_versions(session, actor, slug, a, b))
    return render_template(
        "review/history.html",
        practice=practice,
        entries=entries,
        versions=versions,
        a=a,
        b=b,
        rows=rows,
        confirm=ConfirmForm(formdata=None),
        reports=suggestions.reports_on(session, actor, slug)
        if allowed(actor, "suggestion.manage")
        else [],
    )


@bp.post("/practices/<slug>/history/<int:version>/restore")
def restore_version(slug: str, version: int) -> ResponseReturnValue:
    session = get_session()
    proposal = history.restore_version(
        session=session, actor=current_actor(), slug=slug, version=version
    )
    uow.commit(session=session)
    flash(_("Version %(n)d is now a draft proposal: send it for review.", n=version), "success")
    return redirect(url_for("moderation.edit", proposal_id=proposal.id))


@bp.post("/practices/<slug>/archive")
def archive(slug: str) -> ResponseReturnValue:
    session = get_session()
    history.archive(session=session, actor=current_actor(), slug=slug)
    uow.commit(session=session, index=get_index(session))
    flash(_("The practice is archived: it has left the public site and the search."), "success")
    return redirect(url_for("review.practice_history", slug=slug))


@bp.post("/practices/<slug>/unarchive")
def unarchive(slug: str) -> ResponseReturnValue:
    session = get_session()
    history.unarchive(session=session, actor=current_actor(), slug=slug)
    uow.commit(session=session, index=get_index(session))
    flash(_("The practice is back on the public site."), "success")
    return redirect(url_for("review.practice_history", slug=slug))
