"""What a proposal proposes, behind one protocol: the workflow, reviews, queue, review page and
API ask the proposal's subject, never its kind (as Wagtail's workflow runs over any model).

A subject (a practice, an editorial page) says what the proposal changes in the live thing, what
others published since its base, what the checks find, how it reads in a list, and how it is
published. The moves that are the same for every subject (withdraw, rebase, publish on the last
approval) are written here once, over the protocol.
"""

from __future__ import annotations

from typing import Any, Protocol

from sqlmodel import Session

from kb.catalogue import diff
from kb.catalogue.taxonomy import Vocabulary
from kb.errors import Text
from kb.models import Practice, Proposal
from kb.moderation import checks as harm
from kb.moderation import page_subject, practice_subject
from kb.moderation.workflow import Endpoints, check_move, claim, get, move, rebased
from kb.permissions import Actor


class Subject(Protocol):
    kind: str
    bilingual: tuple[str, ...]  # fields shown French beside English in diffs
    endpoints: Endpoints
    history_label: str  # msgids, translated where shown
    stale_title: str

    def describe(self, proposal: Proposal) -> Text: ...

    def has_history(self, proposal: Proposal) -> bool: ...

    def live_snapshot(self, session: Session, proposal: Proposal) -> dict[str, Any] | None: ...

    def changes(self, session: Session, proposal: Proposal) -> list[diff.FieldDiff]: ...

    def changed_since_base(self, session: Session, proposal: Proposal) -> list[diff.FieldDiff]: ...

    def checks(
        self, session: Session, proposal: Proposal, vocabulary: Vocabulary
    ) -> list[harm.Check]: ...

    def live_version(self, session: Session, proposal: Proposal) -> int: ...

    def apply(
        self, session: Session, actor: Actor, proposal: Proposal, vocabulary: Vocabulary
    ) -> tuple[int, Practice | None]: ...


SUBJECTS: dict[str, Subject] = {s.kind: s for s in (practice_subject.SUBJECT, page_subject.SUBJECT)}


def of(proposal: Proposal) -> Subject:
    return SUBJECTS[proposal.kind]


def withdraw(
    *, session: Session, actor: Actor, proposal_id: int, expected: str | None = None
) -> Proposal:
    """The author takes back an open proposal (any subject), if still at version `expected`."""
    proposal = get(session, proposal_id)
    check_move(proposal, "withdraw", actor)
    claim(session, proposal, expected)
    move(session, actor, proposal, "withdraw")
    session.flush()
    return proposal


def rebase(
    *, session: Session, actor: Actor, proposal_id: int, expected: str | None = None
) -> Proposal:
    """Base the proposal on the live version; the author's text is kept, approvals start over."""
    proposal = get(session, proposal_id)
    check_move(proposal, "rebase", actor)
    claim(session, proposal, expected)
    move(session, actor, proposal, "rebase")
    rebased(session, proposal, of(proposal).live_version(session, proposal))
    return proposal


def publish(
    *, session: Session, actor: Actor, proposal: Proposal, vocabulary: Vocabulary
) -> Practice | None:
    """Apply the proposal to its subject and close it as published (the caller commits).

    The move is checked first (four eyes, status), so nothing is applied that could not be
    recorded; a stale base raises before anything is written. The caller `claim`ed the proposal.
    """
    check_move(proposal, "approve", actor)
    version, practice = of(proposal).apply(session, actor, proposal, vocabulary)
    move(session, actor, proposal, "approve")
    proposal.published_version = version
    session.flush()
    return practice
