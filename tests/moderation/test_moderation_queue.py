"""The moderation queue never hides work: what waits for review comes first, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from kb import uow
from kb.catalogue import taxonomy
from kb.models import Proposal
from kb.moderation import practice_subject as proposals
from kb.moderation import reviews
from tests.conftest import practice_data


def test_the_submitted_proposal_is_listed_first_among_250_open_drafts(
    session: Session, make_account: Callable[..., Any], vocabulary_loaded: Any
) -> None:
    writer, moderator = make_account("contributor"), make_account("moderator")
    # Rows, not domain calls: only their number and status matter here.
    session.add_all(
        Proposal(slug=f"draft-{n}", data={}, author_id=writer.id, status="draft")
        for n in range(250)
    )
    uow.commit(session=session)
    waiting = proposals.start(
        session=session, actor=writer.actor(), data=practice_data(slug="waiting")
    )
    assert waiting.id is not None
    proposals.submit(
        session=session,
        actor=writer.actor(),
        proposal_id=waiting.id,
        vocabulary=taxonomy.load(session),
    )
    uow.commit(session=session)
    queue = reviews.queue(session, moderator.actor())
    assert [p.slug for p in queue.awaiting_me] == ["waiting"]
    assert reviews.mine(session, writer.actor()).mine[0].slug == "waiting"
    assert reviews.awaiting_count(session, moderator.actor()) == 1
