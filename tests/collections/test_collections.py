"""Curated collections through the domain: ordered, noted, version-pinned, audited, with history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import Session, select

from kb.catalogue import practices, taxonomy
from kb.catalogue.reads import get_by_slug, to_data
from kb.collections import collections
from kb.collections import items as collection_items
from kb.collections import reads as collection_reads
from kb.collections.collections import CollectionData
from kb.errors import NotFound, PermissionDenied, ValidationError
from kb.models import AuditEvent
from kb.permissions import Actor
from tests.writes import committed

CURATOR = Actor.for_user(1, {"curator"})
DATA = CollectionData(
    title_fr="Jeunesse et haine en ligne",
    title_en="Youth and online hate",
    intro_fr="Une *sélection* pour les élus.",
    intro_en="A *selection* for elected members.",
)


@pytest.fixture
def curator_id(make_account: Callable[..., Any]) -> int:
    return int(make_account("curator").id)


@pytest.fixture
def curator(curator_id: int) -> Actor:
    return Actor.for_user(curator_id, {"curator"})


@pytest.fixture
def three(make_practice: Callable[..., Any]) -> list[Any]:
    return [make_practice(slug=f"practice-{n}", title_en=f"Practice {n}") for n in (1, 2, 3)]


def _new(session: Session, curator: Actor, slug: str = "youth-and-online-hate") -> Any:
    return committed(collections.create, session=session, actor=curator, slug=slug, data=DATA)


def _fill(session: Session, curator: Actor, collection: Any, practices_: list[Any]) -> None:
    for p in practices_:
        committed(
            collection_items.add_item,
            session=session,
            actor=curator,
            collection_id=collection.id,
            practice_slug=p.slug,
        )


def _order(session: Session, collection: Any) -> list[str]:
    return [e.slug for e in collection_reads.entries(session, collection)]


def test_a_curator_starts_a_draft_collection_with_a_first_revision_and_an_audit_event(
    session: Session, curator: Actor
) -> None:
    created = _new(session, curator)
    assert (created.state, created.version, created.slug) == ("draft", 1, "youth-and-online-hate")
    [revision] = collections.history(session, actor=curator, collection_id=created.id)
    assert revision.snapshot["title_fr"] == DATA.title_fr and revision.snapshot["items"] == []
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "collection.create")).one()
    assert (event.target_kind, event.target_id) == ("collection", str(created.id))


@pytest.mark.parametrize(
    ("slug", "data", "field"),
    [
        ("Bad Slug!", DATA, "slug"),
        ("manage", DATA, "slug"),
        ("x" * 121, DATA, "slug"),
        ("ok-slug", replace(DATA, title_fr="  "), "title_fr"),
        ("ok-slug", replace(DATA, title_en="t" * 201), "title_en"),
        ("ok-slug", replace(DATA, intro_en="i" * 20_001), "intro_en"),
    ],
)
def test_invalid_input_is_refused_field_by_field(
    session: Session, curator: Actor, slug: str, data: CollectionData, field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        collections.create(session=session, actor=curator, slug=slug, data=data)
    assert field in {e.field for e in raised.value.errors}


def test_a_slug_is_used_once(session: Session, curator: Actor) -> None:
    _new(session, curator)
    with pytest.raises(ValidationError, match="already uses"):
        collections.create(session=session, actor=curator, slug="youth-and-online-hate", data=DATA)


def test_only_curators_write_collections(session: Session) -> None:
    with pytest.raises(PermissionDenied):
        collections.create(
            session=session, actor=Actor.for_user(5, {"moderator"}), slug="x", data=DATA
        )


def test_practices_keep_the_order_they_were_added_in_and_can_be_moved(
    session: Session, curator: Actor, three: list[Any]
) -> None:
    collection = _new(session, curator)
    _fill(session, curator, collection, three)
    assert _order(session, collection) == ["practice-1", "practice-2", "practice-3"]
    committed(
        collection_items.move_item,
        session=session,
        actor=curator,
        collection_id=collection.id,
        practice_id=three[2].id,
        position=1,
    )
    assert _order(session, collection) == ["practice-3", "practice-1", "practice-2"]
    committed(
        collection_items.move_item,
        session=session,
        actor=curator,
        collection_id=collection.id,
        practice_id=three[2].id,
        position=99,  # clamped to the end
    )
    assert _order(session, collection) == ["practice-1", "practice-2", "practice-3"]
    order = [three[1].id, three[0].id, three[2].id]
    committed(
        collection_items.reorder,
        session=session,
        actor=curator,
        collection_id=collection.id,
        order=order,
    )
    assert _order(session, collection) == ["practice-2", "practice-1", "practice-3"]


def test_a_whole_new_order_must_list_each_practice_once(
    session: Session, curator: Actor, three: list[Any]
) -> None:
    from kb.errors import BadRequest

    collection = _new(session, curator)
    _fill(session, curator, collection, three)
    with pytest.raises(BadRequest):
        collection_items.reorder(
            session=session,
            actor=curator,
            collection_id=collection.id,
            order=[three[0].id, three[0].id, three[1].id],
        )


def test_removing_a_practice_closes_the_gap(
    session: Session, curator: Actor, three: list[Any]
) -> None:
    collection = _new(session, curator)
    _fill(session, curator, collection, three)
    committed(
        collection_items.remove_item,
        session=session,
        actor=curator,
        collection_id=collection.id,
        practice_id=three[0].id,
    )
    assert [e.position for e in collection_reads.entries(session, collection)] == [1, 2]
    assert _order(session, collection) == ["practice-2", "practice-3"]


def test_adding_an_unknown_unpublished_or_duplicate_practice_is_a_field_error(
    session: Session, curator: Actor, make_practice: Callable[..., Any]
) -> None:
    collection = _new(session, curator)
    make_practice(slug="a-draft", state="draft")
    make_practice(slug="published-one")
    _fill(session, curator, collection, [get_by_slug(session, "published-one")])
    for slug in ("no-such-practice", "a-draft", "published-one", "<script>x</script>"):
        with pytest.raises(ValidationError) as raised:
            collection_items.add_item(
                session=session, actor=curator, collection_id=collection.id, practice_slug=slug
            )
        assert raised.value.errors[0].field == "practice"


def test_notes_are_kept_in_both_languages_and_bounded(
    session: Session, curator: Actor, three: list[Any]
) -> None:
    collection = _new(session, curator)
    _fill(session, curator, collection, three[:1])
    committed(
        collection_items.set_note,
        session=session,
        actor=curator,
        collection_id=collection.id,
        practice_id=three[0].id,
        note_fr="À lire d'abord.",
        note_en="Read this first.",
    )
    [entry] = collection_reads.entries(session, collection)
    assert (entry.note("fr"), entry.note("en")) == ("À lire d'abord.", "Read this first.")
    with pytest.raises(ValidationError):
        collection_items.set_note(
            session=session,
            actor=curator,
            collection_id=collection.id,
            practice_id=three[0].id,
            note_fr="n" * 2001,
            note_en="",
        )


def test_each_change_leaves_a_revision_and_an_audit_event(
    session: Session, curator: Actor, three: list[Any]
) -> None:
    collection = _new(session, curator)
    _fill(session, curator, collection, three)
    committed(
        collections.edit,
        session=session,
        actor=curator,
        collection_id=collection.id,
        data=replace(DATA, title_en="Young people and online hate"),
        expected_version=collection.version,
    )
    committed(
        collections.set_state,
        session=session,
        actor=curator,
        collection_id=collection.id,
        state="published",
    )
    revisions = collections.history(session, actor=curator, collection_id=collection.id)
    assert [r.version for r in revisions] == [6, 5, 4, 3, 2, 1]
    assert [r.action for r in revisions][:2] == ["collection.publish", "collection.edit"]
    assert len(revisions[0].snapshot["items"]) == 3
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.target_kind == "collection")
    ).all()
    assert len(actions) == 6


def test_a_stale_edit_is_a_conflict(session: Session, curator: Actor, three: list[Any]) -> None:
    from kb.errors import Conflict

    collection = _new(session, curator)
    _fill(session, curator, collection, three[:1])
    with pytest.raises(Conflict):
        collections.edit(
            session=session,
            actor=curator,
            collection_id=collection.id,
            data=replace(DATA, title_fr="Autre titre"),
            expected_version=1,
        )


def test_reading_marks_updated_archived_and_removed_practices_and_never_fails(
    session: Session, curator: Actor, three: list[Any], index: Any
) -> None:
    collection = _new(session, curator)
    _fill(session, curator, collection, three)
    first, second, third = three
    data = to_data(session, first)
    committed(
        practices.update,
        session=session,
        index=index,
        practice_id=first.id,
        data=replace(data, title_en="Practice 1, revised"),
        expected_version=first.version,
        vocabulary=taxonomy.load(session),
    )
    committed(
        practices.set_state,
        session=session,
        index=index,
        practice_id=second.id,
        state="archived",
        expected_version=second.version,
    )
    committed(
        practices.delete,
        session=session,
        index=index,
        practice_id=third.id,
        expected_version=third.version,
    )
    got = collection_reads.entries(session, collection)
    assert [e.status for e in got] == ["updated", "archived", "removed"]
    assert [e.available for e in got] == [True, False, False]
    assert got[0].title("en") == "Practice 1, revised"
    assert got[2].title("en") == "Practice 3"  # the title copied when it was added


def test_drafts_are_not_public_until_published(
    session: Session, curator: Actor, three: list[Any]
) -> None:
    collection = _new(session, curator)
    _fill(session, curator, collection, three)
    with pytest.raises(NotFound):
        collection_reads.public(session, collection.slug)
    assert collection_reads.practice_ids(session, collection.slug) is None
    committed(
        collections.set_state,
        session=session,
        actor=curator,
        collection_id=collection.id,
        state="published",
    )
    found, got = collection_reads.public(session, collection.slug)
    assert found.id == collection.id and len(got) == 3
    assert collection_reads.containing(session, three[0].id) == [found]
    assert sorted(collection_reads.practice_ids(session, collection.slug) or []) == sorted(
        p.id for p in three
    )
    committed(
        collections.set_state,
        session=session,
        actor=curator,
        collection_id=collection.id,
        state="draft",
    )
    assert collection_reads.containing(session, three[0].id) == []


def test_the_public_record_lists_entries_with_their_status(
    session: Session, curator: Actor, three: list[Any]
) -> None:
    collection = _new(session, curator)
    _fill(session, curator, collection, three[:2])
    record = collection_reads.record(
        session, collection, url=lambda kind, lang, slug: f"/{lang}/{kind}/{slug}"
    )
    assert record["urls"] == {
        "fr": "/fr/collection/youth-and-online-hate",
        "en": "/en/collection/youth-and-online-hate",
    }
    items: Any = record["items"]
    assert [i["slug"] for i in items] == ["practice-1", "practice-2"]
    assert items[0]["status"] == "current" and items[0]["added_version"] == 1
