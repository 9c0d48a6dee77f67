"""Moderation in the domain: working copies, four eyes, review rounds, stale bases, history.

Runs on SQLite and (with KB_TEST_POSTGRES_URL) PostgreSQL, through the real write path and a real
index in tmp_path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from indexer import Query
from kb import db, uow
from kb.catalogue import history, taxonomy
from kb.catalogue import json_io as practice_json
from kb.catalogue.data import PracticeData
from kb.errors import Conflict, PermissionDenied, ValidationError
from kb.models import MailMessage, Practice
from kb.moderation import practice_subject as proposals
from kb.moderation import reviews, subjects
from kb.moderation.practice_subject import StaleBase
from kb.moderation.workflow import CLOSED, MOVES, OPEN, STATUSES, get
from kb.search import index_sync as search
from tests.conftest import practice_data

ALL_TICKED = dict.fromkeys(reviews.CHECKLIST, True)


def spotlight(**overrides: Any) -> PracticeData:
    return practice_data(**{"slug": "spotlight", **overrides})  # type: ignore[no-any-return]


class People:
    def __init__(self, make_account: Callable[..., Any]) -> None:
        self.writer = make_account("contributor", email="writer@example.org", name="Writer")
        self.mod1 = make_account("moderator", email="mod1@example.org", name="Mod One")
        self.mod2 = make_account("moderator", email="mod2@example.org", name="Mod Two")
        self.admin = make_account("admin", email="admin@example.org", name="Admin")


@pytest.fixture
def people(make_account: Callable[..., Any], vocabulary_loaded: Any) -> People:
    return People(make_account)


def found(session: Session, index: Any, text: str) -> list[str]:
    query = Query(text=text)
    return [p.slug for p in search.search(session=session, index=index, query=query).practices]


def decide(session: Session, index: Any, who: Any, proposal_id: int, decision: str, **kw: Any):  # type: ignore[no-untyped-def]
    outcome = reviews.decide(
        session=session,
        actor=who.actor(),
        proposal_id=proposal_id,
        decision=decision,
        vocabulary=taxonomy.load(session),
        **{"checklist": ALL_TICKED, **kw},
    )
    uow.commit(session=session, index=index)
    return outcome


def submitted(session: Session, who: Any, data: PracticeData, **kw: Any) -> int:
    proposal = proposals.start(session=session, actor=who.actor(), data=data, **kw)
    assert proposal.id is not None
    proposals.submit(
        session=session,
        actor=who.actor(),
        proposal_id=proposal.id,
        vocabulary=taxonomy.load(session),
    )
    uow.commit(session=session)
    return proposal.id


def test_a_spotlight_is_published_only_after_another_person_approves_it(
    session: Session, index: Any, people: People
) -> None:
    pid = submitted(session, people.writer, spotlight(title_en="Wombat dialogue evenings"))
    assert found(session, index, "wombat") == []
    with pytest.raises(ValidationError, match="comment"):
        decide(session, index, people.mod1, pid, "request_changes", comment="")
    session.rollback()
    decide(session, index, people.mod1, pid, "request_changes", comment="Add the *year*.")
    assert get(session, pid).status == "changes_requested"

    proposals.save(
        session=session,
        actor=people.writer.actor(),
        proposal_id=pid,
        data=spotlight(title_en="Wombat dialogue evenings", start_year=2021),
    )
    proposals.submit(
        session=session,
        actor=people.writer.actor(),
        proposal_id=pid,
        vocabulary=taxonomy.load(session),
    )
    uow.commit(session=session)
    outcome = decide(session, index, people.mod1, pid, "approve")
    assert outcome.practice is not None and outcome.practice.state == "published"
    assert outcome.practice.start_year == 2021
    assert found(session, index, "wombat") == ["spotlight"]
    assert get(session, pid).status == "published"


def test_nobody_approves_their_own_proposal(session: Session, index: Any, people: People) -> None:
    pid = submitted(session, people.mod1, spotlight())
    for decision in reviews.DECISIONS:
        with pytest.raises(PermissionDenied, match="four eyes"):
            decide(session, index, people.mod1, pid, decision, comment="mine")
        session.rollback()
    with pytest.raises(PermissionDenied):
        decide(session, index, people.writer, pid, "approve")
    session.rollback()
    assert decide(session, index, people.mod2, pid, "approve").practice is not None


def test_approving_needs_the_whole_checklist(session: Session, index: Any, people: People) -> None:
    pid = submitted(session, people.writer, spotlight())
    partial = {**ALL_TICKED, "languages_match": False}
    with pytest.raises(ValidationError, match="languages_match"):
        decide(session, index, people.mod1, pid, "approve", checklist=partial)
    session.rollback()
    with pytest.raises(ValidationError, match="unknown"):
        decide(session, index, people.mod1, pid, "approve", checklist={"bogus": True})


def test_two_approvals_from_distinct_moderators_when_configured(
    session: Session, index: Any, people: People
) -> None:
    pid = submitted(session, people.writer, spotlight())
    first = decide(session, index, people.mod1, pid, "approve", approvals_needed=2)
    assert first.practice is None and first.approvals == 1
    assert get(session, pid).status == "submitted"
    with pytest.raises(Exception, match="already approved"):
        decide(session, index, people.mod1, pid, "approve", approvals_needed=2)
    session.rollback()
    second = decide(session, index, people.mod2, pid, "approve", approvals_needed=2)
    assert second.practice is not None and second.approvals == 2


def test_an_edit_waits_for_review_while_the_live_practice_stays_unchanged(
    session: Session, index: Any, people: People, make_practice: Callable[..., Any]
) -> None:
    live = make_practice(slug="live-one", title_en="Original title about kangaroos")
    data = replace(spotlight(slug="live-one"), title_en="A new title about koalas")
    pid = submitted(session, people.writer, data, base_slug="live-one")
    session.refresh(live)
    assert live.title_en == "Original title about kangaroos" and live.version == 1
    assert found(session, index, "kangaroos") == ["live-one"]
    changes = proposals.changes(session, get(session, pid))
    assert [c.field for c in changes if c.changed] == ["title_en"]
    decide(session, index, people.mod1, pid, "approve")
    assert found(session, index, "koalas") == ["live-one"]
    assert found(session, index, "kangaroos") == []


def test_publishing_over_a_newer_version_is_refused_with_what_changed_and_can_be_rebased(
    session: Session, index: Any, people: People, make_practice: Callable[..., Any]
) -> None:
    make_practice(slug="shared")
    base = spotlight(slug="shared")
    first = submitted(
        session, people.writer, replace(base, title_en="First edit"), base_slug="shared"
    )
    second = submitted(
        session, people.mod2, replace(base, summary_en="Second edit."), base_slug="shared"
    )
    decide(session, index, people.mod1, first, "approve")
    with pytest.raises(StaleBase) as refused:
        decide(session, index, people.mod1, second, "approve")
    session.rollback()
    assert [c.field for c in refused.value.changes if c.changed] == ["title_en"]
    kept = get(session, second)
    assert kept.status == "submitted" and kept.data["summary_en"] == "Second edit."
    subjects.rebase(session=session, actor=people.mod2.actor(), proposal_id=second)
    uow.commit(session=session)
    decide(session, index, people.mod1, second, "approve")
    live = session.exec(select(Practice).where(Practice.slug == "shared")).one()
    # The rebased proposal carries its author's full text: the first edit is replaced by it.
    assert live.summary_en == "Second edit." and live.version == 3


def test_two_moderators_publishing_at_once_never_both_win(
    app: Flask, session: Session, index: Any, people: People, make_practice: Callable[..., Any]
) -> None:
    make_practice(slug="raced")
    base = spotlight(slug="raced")
    ids = [
        submitted(session, people.writer, replace(base, title_en=f"Edit {n}"), base_slug="raced")
        for n in (1, 2)
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(proposal_id: int) -> None:
        with Session(db.get_engine(app), expire_on_commit=False) as s:
            barrier.wait()
            try:
                reviews.decide(
                    session=s,
                    actor=people.mod1.actor(),
                    proposal_id=proposal_id,
                    decision="approve",
                    checklist=ALL_TICKED,
                    vocabulary=taxonomy.load(s),
                )
                uow.commit(session=s)
                outcomes.append("published")
            except Conflict:
                s.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=approve, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "published"]
    session.expire_all()
    statuses = sorted(get(session, i).status for i in ids)
    assert statuses == ["published", "submitted"]  # the loser is kept, to rebase
    assert session.exec(select(Practice).where(Practice.slug == "raced")).one().version == 2


def test_blocking_checks_stop_a_submission_and_warnings_reach_the_reviewer(
    session: Session, people: People
) -> None:
    proposal = proposals.start(
        session=session,
        actor=people.writer.actor(),
        data=spotlight(
            summary_en="Call Jane on +33 1 23 45 67 89.", evidence_level="independent-evaluation"
        ),
    )
    assert proposal.id is not None
    with pytest.raises(ValidationError) as refused:
        proposals.submit(
            session=session,
            actor=people.writer.actor(),
            proposal_id=proposal.id,
            vocabulary=taxonomy.load(session),
        )
    fields = {e.field for e in refused.value.errors}
    assert {"summary.en", "evidence_level"} <= fields
    proposals.save(
        session=session,
        actor=people.writer.actor(),
        proposal_id=proposal.id,
        data=spotlight(summary_en="Short.", evidence_level="independent-evaluation"),
        note="The city's 2023 activity report describes an external evaluation.",
    )
    warnings = proposals.submit(
        session=session,
        actor=people.writer.actor(),
        proposal_id=proposal.id,
        vocabulary=taxonomy.load(session),
    )
    assert {w.field for w in warnings} == {"evidence_level", "summary.en"}


def test_drafts_keep_incomplete_text_but_not_unbounded_text(
    session: Session, people: People
) -> None:
    draft = proposals.start(
        session=session, actor=people.writer.actor(), data=spotlight(title_fr="", themes=("nope",))
    )
    assert draft.data["title_fr"] == "" and draft.data["themes"] == ["nope"]
    with pytest.raises(ValidationError, match="body"):
        proposals.start(
            session=session, actor=people.writer.actor(), data=spotlight(body="x" * 1_000_001)
        )


def test_comments_are_threaded_sanitised_and_mailed_to_the_author(
    session: Session, index: Any, people: People
) -> None:
    pid = submitted(session, people.writer, spotlight())
    root = reviews.comment(
        session=session,
        actor=people.mod1.actor(),
        proposal_id=pid,
        body="Please check <script>alert(1)</script> **this**",
    )
    reviews.comment(
        session=session,
        actor=people.writer.actor(),
        proposal_id=pid,
        body="Done.",
        parent_id=root.id,
    )
    uow.commit(session=session)
    [thread] = reviews.threads(session, pid)
    assert "<script>" not in thread.html and "<strong>this</strong>" in thread.html
    assert [r.author for r in thread.replies] == ["Writer"]
    to = [m.to_address for m in session.exec(select(MailMessage))]
    assert to.count("writer@example.org") == 1  # the mod's comment; not their own reply
    assert {"mod1@example.org", "mod2@example.org"} <= set(to)  # told of the submission
    with pytest.raises(PermissionDenied):
        reviews.comment(session=session, actor=people.admin.actor(), proposal_id=pid, body="hi")


def test_nobody_is_mailed_who_turned_notifications_off(session: Session, people: People) -> None:
    from kb.accounts import accounts

    for who in (people.mod1, people.mod2):
        accounts.edit_profile(
            session=session,
            actor=who.actor(),
            user_id=who.id,
            display_name=who.user.display_name,
            language="fr",
            email_notifications=False,
        )
    uow.commit(session=session)
    submitted(session, people.writer, spotlight())
    assert list(session.exec(select(MailMessage))) == []


def test_history_lists_versions_and_proposals_and_restoring_goes_through_review(
    session: Session, index: Any, people: People
) -> None:
    first = submitted(session, people.writer, spotlight(title_en="Version one"))
    decide(session, index, people.mod1, first, "approve")
    second = submitted(
        session, people.writer, spotlight(title_en="Version two"), base_slug="spotlight"
    )
    decide(session, index, people.mod2, second, "approve")
    practice, entries = history.history(session, people.writer.actor(), "spotlight")
    assert [e.version for e in entries if e.kind == "version"] == [2, 1]
    assert {e.status for e in entries if e.kind == "proposal"} == {"published"}
    changes = history.compare_versions(session, people.writer.actor(), "spotlight", 1, 2)
    assert [(c.field, c.before, c.after) for c in changes if c.changed] == [
        ("title_en", "Version one", "Version two")
    ]
    restored = history.restore_version(
        session=session, actor=people.writer.actor(), slug="spotlight", version=1
    )
    uow.commit(session=session)
    assert restored.status == "draft" and restored.data["title_en"] == "Version one"
    session.refresh(practice)
    assert practice.title_en == "Version two"


def test_an_admin_archives_a_practice_and_it_leaves_the_index(
    session: Session, index: Any, people: People, make_practice: Callable[..., Any]
) -> None:
    make_practice(slug="old-one", title_en="Platypus workshops")
    with pytest.raises(PermissionDenied):
        history.archive(session=session, actor=people.mod1.actor(), slug="old-one")
    session.rollback()
    history.archive(session=session, actor=people.admin.actor(), slug="old-one")
    uow.commit(session=session, index=index)
    assert found(session, index, "platypus") == []
    history.unarchive(session=session, actor=people.admin.actor(), slug="old-one")
    uow.commit(session=session, index=index)
    assert found(session, index, "platypus") == ["old-one"]


def test_api_json_is_checked_field_by_field() -> None:
    with pytest.raises(ValidationError) as refused:
        practice_json.data_from_json(
            {"slug": 3, "cities": "Paris", "start_year": "2020", "bogus": 1, "sources": [{"x": 1}]}
        )
    assert {e.field for e in refused.value.errors} == {
        "slug",
        "cities",
        "start_year",
        "bogus",
        "sources[0].x",
    }
    data = practice_json.data_from_json({**spotlight().snapshot(), "version": 4, "urls": {}})
    assert data == spotlight()


def test_the_workflow_declares_every_status_once_and_no_transient_one() -> None:
    """Each status a move names is declared, with its label; an approval publishes directly, so
    no status exists only inside a transaction."""
    named = {m.target for m in MOVES.values() if m.target} | {
        s for m in MOVES.values() for s in m.sources
    }
    assert named <= set(STATUSES)
    assert OPEN | CLOSED == set(STATUSES) and not OPEN & CLOSED
    assert MOVES["approve"].target == "published"
    assert "approved" not in STATUSES


def test_every_proposal_kind_has_a_subject() -> None:
    assert set(subjects.SUBJECTS) == {"practice", "page"}
    for kind, subject in subjects.SUBJECTS.items():
        assert subject.kind == kind
