"""Suggestions from the public: a practice to add, or an error on a practice page.

Anyone may send one (no account, hence no permission check on `send`; the web tier limits the
rate, the size and catches bots with a honeypot). Moderators read them in the queue, turn a
suggestion into a draft proposal or close it; closing erases the e-mail address, which is kept
only for follow-up and never shown publicly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, col, select

from kb import audit
from kb.catalogue.data import PracticeData
from kb.errors import N_, Conflict, FieldError, NotFound, ValidationError
from kb.models import Proposal, Suggestion, utcnow
from kb.moderation import practice_subject as proposals
from kb.permissions import Actor, require

LIMITS = {"city": 120, "title": 200, "description": 5000, "links": 2000, "email": 254}
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class SuggestionData:
    kind: str
    description: str
    city: str = ""
    title: str = ""
    links: str = ""
    email: str = ""
    practice_slug: str | None = None


def check(data: SuggestionData) -> list[FieldError]:
    errors = []
    for name, limit in LIMITS.items():
        if len(getattr(data, name)) > limit:
            errors.append(FieldError(name, N_("too long")))
    if not data.description.strip():
        errors.append(FieldError("description", N_("required; say what it is about")))
    if data.kind == "suggestion" and not data.title.strip():
        errors.append(FieldError("title", N_("required; give the practice a name")))
    if data.email and not EMAIL_SHAPE.match(data.email):
        errors.append(FieldError("email", N_("expected an e-mail address, or nothing")))
    return errors


def send(*, session: Session, data: SuggestionData) -> Suggestion:
    """Store a suggestion from anyone (flushed; the caller commits)."""
    data = SuggestionData(
        **{k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in vars(data).items()}
    )
    errors = check(data)
    if errors:
        raise ValidationError(errors)
    row = Suggestion(
        kind=data.kind,
        practice_slug=data.practice_slug,
        city=data.city.strip(),
        title=data.title.strip(),
        description=data.description.strip(),
        links=data.links.strip(),
        email=data.email.strip().lower() or None,
    )
    session.add(row)
    session.flush()
    return row


def open_ones(session: Session, actor: Actor) -> list[Suggestion]:
    require(actor, "suggestion.manage")
    statement = select(Suggestion).where(Suggestion.status == "open")
    return list(session.exec(statement.order_by(col(Suggestion.id))))


def reports_on(session: Session, actor: Actor, slug: str) -> list[Suggestion]:
    """Open error reports on one practice (shown on its history page)."""
    require(actor, "suggestion.manage")
    statement = select(Suggestion).where(
        Suggestion.status == "open", Suggestion.practice_slug == slug
    )
    return list(session.exec(statement.order_by(col(Suggestion.id))))


def _open(session: Session, suggestion_id: int) -> Suggestion:
    row = session.get(Suggestion, suggestion_id)
    if row is None:
        raise NotFound(N_("no suggestion with id %(suggestion_id)s"), suggestion_id=suggestion_id)
    if row.status != "open":
        raise Conflict(N_("status: this suggestion is already closed"))
    return row


def close(
    *, session: Session, actor: Actor, suggestion_id: int, proposal_id: int | None = None
) -> Suggestion:
    """Close it and erase the e-mail address."""
    require(actor, "suggestion.manage")
    row = _open(session, suggestion_id)
    row.status, row.email, row.closed_at, row.proposal_id = "closed", None, utcnow(), proposal_id
    session.add(row)
    audit.record(session, actor, audit.SuggestionClosed(suggestion_id, proposal_id))
    session.flush()
    return row


def to_draft(*, session: Session, actor: Actor, suggestion_id: int) -> Proposal:
    """A draft proposal from a suggestion (a moderator completes it); the suggestion closes."""
    require(actor, "suggestion.manage")
    row = _open(session, suggestion_id)
    title = row.title or row.city
    data = PracticeData(
        slug="",
        title_fr=title,
        title_en=title,
        summary_fr=row.description[:1200],
        summary_en="",
        language="fr",
        cities=(row.city,) if row.city else (),
        country="",
        themes=(),
        lead_organisation="",
        status="unknown",
        evidence_level="none-found",
        sources=(),
        body=f"{row.description}\n\n{row.links}\n".strip() + "\n",
    )
    proposal = proposals.start(
        session=session, actor=actor, data=data, note=f"from public suggestion {suggestion_id}"
    )
    close(session=session, actor=actor, suggestion_id=suggestion_id, proposal_id=proposal.id)
    return proposal
