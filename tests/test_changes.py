"""The changes feed lets a mirror follow the public catalogue exactly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session

from kb import practices, taxonomy
from tests.writes import committed


def replay(
    client: FlaskClient, mirror: dict[str, dict[str, Any]], cursor: str, limit: int = 3
) -> str:
    """Apply every change after `cursor` to `mirror`, page by page; return the last cursor."""
    while True:
        page = client.get(f"/api/v1/changes?since={cursor}&limit={limit}").get_json()
        for change in page["changes"]:
            if "record" in change:
                mirror[change["slug"]] = change["record"]
            else:
                mirror.pop(change["slug"], None)
        assert int(page["next"]) >= int(cursor)
        cursor = page["next"]
        if page["caught_up"]:
            return cursor


def catalogue(client: FlaskClient) -> dict[str, dict[str, Any]]:
    slugs = [r["slug"] for r in client.get("/en/search/export.json").get_json()["records"]]
    return {slug: client.get(f"/api/v1/practices/{slug}").get_json() for slug in slugs}


def _edit(session: Session, practice: Any, **changes: Any) -> Any:
    return committed(
        practices.update,
        session=session,
        index=None,
        practice_id=practice.id,
        data=replace(practices.to_data(session, practice), **changes),
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
    mirror: dict[str, dict[str, Any]] = {}
    cursor = replay(client, mirror, "0")
    assert mirror == catalogue(client) and set(mirror) == {"one", "two"}

    one = _edit(session, one, summary_en="An edited summary.")
    two = _move(session, two, "archived")
    three = make_practice(slug="three", state="draft")
    three = _move(session, three, "submitted")
    three = _move(session, three, "published")
    cursor = replay(client, mirror, cursor)
    assert mirror == catalogue(client) and set(mirror) == {"one", "three"}
    assert mirror["one"]["summary_en"] == "An edited summary."

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
    assert mirror == catalogue(client) and set(mirror) == {"two"}
    assert replay(client, mirror, cursor) == cursor  # caught up: nothing more


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
    for query in ("since=abc", "limit=0", "limit=501"):
        response = client.get(f"/api/v1/changes?{query}")
        assert response.status_code == 400
        assert response.get_json()["error"]["message"]
