"""The moderation API: proposals, comments, decisions and history, with bearer tokens.

The same domain functions and permissions as the screens: four eyes holds here too. Errors are
JSON naming the field, as elsewhere in the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, abort, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlmodel import col, select

from kb import uow
from kb.catalogue import history
from kb.catalogue import json_io as practice_json
from kb.errors import (
    N_,
    BadRequest,
    FieldError,
    NotFound,
    PreconditionFailed,
    Text,
    ValidationError,
)
from kb.models import PROPOSAL_STATUSES, Proposal
from kb.moderation import practice_subject as proposals
from kb.moderation import reviews, workflow
from kb.moderation.workflow import Stale, get, version_of
from kb.permissions import allowed
from kb.search.service import get_index, vocabulary
from kb.text.unicode import has_lone_surrogate, paths_where
from kb.web.auth import current_actor
from kb.web.database import get_session
from kb.web.i18n import api_message
from kb.web.urls import mail_url

bp = Blueprint("api_proposals", __name__, url_prefix="/api/v1")


@bp.before_request
def token_required() -> None:
    if g.get("api_account") is None:
        abort(401, description="Authorization: this endpoint needs 'Bearer <token>'")
    get_index(get_session())  # loads the vocabulary
    # The API carries practices: an editorial page's proposal is not found here (web only).
    proposal_id = (request.view_args or {}).get("proposal_id")
    if proposal_id is not None:
        proposal = get_session().get(Proposal, proposal_id)
        if proposal is not None and proposal.kind != "practice":
            raise NotFound(
                N_("no practice proposal with id %(proposal_id)s"), proposal_id=proposal_id
            )


def _link(proposal_id: int) -> str:
    return mail_url("review.proposal", lang="fr", proposal_id=proposal_id)


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None:
        raise BadRequest(N_("body: expected a JSON object (Content-Type: application/json)"))
    if not isinstance(body, dict):
        raise BadRequest(N_("body: expected a JSON object"))
    # JSON's "\ud800" escape decodes to half a character that no page can show: refused here,
    # for every field (a comment as much as the practice), before anything is stored.
    unpaired = list(paths_where(body, has_lone_surrogate))
    if unpaired:
        raise ValidationError([FieldError(path, proposals.UNPAIRED_SURROGATE) for path in unpaired])
    return body


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRequest(N_("%(key)s: expected a string"), key=key)
    return value


def _answer(
    proposal: Proposal, status: int = 200, extra: dict[str, Any] | None = None
) -> ResponseReturnValue:
    """The proposal's record with its version as a strong ETag (RFC 9110), for `If-Match`."""
    response = jsonify({**_record(proposal), **(extra or {})})
    response.status_code = status
    response.headers["ETag"] = f'"{version_of(proposal)}"'
    return response


