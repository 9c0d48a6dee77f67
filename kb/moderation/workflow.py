"""The workflow of any proposal (a practice's or an editorial page's): statuses and their moves.

Statuses and their moves are one table, `MOVES`, each move naming the permission (roles and guard
in `kb.permissions.ACTIONS`) that allows it, checked with the proposal's author as target:

    draft -> submitted -> {changes_requested -> submitted, published, rejected}
    draft | submitted | changes_requested -> withdrawn (by the author)

A submit starts a review round (approvals count within the current round only); a rebase moves the
base to the live version and starts a new round. An approval publishes once enough distinct
moderators approved the round (`kb.moderation.reviews`); until then the proposal stays submitted,
so there is no "approved" state that a crash could leave behind. What is proposed is the subject's
business (`kb.moderation.subjects`).

Every move, decision and save is a compare-and-set on the proposal's `updated_at` (its version,
`version_of`): the caller names the version it acted on (a form's hidden field, an API's
`If-Match`), and `claim` moves the version forward only if the row still holds it. Two people
acting at once on what they both saw: the first wins, the second gets `Stale` (409) and nothing
of theirs is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from kb import audit
from kb.errors import N_, Conflict, NotFound, Text
from kb.models import Proposal, utcnow
from kb.moderation import notify
from kb.permissions import Actor, allowed, require

Link = Callable[[int], str]


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None  # None: the status stays (rebase)
    action: str  # the permission, checked with the proposal author's id as target


@dataclass(frozen=True)
class Endpoints:
    """The web pages of a subject's proposals (endpoint names; the views build the URLs)."""

    edit: str  # takes `proposal_id`
    preview: str  # takes `proposal_id`
    history: str  # takes `slug`


# Every status a proposal can hold, with its label (translated where shown); the sets below and
# the moves are written in these names only.
STATUSES: dict[str, str] = {
    "draft": N_("draft"),
    "submitted": N_("awaiting review"),
    "changes_requested": N_("changes requested"),
    "published": N_("published"),
    "rejected": N_("rejected"),
    "withdrawn": N_("withdrawn"),
}
EDITABLE = frozenset({"draft", "changes_requested"})
OPEN = EDITABLE | {"submitted"}
CLOSED = frozenset(STATUSES) - OPEN

MOVES: dict[str, Move] = {
    "submit": Move(EDITABLE, "submitted", "proposal.submit"),
    "withdraw": Move(OPEN, "withdrawn", "proposal.withdraw"),
    "request_changes": Move(
        frozenset({"submitted"}), "changes_requested", "proposal.request_changes"
    ),
    "approve": Move(frozenset({"submitted"}), "published", "proposal.approve"),
    "reject": Move(frozenset({"submitted"}), "rejected", "proposal.reject"),
    "rebase": Move(OPEN, None, "proposal.rebase"),
}
NOTE_MAX = 2000


class Stale(Conflict):
    """Someone else moved or saved the proposal since the caller read it (409)."""

    code = "stale_proposal"

    def __init__(self, proposal: Proposal) -> None:
        super().__init__(
            N_(
                "version: this proposal changed since you opened it (it is now %(status)s); "
                "nothing was recorded, check what changed and try again"
            ),
            status=Text(STATUSES[proposal.status]),
        )
        self.proposal_id = proposal.id


def version_of(proposal: Proposal) -> str:
    """The proposal's version as callers name it: its `updated_at` to the microsecond, in UTC."""
    return _utc(proposal.updated_at).strftime("%Y%m%d%H%M%S%f")


def _utc(stamp: datetime) -> datetime:
    # SQLite gives the stored UTC time back without its zone.
    return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)


