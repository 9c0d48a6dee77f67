"""The one write path of practices: validation, versions, change log, workflow, concurrency."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import Session, col, select

from kb.catalogue import practices, taxonomy
from kb.catalogue.data import PracticeData
from kb.catalogue.reads import get, to_data
from kb.errors import BadRequest, Conflict, ValidationError
from kb.models import ChangeLog, Revision
from tests.writes import committed


def data_of(session: Session, practice: Any) -> PracticeData:
    return to_data(session, practice)


def test_creating_a_practice_logs_one_change_and_one_revision(
    make_practice: Callable[..., Any], session: Session
) -> None:
    practice = make_practice()
    logs = session.exec(select(ChangeLog).where(ChangeLog.practice_id == practice.id)).all()
    assert [(c.action, c.version) for c in logs] == [("create", 1)]
    assert (
        session.exec(select(Revision).where(Revision.practice_id == practice.id)).one().version == 1
    )


def test_an_update_bumps_the_version_and_logs_it(
    make_practice: Callable[..., Any], session: Session, index: Any
) -> None:
    practice = make_practice()
    changed = replace(data_of(session, practice), region="Grand Est")
    updated = committed(
        practices.update,
        session=session,
        index=index,
        practice_id=practice.id,
        data=changed,
        expected_version=1,
        vocabulary=taxonomy.load(session),
    )
    assert updated.version == 2 and updated.region == "Grand Est"
    actions = session.exec(
        select(ChangeLog.action)
        .where(ChangeLog.practice_id == practice.id)
        .order_by(col(ChangeLog.id))
    ).all()
    assert actions == ["create", "update"]


def test_an_update_from_a_stale_version_is_refused_and_overwrites_nothing(
    make_practice: Callable[..., Any], session: Session, index: Any
) -> None:
    practice = make_practice()
    vocabulary = taxonomy.load(session)
    first = replace(data_of(session, practice), region="First editor")
    second = replace(data_of(session, practice), region="Second editor")
    committed(
        practices.update,
        session=session,
        index=index,
        practice_id=practice.id,
        data=first,
        expected_version=1,
        vocabulary=vocabulary,
    )
    with pytest.raises(Conflict, match="changed by someone else"):
        committed(
            practices.update,
            session=session,
            index=index,
            practice_id=practice.id,
            data=second,
            expected_version=1,
            vocabulary=vocabulary,
        )
    session.expire_all()
    assert get(session, practice.id).region == "First editor"


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"title_fr": ""}, "title.fr", "required"),
        ({"summary_en": "x" * 1300}, "summary.en", "at most 1200"),
        ({"country": "ZZ"}, "country", "ISO 3166-1"),
        ({"themes": ("hate", "nonsense")}, "themes", "unknown theme 'nonsense'"),
        ({"themes": ()}, "themes", "at least one theme"),
        ({"start_year": 2020, "end_year": 2010, "status": "ended"}, "end_year", "not before"),
        ({"sources": ()}, "sources", "at least one source"),
        ({"slug": "Bad Slug"}, "slug", "lowercase"),
        ({"lessons": "Write to someone@example.org"}, "lessons", "e-mail"),
        ({"body": "x" * 100_001}, "body", "at most 100000"),
    ],
)
def test_invalid_data_is_refused_with_the_field_named(
    make_practice: Callable[..., Any], overrides: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_practice(**overrides)
    messages = {e.field: e.message for e in caught.value.errors}
    assert field in messages and words in messages[field]


def test_a_slug_cannot_be_reused(make_practice: Callable[..., Any]) -> None:
    make_practice()
    with pytest.raises(ValidationError, match="already used"):
        make_practice()


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["submitted", "published", "archived", "published"], True),
        (["published"], False),  # a draft is reviewed before it is published
        (["submitted", "nonsense"], False),
    ],
)
def test_state_moves_follow_the_workflow_table(
    make_practice: Callable[..., Any], session: Session, index: Any, path: list[str], allowed: bool
) -> None:
    practice = make_practice(state="draft")

    def walk() -> None:
        for state in path:
            committed(
                practices.set_state,
                session=session,
                index=index,
                practice_id=practice.id,
                state=state,
                expected_version=practice.version,
            )

    if allowed:
        walk()
        assert practice.state == path[-1]
    else:
        with pytest.raises(BadRequest, match="state"):
            walk()


def test_delete_keeps_history_and_logs_the_removal(
    make_practice: Callable[..., Any], session: Session, index: Any
) -> None:
    practice = make_practice()
    pid = practice.id
    committed(practices.delete, session=session, index=index, practice_id=pid, expected_version=1)
    assert session.exec(
        select(ChangeLog.action).where(ChangeLog.practice_id == pid).order_by(col(ChangeLog.id))
    ).all() == ["create", "delete"]
    assert len(session.exec(select(Revision).where(Revision.practice_id == pid)).all()) == 2