def _if_match(proposal_id: int) -> str | None:
    """The version `If-Match` names when it names the current one (None when absent or `*`);
    412 with the current record otherwise. The domain then compares-and-sets on that version,
    so a request that loses a race after this check gets the same 412."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    proposal = workflow.read(get_session(), current_actor(), proposal_id)
    current = version_of(proposal)
    # Strong comparison: a weak tag (W/"…") never matches.
    tags = [t.strip() for t in header.split(",")]
    if f'"{current}"' not in tags:
        raise _precondition_failed(proposal)
    return current


def _precondition_failed(proposal: Proposal) -> PreconditionFailed:
    return PreconditionFailed(
        N_("If-Match: the proposal changed since that version (it is now %(status)s)"),
        _record(proposal),
        status=Text(workflow.STATUSES[proposal.status]),
    )


@contextmanager
def _conditional(proposal_id: int, expected: str | None) -> Iterator[None]:
    """A race lost after `If-Match` matched answers 412 as well, with the state that won (409
    `stale_proposal` without `If-Match`)."""
    try:
        yield
    except Stale as error:
        if expected is None:
            raise
        session = get_session()
        session.rollback()
        raise _precondition_failed(get(session, proposal_id)) from error


def _record(proposal: Proposal, *, full: bool = True) -> dict[str, Any]:
    session = get_session()
    assert proposal.id is not None
    record: dict[str, Any] = {
        "id": proposal.id,
        "status": proposal.status,
        "slug": proposal.slug,
        "practice_id": proposal.practice_id,
        "base_version": proposal.base_version,
        "author_id": proposal.author_id,
        "round": proposal.round,
        "note": proposal.note,
        "restored_from_version": proposal.restored_from_version,
        "published_version": proposal.published_version,
        "created_at": proposal.created_at.isoformat(),
        "updated_at": proposal.updated_at.isoformat(),
        "submitted_at": proposal.submitted_at.isoformat() if proposal.submitted_at else None,
        "decided_at": proposal.decided_at.isoformat() if proposal.decided_at else None,
        "version": version_of(proposal),
        "url": _link(proposal.id),
    }
    if full:
        record["practice"] = proposal.data
        record["approvals"] = reviews.approvals(session, proposal)
        record["changes"] = [d.field for d in proposals.changes(session, proposal) if d.changed]
        record["changed_since_base"] = [
            d.field for d in proposals.changed_since_base(session, proposal) if d.changed
        ]
        record["checks"] = [
            {"severity": c.severity, "field": c.field, "message": api_message(c)}
            for c in proposals.checks(session, proposal, vocabulary())
        ]
        record["comments"] = [
            {
                "id": c.id,
                "author_id": c.author_id,
                "parent_id": c.parent_id,
                "body": c.body,
                "created_at": c.created_at.isoformat(),
            }
            for c in reviews.comments_of(session, proposal.id)
        ]
    return record


@bp.post("/proposals")
def create() -> ResponseReturnValue:
    body = _json_body()
    base_slug = body.get("base_slug")
    if base_slug is not None and not isinstance(base_slug, str):
        raise BadRequest(N_("base_slug: expected a string"))
    session = get_session()
    proposal = proposals.start(
        session=session,
        actor=current_actor(),
        data=practice_json.data_from_json(body),
        base_slug=base_slug or None,
        note=_text(body, "note"),
    )
    uow.commit(session=session)
    return _answer(proposal, 201)


@bp.get("/proposals")
def listing() -> ResponseReturnValue:
    status = request.args.get("status", "")
    if status and status not in PROPOSAL_STATUSES:
        raise BadRequest(
            N_("status: expected one of %(choices)s"), choices=", ".join(PROPOSAL_STATUSES)
        )
    actor = current_actor()
    if not allowed(actor, "proposal.create"):
        abort(403, description="proposal.create: needs the role contributor or moderator")
    # The API carries practices; an editorial page's proposals are edited on the web only.
    statement = select(Proposal).where(Proposal.kind == "practice").order_by(col(Proposal.id))
    if not allowed(actor, "proposal.queue"):
        statement = statement.where(Proposal.author_id == (actor.user_id or 0))
    if status:
        statement = statement.where(Proposal.status == status)
    rows = get_session().exec(statement.limit(500)).all()
    return jsonify({"proposals": [_record(p, full=False) for p in rows]})


@bp.get("/proposals/<int:proposal_id>")
def show(proposal_id: int) -> ResponseReturnValue:
    return _answer(workflow.read(get_session(), current_actor(), proposal_id))


@bp.put("/proposals/<int:proposal_id>")
def replace(proposal_id: int) -> ResponseReturnValue:
    body = _json_body()
    session = get_session()
    expected = _if_match(proposal_id)
    with _conditional(proposal_id, expected):
        proposal = proposals.save(
            session=session,
            actor=current_actor(),
            proposal_id=proposal_id,
            data=practice_json.data_from_json(body),
            note=_text(body, "note") if "note" in body else None,
            expected=expected,
        )
    uow.commit(session=session)
    return _answer(proposal)


@bp.post("/proposals/<int:proposal_id>/submit")
def submit(proposal_id: int) -> ResponseReturnValue:
    session = get_session()
    expected = _if_match(proposal_id)
    with _conditional(proposal_id, expected):
        proposals.submit(
            session=session,
            actor=current_actor(),
            proposal_id=proposal_id,
            vocabulary=vocabulary(),
            link=_link,
            expected=expected,
        )
    uow.commit(session=session)
    return _answer(get(session, proposal_id))


@bp.post("/proposals/<int:proposal_id>/comments")
def comment(proposal_id: int) -> ResponseReturnValue:
    body = _json_body()
    parent = body.get("parent_id")
    if parent is not None and (isinstance(parent, bool) or not isinstance(parent, int)):
        raise BadRequest(N_("parent_id: expected an integer"))
    session = get_session()
    row = reviews.comment(
        session=session,
        actor=current_actor(),
        proposal_id=proposal_id,
        body=_text(body, "body"),
        parent_id=parent,
        link=_link,
    )
    uow.commit(session=session)
    return jsonify({"id": row.id, "proposal_id": proposal_id, "parent_id": row.parent_id}), 201


@bp.post("/proposals/<int:proposal_id>/decision")
def decision(proposal_id: int) -> ResponseReturnValue:
    body = _json_body()
    checklist = body.get("checklist") or {}
    if not isinstance(checklist, dict):
        raise BadRequest(N_("checklist: expected an object of item: true|false"))
    session = get_session()
    expected = _if_match(proposal_id)
    with _conditional(proposal_id, expected):
        outcome = reviews.decide(
            session=session,
            actor=current_actor(),
            proposal_id=proposal_id,
            decision=_text(body, "decision"),
            comment=_text(body, "comment"),
            checklist=checklist,
            vocabulary=vocabulary(),
            approvals_needed=max(1, int(current_app.config.get("KB_REVIEW_APPROVALS") or 1)),
            link=_link,
            expected=expected,
        )
    uow.commit(session=session, index=get_index(session))
    extra: dict[str, Any] = {}
    if outcome.practice is not None:
        extra["published"] = url_for("api.practice", slug=outcome.practice.slug, _external=True)
    return _answer(outcome.proposal, extra=extra)


@bp.get("/practices/<slug>/history")
def practice_history(slug: str) -> ResponseReturnValue:
    practice, entries = history.history(get_session(), current_actor(), slug)
    return jsonify(
        {
            "slug": practice.slug,
            "state": practice.state,
            "version": practice.version,
            "versions": [
                {
                    "version": e.version,
                    "author": e.author,
                    "created_at": e.created_at.isoformat(),  # type: ignore[attr-defined]
                    "note": e.note,
                    "state": e.status,
                }
                for e in entries
                if e.kind == "version"
            ],
            # The entry's note: blank where the reader may not see the proposal's.
            "proposals": [
                {**_record(e.proposal, full=False), "note": e.note} for e in entries if e.proposal
            ],
        }
    )
