"""Atom feeds (overall, theme, country, search): valid Atom, stable ids, real dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from kb import db
from kb.catalogue import practices, taxonomy
from kb.catalogue.reads import to_data
from kb.models import Practice
from tests.atom import check_rfc4287
from tests.writes import committed

ATOM = "{http://www.w3.org/2005/Atom}"
FEEDS = [
    "/fr/feed.atom",
    "/en/feed.atom",
    "/fr/themes/hate/feed.atom",
    "/en/countries/FR/feed.atom",
    "/fr/search/feed.atom?q=jeunes",
    "/en/search/feed.atom?theme=youth&country=FR",
]


@pytest.mark.parametrize("url", FEEDS)
def test_every_feed_parses_cleanly_and_is_valid_atom(reader: FlaskClient, url: str) -> None:
    response = reader.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == url[1:3]
    check_rfc4287(response.data)
    assert parsed.entries, url


def test_entries_are_the_practices_in_the_feeds_language_newest_change_first(
    seeded_app: Flask, reader: FlaskClient
) -> None:
    parsed = feedparser.parse(reader.get("/fr/themes/hate/feed.atom").data)
    with Session(db.get_engine(seeded_app)) as session:
        by_title = {p.title_fr: p for p in session.exec(select(Practice))}
    updated = []
    for entry in parsed.entries:
        practice = by_title[entry.title]
        assert entry.link.endswith(f"/fr/practices/{practice.slug}")
        assert datetime.fromisoformat(entry.updated) == practice.updated_at
        assert any(tag.term == "hate" for tag in entry.tags)
        updated.append(entry.updated)
    assert updated == sorted(updated, reverse=True)


def test_a_search_feed_holds_only_matching_practices(reader: FlaskClient) -> None:
    api = reader.get("/api/v1/search?country=FR&per_page=100").get_json()
    expected = {r["title"] for r in api["results"]}
    parsed = feedparser.parse(reader.get("/en/search/feed.atom?country=FR").data)
    assert {e.title for e in parsed.entries} <= expected and parsed.entries


def test_an_edit_keeps_the_entry_id_and_moves_its_updated_date(
    make_practice: Callable[..., Any], session: Session, client: FlaskClient
) -> None:
    practice = make_practice()
    before = feedparser.parse(client.get("/en/feed.atom").data).entries[0]
    data = to_data(session, practice)
    from dataclasses import replace

    committed(
        practices.update,
        session=session,
        index=None,
        practice_id=practice.id,
        data=replace(data, summary_en="A city brings residents and youth together."),
        expected_version=practice.version,
        vocabulary=taxonomy.load(session),
    )
    after = feedparser.parse(client.get("/en/feed.atom").data).entries[0]
    assert after.id == before.id and after.id.startswith("urn:uuid:")
    assert after.updated > before.updated
    assert after.summary == "A city brings residents and youth together."
    assert after.published == before.published


@pytest.mark.parametrize(
    ("page", "feed"),
    [
        ("/fr/search?q=jeunes&page=1", "/fr/search/feed.atom?q=jeunes"),
        ("/fr/themes/hate", "/fr/themes/hate/feed.atom"),
        ("/en/countries/FR", "/en/countries/FR/feed.atom"),
        ("/en/", "/en/feed.atom"),
    ],
)
def test_pages_link_their_atom_twin(reader: FlaskClient, page: str, feed: str) -> None:
    html = reader.get(page).get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{feed}"' in html


def test_an_unknown_theme_feed_is_404(reader: FlaskClient) -> None:
    assert reader.get("/fr/themes/nope/feed.atom").status_code == 404