def claim(session: Session, proposal: Proposal, expected: str | None = None) -> None:
    """Compare-and-set: move the proposal's version forward if it is still `expected` (or, with
    None, still what this transaction read), else raise `Stale`.

    Called before anything else is written, so the row lock it takes (PostgreSQL) or the write
    lock (SQLite) orders racing requests: the second one finds the version gone and writes nothing.
    """
    assert proposal.id is not None
    if expected is not None and expected != version_of(proposal):
        raise Stale(proposal)
    held = _utc(proposal.updated_at)
    now = max(utcnow(), held + timedelta(microseconds=1))  # a new version, even within a tick
    result = session.execute(
        update(Proposal)
        .where(col(Proposal.id) == proposal.id, col(Proposal.updated_at) == held)
        .values(updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(proposal)
        raise Stale(proposal)
    set_committed_value(proposal, "updated_at", now)


def check_move(proposal: Proposal, move: str, actor: Actor) -> str:
    """The status after `move`, or PermissionDenied / BadRequest (409 when the status is wrong)."""
    rule = MOVES[move]
    require(actor, rule.action, proposal.author_id)
    if proposal.status not in rule.sources:
        raise Conflict(
            N_(
                "status: a %(status)s proposal cannot be moved by %(move)r (allowed from: "
                "%(choices)s)"
            ),
            status=proposal.status,
            move=move,
            choices=", ".join(sorted(rule.sources)),
        )
    return rule.target or proposal.status


def allows(actor: Actor, proposal: Proposal, move: str) -> bool:
    """Whether `move` (one of MOVES, or "edit") is open to `actor` on this proposal now: what
    pages ask instead of listing statuses, so the table stays the one place that knows them."""
    if move == "edit":
        return proposal.status in EDITABLE and allowed(actor, "proposal.edit", proposal.author_id)
    rule = MOVES[move]
    return proposal.status in rule.sources and allowed(actor, rule.action, proposal.author_id)


def check_editable(actor: Actor, proposal: Proposal) -> None:
    """Only the author edits, and only a draft or a proposal sent back for changes."""
    require(actor, "proposal.edit", proposal.author_id)
    if proposal.status not in EDITABLE:
        raise Conflict(
            N_(
                "status: a %(status)s proposal cannot be edited (withdraw it, or wait for the "
                "reviewer's decision)"
            ),
            status=proposal.status,
        )


def store_edit(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    snapshot: dict[str, Any],
    note: str,
    expected: str | None = None,
) -> Proposal:
    """Keep the author's latest text and note on the proposal, audited (the caller commits);
    `Stale` when someone saved or moved it since `expected`."""
    claim(session, proposal, expected)
    proposal.data = snapshot
    proposal.note = note
    session.add(proposal)
    audit.record(session, actor, audit.ProposalEdited(proposal.id or 0, proposal.slug))
    session.flush()
    return proposal


def get(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound(N_("no proposal with id %(proposal_id)s"), proposal_id=proposal_id)
    return proposal


def read(session: Session, actor: Actor, proposal_id: int) -> Proposal:
    """A proposal its author or a moderator may see (403 otherwise)."""
    proposal = get(session, proposal_id)
    require(actor, "proposal.read", proposal.author_id)
    return proposal


def move(session: Session, actor: Actor, proposal: Proposal, move: str) -> None:
    """Change the status (the caller `claim`ed the proposal first: its version moved on)."""
    assert proposal.id is not None
    before = proposal.status
    proposal.status = check_move(proposal, move, actor)
    if proposal.status in CLOSED:
        proposal.decided_at = proposal.updated_at
    session.add(proposal)
    audit.record(
        session,
        actor,
        audit.ProposalMoved(proposal.id, proposal.slug, move, before, proposal.status),
    )


def enter_review(
    session: Session,
    actor: Actor,
    proposal: Proposal,
    link: Link | None,
    expected: str | None = None,
) -> None:
    """The submit move, a new review round, and the reviewers told (any kind of proposal)."""
    claim(session, proposal, expected)
    move(session, actor, proposal, "submit")
    proposal.round += 1
    proposal.submitted_at = utcnow()
    session.flush()
    assert proposal.id is not None
    notify.send(
        session,
        "submitted",
        notify.moderators(session),
        acting_user_id=actor.user_id,
        title_fr=str(proposal.data.get("title_fr") or proposal.slug),
        title_en=str(proposal.data.get("title_en") or proposal.slug),
        url=link(proposal.id) if link else "",
    )


def rebased(session: Session, proposal: Proposal, version: int) -> None:
    """Move the base to `version`: a proposal under review starts a new round of approvals."""
    proposal.base_version = version
    if proposal.status == "submitted":
        proposal.round += 1
    session.add(proposal)
    session.flush()
