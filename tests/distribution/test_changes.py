"""The changes feed lets a mirror follow the public catalogue exactly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session

from kb.catalogue import practices, taxonomy
from kb.catalogue.reads import to_data
from kb.collections import collections
from kb.collections import items as collection_items
from tests.writes import committed

Mirror = dict[str, dict[str, dict[str, Any]]]  # kind -> slug -> record


def _position(cursor: str) -> tuple[int, int]:
    practices_, _, collections_ = cursor.partition(".")
    return int(practices_), int(collections_ or 0)


def replay(client: FlaskClient, mirror: Mirror, cursor: str, limit: int = 3) -> str:
    """Apply every change after `cursor` to `mirror`, page by page; return the last cursor."""
    while True:
        page = client.get(f"/api/v1/changes?since={cursor}&limit={limit}").get_json()
        for change in page["changes"]:
            kept = mirror.setdefault(change["kind"], {})
            if "record" in change:
                kept[change["slug"]] = change["record"]
            else:
                kept.pop(change["slug"], None)
        before, after = _position(cursor), _position(page["next"])
        assert after[0] >= before[0] and after[1] >= before[1]
        cursor = page["next"]
        if page["caught_up"]:
            return cursor


def catalogue(client: FlaskClient) -> Mirror:
    """The public catalogue as the API serves it: every practice and every collection."""
    slugs = [r["slug"] for r in client.get("/en/search/export.json").get_json()["records"]]
    listed = [c["slug"] for c in client.get("/api/v1/collections").get_json()["results"]]
    return {
        "practice": {slug: client.get(f"/api/v1/practices/{slug}").get_json() for slug in slugs},
        "collection": {
            slug: client.get(f"/api/v1/collections/{slug}").get_json() for slug in listed
        },
    }


def _mirrored(mirror: Mirror) -> Mirror:
    return {kind: mirror.get(kind, {}) for kind in ("practice", "collection")}


def _edit(session: Session, practice: Any, **changes: Any) -> Any:
    return committed(
        practices.update,
        session=session,
        index=None,
        practice_id=practice.id,
        data=replace(to_data(session, practice), **changes),
        expected_version=practice.version,
        vocabulary=taxonomy.load(session),
    )


def _move(session: Session, practice: Any, state: str) -> Any:
    return committed(
        practices.set_state,
        session=session,
        index=None,
        practice_id=practice.id,
        state=state,
        expected_version=practice.version,
    )


def test_a_mirror_replaying_the_feed_equals_the_public_catalogue(
    make_practice: Callable[..., Any], session: Session, client: FlaskClient
) -> None:
    one = make_practice(slug="one")
    two = make_practice(slug="two")
    make_practice(slug="secret-draft", state="draft")
    mirror: Mirror = {}
    cursor = replay(client, mirror, "0")
    assert _mirrored(mirror) == catalogue(client) and set(mirror["practice"]) == {"one", "two"}

    one = _edit(session, one, summary_en="An edited summary.")
    two = _move(session, two, "archived")
    three = make_practice(slug="three", state="draft")
    three = _move(session, three, "submitted")
    three = _move(session, three, "published")
    cursor = replay(client, mirror, cursor)
    assert _mirrored(mirror) == catalogue(client) and set(mirror["practice"]) == {"one", "three"}
    assert mirror["practice"]["one"]["summary_en"] == "An edited summary."

    two = _move(session, two, "published")
    one = _move(session, one, "draft")
    committed(
        practices.delete,
        session=session,
        index=None,
        practice_id=three.id,
        expected_version=three.version,
    )
    cursor = replay(client, mirror, cursor)
    assert _mirrored(mirror) == catalogue(client) and set(mirror["practice"]) == {"two"}
    assert replay(client, mirror, cursor) == cursor  # caught up: nothing more


def _collection(session: Session, slug: str, *practice_slugs: str) -> Any:
    made = committed(
        collections.create,
        session=session,
        slug=slug,
        data=collections.CollectionData(f"Dossier {slug}", f"Pack {slug}"),
    )
    for practice_slug in practice_slugs:
        committed(
            collection_items.add_item,
            session=session,
            collection_id=made.id,
            practice_slug=practice_slug,
        )
    return made


def _collection_state(session: Session, made: Any, state: str) -> None:
    committed(collections.set_state, session=session, collection_id=made.id, state=state)


def test_a_mirror_follows_collections_through_edits_archives_and_unpublishing(
    make_practice: Callable[..., Any], session: Session, client: FlaskClient
) -> None:
    one = make_practice(slug="one")
    two = make_practice(slug="two")
    pack = _collection(session, "pack", "one", "two")
    _collection(session, "secret-pack", "one")  # a draft: never told
    mirror: Mirror = {}
    cursor = replay(client, mirror, "0")
    assert _mirrored(mirror) == catalogue(client) and not mirror.get("collection")

    _collection_state(session, pack, "published")
    committed(
        collection_items.set_note,
        session=session,
        collection_id=pack.id,
        practice_id=two.id,
        note_fr="À lire.",
        note_en="Read this.",
    )
    committed(
        collection_items.move_item,
        session=session,
        collection_id=pack.id,
        practice_id=two.id,
        position=1,
    )
    cursor = replay(client, mirror, cursor, limit=2)
    assert _mirrored(mirror) == catalogue(client) and set(mirror["collection"]) == {"pack"}
    assert [i["slug"] for i in mirror["collection"]["pack"]["items"]] == ["two", "one"]

    one = _edit(session, one, title_en="One, retitled")  # the collection shows the new title
    _move(session, two, "archived")  # and marks this one archived
    cursor = replay(client, mirror, cursor)
    assert _mirrored(mirror) == catalogue(client)
    items = mirror["collection"]["pack"]["items"]
    assert [(i["slug"], i["status"]) for i in items] == [("two", "archived"), ("one", "updated")]

    _collection_state(session, pack, "draft")
    cursor = replay(client, mirror, cursor)
    assert _mirrored(mirror) == catalogue(client) and mirror["collection"] == {}
    _collection_state(session, pack, "published")
    cursor = replay(client, mirror, cursor)
    assert _mirrored(mirror) == catalogue(client) and set(mirror["collection"]) == {"pack"}
    assert "secret-pack" not in str(client.get("/api/v1/changes").get_json())
    assert replay(client, mirror, cursor) == cursor


def test_a_cursor_of_the_practices_only_feed_still_works(
    make_practice: Callable[..., Any], session: Session, client: FlaskClient
) -> None:
    make_practice(slug="one")
    _collection_state(session, _collection(session, "pack", "one"), "published")
    page = client.get("/api/v1/changes?since=0").get_json()
    assert "." in page["next"]
    practices_only = page["next"].split(".")[0]
    again = client.get(f"/api/v1/changes?since={practices_only}").get_json()
    assert [(c["kind"], c["slug"]) for c in again["changes"]] == [("collection", "pack")]
    assert again["next"] == page["next"]


def test_changes_carry_records_or_tombstones_in_order(
    make_practice: Callable[..., Any], session: Session, client: FlaskClient
) -> None:
    one = make_practice(slug="one")
    one = _edit(session, one, summary_en="Edited.")
    _move(session, one, "archived")
    make_practice(slug="never-public", state="draft")
    items = client.get("/api/v1/changes?limit=1").get_json()["changes"]
    assert [(c["type"], c["slug"]) for c in items] == [("archived", "one")]  # current state
    everything = client.get("/api/v1/changes").get_json()
    assert [c["type"] for c in everything["changes"]] == ["archived"]
    assert everything["changes"][0]["tombstone"] == {"slug": "one", "state": "archived"}
    assert everything["caught_up"] and "never-public" not in str(everything)


def test_a_page_that_is_not_the_last_links_the_next(
    make_practice: Callable[..., Any], client: FlaskClient
) -> None:
    make_practice(slug="one")
    make_practice(slug="two")
    response = client.get("/api/v1/changes?since=0&limit=1")
    page = response.get_json()
    assert not page["caught_up"] and page["next_url"].endswith(f"since={page['next']}&limit=1")
    assert response.headers["Link"] == f'<{page["next_url"]}>; rel="next"'
    assert client.get(page["next_url"]).get_json()["changes"][0]["slug"] == "two"


def test_an_empty_feed_returns_the_same_cursor(client: FlaskClient) -> None:
    page = client.get("/api/v1/changes?since=42").get_json()
    assert page == {**page, "changes": [], "next": "42", "caught_up": True}


def test_a_cursor_past_any_id_is_caught_up(client: FlaskClient) -> None:
    page = client.get("/api/v1/changes?since=3475491825905").get_json()
    assert page["changes"] == [] and page["caught_up"] and page["next"] == "3475491825905"


def test_bad_cursors_and_limits_are_clear_400s(client: FlaskClient) -> None:
    for query in ("since=abc", "since=1.2.3", "since=1.", "limit=0", "limit=501"):
        response = client.get(f"/api/v1/changes?{query}")
        assert response.status_code == 400
        assert response.get_json()["error"]["message"]
