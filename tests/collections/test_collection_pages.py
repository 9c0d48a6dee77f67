"""Collections through HTTP: the curators' screens, the public pages, search and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from kb import db
from kb.catalogue import practices
from kb.catalogue.reads import get, to_data
from kb.permissions import Actor
from tests.conftest import AuthActions

MANAGE = "/fr/collections/manage"
NEW = {
    "slug": "jeunesse-haine-en-ligne",
    "title_fr": "Jeunesse et haine en ligne",
    "title_en": "Youth and online hate",
    "intro_fr": "Une **sélection** pour les élus.",
    "intro_en": "A **selection** for elected members.",
}


@pytest.fixture
def three(make_practice: Callable[..., Any]) -> list[Any]:
    cities = ("Lyon", "Nantes", "Lille")
    return [
        make_practice(slug=f"practice-{n}", title_fr=f"Pratique {n}", cities=(city,))
        for n, city in enumerate(cities, start=1)
    ]


@pytest.fixture
def curator(login: Callable[..., Any]) -> Any:
    return login("curator")


def post(auth: AuthActions, path: str, data: dict[str, Any] | None = None) -> Any:
    return auth.post(path, data, page=f"{MANAGE}/")


def build(auth: AuthActions, practices_: list[Any], publish: bool = True) -> str:
    """Create the collection through the forms, add `practices_`, publish; return its edit URL."""
    assert post(auth, f"{MANAGE}/new", NEW).status_code == 302
    edit = f"{MANAGE}/{NEW['slug']}"
    for p in practices_:
        assert post(auth, f"{edit}/items", {"practice": p.slug}).status_code == 302
    if publish:
        assert post(auth, f"{edit}/publish").status_code == 302
    return edit


def titles_in_order(html: str) -> list[str]:
    return re.findall(r"Pratique \d", html)


def test_a_curator_builds_orders_notes_and_publishes_a_collection(
    client: FlaskClient, auth: AuthActions, curator: Any, three: list[Any]
) -> None:
    edit = build(auth, three, publish=False)
    assert client.get("/fr/collections/jeunesse-haine-en-ligne").status_code == 404  # a draft
    first, second, third = three
    assert post(auth, f"{edit}/items/{third.id}/move", {"direction": "up"}).status_code == 302
    assert post(auth, f"{edit}/items/{first.id}/move", {"position": "3"}).status_code == 302
    note = {f"p{second.id}-note_fr": "À lire d'abord.", f"p{second.id}-note_en": "Read first."}
    assert post(auth, f"{edit}/items/{second.id}/note", note).status_code == 302
    assert post(auth, f"{edit}/publish").status_code == 302
    page = client.get("/fr/collections/jeunesse-haine-en-ligne")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert titles_in_order(html) == ["Pratique 3", "Pratique 2", "Pratique 1"]
    assert "À lire d&#39;abord." in html or "À lire d'abord." in html
    assert "<strong>sélection</strong>" in html
    listing = client.get("/en/collections/").get_data(as_text=True)
    assert "Youth and online hate" in listing and "3 practices" in listing
    history = client.get(f"{edit}/history").get_data(as_text=True)
    assert history.count("<tr>") == 1 + 8  # header; create, 3 adds, 2 moves, note, publish
    assert post(auth, f"{edit}/unpublish").status_code == 302
    assert client.get("/fr/collections/jeunesse-haine-en-ligne").status_code == 404


def test_drag_and_drop_sends_the_whole_order_and_a_bad_one_is_a_clear_400(
    client: FlaskClient, auth: AuthActions, curator: Any, three: list[Any]
) -> None:
    edit = build(auth, three)
    ids = ",".join(str(p.id) for p in reversed(three))
    assert post(auth, f"{edit}/order", {"order": ids}).status_code == 302
    page = client.get("/fr/collections/jeunesse-haine-en-ligne").get_data(as_text=True)
    assert titles_in_order(page) == ["Pratique 3", "Pratique 2", "Pratique 1"]
    for bad in ("1,2", "x,y,z", f"{three[0].id},{three[0].id},{three[1].id}"):
        assert post(auth, f"{edit}/order", {"order": bad}).status_code == 400


def test_scripts_are_removed_from_markdown_and_escaped_in_plain_fields(
    client: FlaskClient, auth: AuthActions, curator: Any, three: list[Any]
) -> None:
    hostile = {
        **NEW,
        "title_fr": "<script>alert(1)</script> Titre",
        "intro_fr": "Texte <script>alert(2)</script> <img src=x onerror=alert(3)> "
        "[x](javascript:alert(4))",
    }
    assert post(auth, f"{MANAGE}/new", hostile).status_code == 302
    edit = f"{MANAGE}/{NEW['slug']}"
    post(auth, f"{edit}/items", {"practice": three[0].slug})
    post(
        auth,
        f"{edit}/items/{three[0].id}/note",
        {f"p{three[0].id}-note_fr": "<script>alert(5)</script>**Note**"},
    )
    post(auth, f"{edit}/publish")
    html = client.get("/fr/collections/jeunesse-haine-en-ligne").get_data(as_text=True)
    assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Titre" in html
    assert "<strong>Note</strong>" in html


def test_refused_input_is_shown_again_with_what_was_typed(
    client: FlaskClient, auth: AuthActions, curator: Any, three: list[Any]
) -> None:
    too_long = {**NEW, "title_en": "T" * 300, "intro_fr": "Mon introduction soignée"}
    response = post(auth, f"{MANAGE}/new", too_long)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mon introduction soignée" in html and "T" * 300 in html
    assert "200" in html  # the limit is named next to the field
    bad_slug = post(auth, f"{MANAGE}/new", {**NEW, "slug": "Pas Bon!"})
    assert bad_slug.status_code == 422 and "Jeunesse et haine en ligne" in bad_slug.get_data(
        as_text=True
    )
    edit = build(auth, three[:1])
    unknown = post(auth, f"{edit}/items", {"practice": "no-such-practice"})
    assert unknown.status_code == 422 and 'value="no-such-practice"' in unknown.get_data(
        as_text=True
    )
    long_note = post(
        auth, f"{edit}/items/{three[0].id}/note", {f"p{three[0].id}-note_en": "n" * 2500}
    )
    assert long_note.status_code == 422 and "n" * 2500 in long_note.get_data(as_text=True)


def test_without_a_csrf_token_a_form_is_refused_and_what_was_typed_is_shown(
    client: FlaskClient, curator: Any
) -> None:
    response = client.post(f"{MANAGE}/new", data={**NEW, "intro_fr": "Texte tapé à la main"})
    assert response.status_code == 400
    assert "Texte tapé à la main" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    ["/fr/collections/no-such-collection", f"{MANAGE}/no-such-collection", "/api/v1/collections/x"],
)
def test_unknown_collections_are_404(client: FlaskClient, curator: Any, path: str) -> None:
    assert client.get(path).status_code == 404


def test_only_curators_reach_the_screens(
    client: FlaskClient, auth: AuthActions, login: Callable[..., Any]
) -> None:
    assert client.get(f"{MANAGE}/").status_code == 302  # anonymous: to the sign-in page
    login("moderator")
    assert client.get(f"{MANAGE}/").status_code == 403
    assert client.get(f"{MANAGE}/new").status_code == 403
    assert auth.post(f"{MANAGE}/new", NEW, page="/fr/account").status_code == 403


def test_practices_that_changed_or_left_are_marked_on_the_public_page(
    app: Flask, client: FlaskClient, auth: AuthActions, curator: Any, three: list[Any]
) -> None:
    from dataclasses import replace

    from kb import uow
    from kb.catalogue import taxonomy

    build(auth, three)
    with Session(db.get_engine(app)) as s:
        operator = Actor.system("tests")
        first = get(s, three[0].id)
        practices.update(
            session=s,
            actor=operator,
            practice_id=first.id or 0,
            data=replace(to_data(s, first), title_en="Practice one, revised"),
            expected_version=first.version,
            vocabulary=taxonomy.load(s),
        )
        practices.set_state(
            session=s, actor=operator, practice_id=three[1].id, state="archived", expected_version=1
        )
        uow.commit(session=s)
    html = client.get("/en/collections/jeunesse-haine-en-ligne").get_data(as_text=True)
    assert "updated since added" in html and "archived: no longer published" in html
    assert 'href="/en/practices/practice-2"' not in html  # no link to an unpublished practice
    fr = client.get("/fr/collections/jeunesse-haine-en-ligne").get_data(as_text=True)
    assert "mis à jour depuis l’ajout" in fr


def test_a_practice_page_lists_the_published_collections_holding_it(
    client: FlaskClient, auth: AuthActions, curator: Any, three: list[Any]
) -> None:
    build(auth, three[:1])
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "/fr/collections/jeunesse-haine-en-ligne" in sitemap
    html = client.get("/en/practices/practice-1").get_data(as_text=True)
    assert 'href="/en/collections/jeunesse-haine-en-ligne"' in html
    assert "jeunesse-haine-en-ligne" not in client.get("/en/practices/practice-2").get_data(
        as_text=True
    )


def test_search_filters_on_a_collection_with_exact_totals(
    client: FlaskClient, auth: AuthActions, curator: Any, three: list[Any]
) -> None:
    build(auth, three[:2])
    found = client.get("/api/v1/search?collection=jeunesse-haine-en-ligne").get_json()
    assert found["total"] == 2
    assert sorted(r["slug"] for r in found["results"]) == ["practice-1", "practice-2"]
    assert {f["value"]: f["count"] for f in found["facets"]["city"]} == {"Lyon": 1, "Nantes": 1}
    paged = client.get("/api/v1/search?collection=jeunesse-haine-en-ligne&per_page=1&page=2")
    assert paged.get_json()["total"] == 2 and len(paged.get_json()["results"]) == 1
    page = client.get("/en/search?collection=jeunesse-haine-en-ligne").get_data(as_text=True)
    assert "Collection: Youth and online hate" in page and "Pratique 3" not in page
    unknown = client.get("/api/v1/search?collection=nope").get_json()
    assert "unknown_filter" in unknown["notices"] and unknown["total"] == 3


def test_the_api_gives_published_collections_with_etags(
    client: FlaskClient, auth: AuthActions, curator: Any, three: list[Any]
) -> None:
    build(auth, three[:2])
    listing = client.get("/api/v1/collections")
    assert listing.get_json()["results"][0]["practices"] == 2
    record = client.get("/api/v1/collections/jeunesse-haine-en-ligne")
    body = record.get_json()
    assert [i["slug"] for i in body["items"]] == ["practice-1", "practice-2"]
    assert body["items"][0]["status"] == "current"
    assert body["urls"]["en"].endswith("/en/collections/jeunesse-haine-en-ligne")
    again = client.get(
        "/api/v1/collections/jeunesse-haine-en-ligne",
        headers={"If-None-Match": record.headers["ETag"]},
    )
    assert again.status_code == 304
    post(auth, f"{MANAGE}/jeunesse-haine-en-ligne/unpublish")
    assert client.get("/api/v1/collections/jeunesse-haine-en-ligne").status_code == 404
    assert client.get("/api/v1/collections").get_json()["total"] == 0


def test_hostile_requests_on_items_are_clear_4xx(
    client: FlaskClient, auth: AuthActions, curator: Any, three: list[Any]
) -> None:
    edit = build(auth, three[:2])
    assert post(auth, f"{edit}/items/999999/move", {"direction": "up"}).status_code == 400
    assert post(auth, f"{edit}/items/999999/note", {"p999999-note_fr": "x"}).status_code == 404
    assert post(auth, f"{edit}/items/999999/remove").status_code == 404
    bad_position = post(auth, f"{edit}/items/{three[0].id}/move", {"position": "beaucoup"})
    assert bad_position.status_code == 422
    assert post(auth, f"{edit}/order", {"order": "9" * 3000}).status_code == 400
    huge = post(auth, f"{MANAGE}/new", {**NEW, "intro_fr": "x" * (3 * 1024 * 1024)})
    assert huge.status_code in (413, 422)  # too large for the request, or for the field
    assert client.get(f"{edit}?q=" + "%00<script>" * 100).status_code == 200


def test_a_stale_edit_keeps_what_was_typed_and_offers_the_new_version(
    client: FlaskClient, auth: AuthActions, curator: Any, three: list[Any]
) -> None:
    edit = build(auth, three[:1])  # version 3: created, one practice added, published
    stale = {"title_fr": "Mon titre retravaillé", "title_en": "My reworked title", "version": "1"}
    response = post(auth, edit, stale)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Mon titre retravaillé" in html and 'value="3"' in html
    assert post(auth, edit, {**stale, "version": "3"}).status_code == 302
