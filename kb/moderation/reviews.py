"""Reviewing proposals: decisions with the reviewer's checklist, threaded comments, the queue.

Four eyes is a guard in `kb.permissions` (`not_author`), checked here in the domain: nobody
approves, sends back or rejects their own proposal, whichever screen or API asks. A proposal is
published once `approvals_needed` distinct moderators approved it in its current round (a round
starts at each submit or rebase).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from kb import audit
from kb.catalogue.taxonomy import Vocabulary
from kb.errors import N_, BadRequest, FieldError, ValidationError
from kb.models import Practice, Proposal, ProposalComment, ReviewDecision, User
from kb.moderation import notify, subjects
from kb.moderation.workflow import CLOSED, OPEN, Link, check_move, claim, get, move
from kb.permissions import Actor, allowed, require
from kb.text.markdown import render

DECISIONS = ("approve", "request_changes", "reject")
# The reviewer's checklist, recorded with each decision; all of it must be ticked to approve.
CHECKLIST = (
    "no_personal_data",
    "no_minors_or_victims",
    "no_operational_security",
    "evidence_matches_sources",
    "languages_match",
)
COMMENT_MAX = 10_000


@dataclass(frozen=True)
class Outcome:
    proposal: Proposal
    practice: Practice | None  # set when the decision published it
    approvals: int
    approvals_needed: int


def approvals(session: Session, proposal: Proposal) -> int:
    """Distinct moderators who approved the current round."""
    count = session.exec(
        select(func.count(func.distinct(ReviewDecision.reviewer_id))).where(
            ReviewDecision.proposal_id == proposal.id,
            ReviewDecision.round == proposal.round,
            ReviewDecision.decision == "approve",
        )
    ).one()
    return int(count or 0)


def _checklist(raw: Mapping[str, Any] | None) -> dict[str, bool]:
    raw = raw or {}
    unknown = [k for k in raw if k not in CHECKLIST]
    if unknown:
        raise ValidationError(
            [FieldError(f"checklist.{str(k)[:40]}", N_("unknown item")) for k in unknown]
        )
    # JSON booleans only: "false" (a string) is true to bool(), and the audit log would say ticked.
    loose = [k for k in CHECKLIST if k in raw and not isinstance(raw[k], bool)]
    if loose:
        raise ValidationError(
            [
                FieldError(f"checklist.{k}", N_("expected true or false (a JSON boolean)"))
                for k in loose
            ]
        )
    return {item: raw.get(item) is True for item in CHECKLIST}


def decide(
    *,
    session: Session,
    actor: Actor,
    proposal_id: int,
    decision: str,
    comment: str = "",
    checklist: Mapping[str, Any] | None = None,
    vocabulary: Vocabulary,
    approvals_needed: int = 1,
    link: Link | None = None,
    expected: str | None = None,
) -> Outcome:
    """Record a moderator's decision on version `expected` of the proposal (None: the version
    read here); publish when enough distinct moderators approved. `Stale` (409) when another
    decision, a withdraw or an edit came first."""
    if decision not in DECISIONS:
        raise ValidationError(
            [
                FieldError(
                    "decision",
                    N_("expected one of %(choices)s, got %(decision)r"),
                    choices=", ".join(DECISIONS),
                    decision=decision[:40],
                )
            ]
        )
    proposal = get(session, proposal_id)
    check_move(proposal, decision, actor)  # four eyes and status, before anything else
    ticks = _checklist(checklist)
    comment = (comment or "").replace("\x00", "").strip()
    _check_decision(decision, comment, ticks)
    if decision == "approve" and _already_approved(session, proposal, actor):
        raise BadRequest(N_("decision: you already approved this round; another moderator must"))
    claim(session, proposal, expected)  # first write: a racing decision stops here
    assert proposal.id is not None and actor.user_id is not None or actor.kind == "system"
    session.add(
        ReviewDecision(
            proposal_id=proposal_id,
            reviewer_id=actor.user_id or 0,
            decision=decision,
            round=proposal.round,
            comment=comment,
            checklist=ticks,
        )
    )
    audit.record(
        session,
        actor,
        audit.ProposalDecided(
            proposal_id,
            proposal.slug,
            decision,
            proposal.round,
            tuple(k for k, v in ticks.items() if v),
        ),
    )
    if comment:
        _add_comment(session, actor, proposal, comment, None)
    session.flush()
    count = approvals(session, proposal)
    practice = None
    if decision != "approve":
        move(session, actor, proposal, decision)
    elif count >= max(1, approvals_needed):
        practice = subjects.publish(
            session=session, actor=actor, proposal=proposal, vocabulary=vocabulary
        )
    session.flush()
    published = proposal.status == "published"
    if decision != "approve" or published:
        _notify_author(session, actor, proposal, "published" if published else decision, link)
    return Outcome(proposal, practice, count, max(1, approvals_needed))


def _check_decision(decision: str, comment: str, ticks: dict[str, bool]) -> None:
    if len(comment) > COMMENT_MAX:
        raise ValidationError(
            [
                FieldError(
                    "comment",
                    N_("expected at most %(max)s characters"),
                    max=COMMENT_MAX,
                )
            ]
        )
    if decision == "request_changes" and not comment:
        raise ValidationError([FieldError("comment", N_("required: say what should change"))])
    if decision == "reject" and not comment:
        raise ValidationError([FieldError("comment", N_("required: give the reason"))])
    if decision == "approve" and not all(ticks.values()):
        missing = [k for k, v in ticks.items() if not v]
        raise ValidationError(
            [FieldError("checklist", N_("tick every item of the checklist to approve"))]
            + [FieldError(f"checklist.{k}", N_("not ticked")) for k in missing]
        )


def _already_approved(session: Session, proposal: Proposal, actor: Actor) -> bool:
    if actor.user_id is None:
        return False
    row = session.exec(
        select(ReviewDecision.id).where(
            ReviewDecision.proposal_id == proposal.id,
            ReviewDecision.round == proposal.round,
            ReviewDecision.reviewer_id == actor.user_id,
            ReviewDecision.decision == "approve",
        )
    ).first()
    return row is not None


def _notify_author(
    session: Session, actor: Actor, proposal: Proposal, what: str, link: Link | None
) -> None:
    assert proposal.id is not None
    notify.send(
        session,
        "decision",
        [session.get(User, proposal.author_id)],
        acting_user_id=actor.user_id,
        title_fr=str(proposal.data.get("title_fr") or proposal.slug),
        title_en=str(proposal.data.get("title_en") or proposal.slug),
        url=link(proposal.id) if link else "",
        decision=what,
    )


# --- comments --------------------------------------------------------------------------------


def _add_comment(
    session: Session, actor: Actor, proposal: Proposal, body: str, parent_id: int | None
) -> ProposalComment:
    row = ProposalComment(
        proposal_id=proposal.id or 0, author_id=actor.user_id, parent_id=parent_id, body=body
    )
    session.add(row)
    session.flush()
    assert row.id is not None and proposal.id is not None
    audit.record(session, actor, audit.ProposalCommented(proposal.id, proposal.slug, row.id))
    return row


def comment(
    *,
    session: Session,
    actor: Actor,
    proposal_id: int,
    body: str,
    parent_id: int | None = None,
    link: Link | None = None,
) -> ProposalComment:
    """Add a Markdown comment (author or moderators); the author hears of it by e-mail."""
    proposal = get(session, proposal_id)
    require(actor, "proposal.comment", proposal.author_id)
    body = (body or "").replace("\x00", "").strip()
    if not body:
        raise ValidationError([FieldError("body", N_("required; write a comment"))])
    if len(body) > COMMENT_MAX:
        raise ValidationError(
            [
                FieldError(
                    "body",
                    N_("expected at most %(max)s characters"),
                    max=COMMENT_MAX,
                )
            ]
        )
    if parent_id is not None:
        parent = session.get(ProposalComment, parent_id)
        if parent is None or parent.proposal_id != proposal_id:
            raise ValidationError([FieldError("parent_id", N_("no such comment on this proposal"))])
    row = _add_comment(session, actor, proposal, body, parent_id)
    recipients = [session.get(User, proposal.author_id)]
    recipients += [
        session.get(User, uid)
        for uid in session.exec(
            select(ProposalComment.author_id).where(ProposalComment.proposal_id == proposal_id)
        )
        if uid is not None
    ]
    notify.send(
        session,
        "comment",
        recipients,
        acting_user_id=actor.user_id,
        title_fr=str(proposal.data.get("title_fr") or proposal.slug),
        title_en=str(proposal.data.get("title_en") or proposal.slug),
        url=link(proposal_id) if link else "",
    )
    session.flush()
    return row


@dataclass
class Thread:
    comment: ProposalComment
    author: str
    html: str
    replies: list[Thread] = field(default_factory=list)


def threads(session: Session, proposal_id: int) -> list[Thread]:
    """The conversation as trees, oldest first; bodies rendered and sanitised like practices."""
    rows = session.exec(
        select(ProposalComment, User.display_name)
        .outerjoin(User, col(User.id) == col(ProposalComment.author_id))
        .where(ProposalComment.proposal_id == proposal_id)
        .order_by(col(ProposalComment.id))
    ).all()
    nodes = {c.id: Thread(c, name or "—", render(c.body)) for c, name in rows}
    roots: list[Thread] = []
    for node in nodes.values():
        parent = nodes.get(node.comment.parent_id) if node.comment.parent_id else None
        (parent.replies if parent else roots).append(node)
    return roots


def comments_of(session: Session, proposal_id: int) -> list[ProposalComment]:
    statement = select(ProposalComment).where(ProposalComment.proposal_id == proposal_id)
    return list(session.exec(statement.order_by(col(ProposalComment.id))))


def decisions_of(session: Session, proposal_id: int) -> list[tuple[ReviewDecision, str]]:
    rows = session.exec(
        select(ReviewDecision, User.display_name)
        .join(User, col(User.id) == col(ReviewDecision.reviewer_id))
        .where(ReviewDecision.proposal_id == proposal_id)
        .order_by(col(ReviewDecision.id))
    ).all()
    return [(d, name) for d, name in rows]


# --- the queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queue:
    awaiting_me: list[Proposal]
    mine: list[Proposal]
    changes_requested: list[Proposal]
    recent: list[Proposal]

    def counts(self) -> dict[str, int]:
        return {
            "awaiting_me": len(self.awaiting_me),
            "mine": len(self.mine),
            "changes_requested": len(self.changes_requested),
        }


def queue(session: Session, actor: Actor, *, limit: int = 200) -> Queue:
    """For moderators: awaiting my review (oldest first, never my own nor already approved by
    me), my open proposals, the ones sent back, and recently closed ones."""
    require(actor, "proposal.queue")
    open_rows = _open_rows(session, limit)
    awaiting = [
        p
        for p in open_rows
        if p.status == "submitted"
        and p.author_id != actor.user_id
        and not _approved_by(session, p, actor)
    ]
    return Queue(
        awaiting,
        [p for p in open_rows if p.author_id == actor.user_id],
        [p for p in open_rows if p.status == "changes_requested"],
        _recent(session, None),
    )


def mine(session: Session, actor: Actor, *, limit: int = 200) -> Queue:
    """For contributors: their own open proposals, those sent back, and their closed ones."""
    require(actor, "proposal.create")
    own = [p for p in _open_rows(session, limit, author_id=actor.user_id)]
    return Queue(
        [],
        own,
        [p for p in own if p.status == "changes_requested"],
        _recent(session, actor.user_id),
    )


def _open_rows(session: Session, limit: int, author_id: int | None = None) -> list[Proposal]:
    statement = select(Proposal).where(col(Proposal.status).in_(OPEN))
    if author_id is not None:
        statement = statement.where(Proposal.author_id == author_id)
    # Submitted first, oldest first, then the rest: spelled out, because SQLite sorts NULLs
    # first and PostgreSQL last, and a page of drafts must never push the waiting ones out.
    ordered = statement.order_by(
        case((col(Proposal.status) == "submitted", 0), else_=1),
        col(Proposal.submitted_at).asc().nulls_last(),
        col(Proposal.id),
    ).limit(limit)
    return list(session.exec(ordered))


def _recent(session: Session, author_id: int | None) -> list[Proposal]:
    statement = select(Proposal).where(col(Proposal.status).in_(CLOSED))
    if author_id is not None:
        statement = statement.where(Proposal.author_id == author_id)
    return list(session.exec(statement.order_by(col(Proposal.updated_at).desc()).limit(20)))


def _approved_by(session: Session, proposal: Proposal, actor: Actor) -> bool:
    return _already_approved(session, proposal, actor)


def awaiting_count(session: Session, actor: Actor) -> int:
    """For the header badge: submitted proposals by others (cheap, one query)."""
    if not allowed(actor, "proposal.queue"):
        return 0
    count = session.exec(
        select(func.count(col(Proposal.id))).where(
            Proposal.status == "submitted", Proposal.author_id != (actor.user_id or 0)
        )
    ).one()
    return int(count or 0)
