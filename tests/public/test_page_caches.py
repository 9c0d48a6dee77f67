"""The public pages' caches (rendered Markdown, related practices, home counts) change no byte
of a page, and a change to the catalogue shows on the next view."""

from __future__ import annotations

import re

from flask import Flask
from sqlmodel import Session, select

from kb.catalogue import practices
from kb.models import Practice
from kb.search.service import get_index, reset
from kb.text import markdown
from tests.writes import committed


def _pages(app: Flask) -> list[str]:
    with app.app_context(), Session(_engine(app)) as session:
        slugs = session.exec(select(Practice.slug).where(Practice.state == "published")).all()
    return [
        path
        for lang in ("fr", "en")
        for path in (f"/{lang}/", *(f"/{lang}/practices/{slug}" for slug in sorted(slugs)))
    ]


def _engine(app: Flask):  # type: ignore[no-untyped-def]
    from kb import db

    return db.get_engine(app)


def _without_caches(app: Flask) -> None:
    markdown._render.cache_clear()
    app.extensions.pop("kb.overview", None)
    reset(app)  # a new index service: a new searcher with no related() answers kept


def test_seed_pages_from_the_caches_are_the_same_bytes_as_without_them(seeded: Flask) -> None:
    client = seeded.test_client()
    paths = _pages(seeded)
    _without_caches(seeded)
    uncached = {path: client.get(path).data for path in paths}
    cached = {path: client.get(path).data for path in paths}
    assert markdown._render.cache_info().hits > 0
    assert all(uncached[p] == cached[p] for p in paths), [
        p for p in paths if uncached[p] != cached[p]
    ]


def _related(html: str) -> list[str]:
    section = html.split('class="related"', 1)
    return re.findall(r'href="/en/practices/([^"]+)"', section[1]) if len(section) > 1 else []


def _total(html: str) -> int:
    return int(re.search(r"(\d+) documented practices", html).group(1))  # type: ignore[union-attr]


def test_an_archived_practice_leaves_the_home_counts_and_related_lists_at_once(
    seeded: Flask,
) -> None:
    client = seeded.test_client()
    slug = next(p for p in _pages(seeded) if "/en/practices/" in p)
    page = client.get(slug).get_data(as_text=True)
    gone = _related(page)[0]
    total = _total(client.get("/en/").get_data(as_text=True))
    with seeded.app_context(), Session(_engine(seeded), expire_on_commit=False) as session:
        practice = session.exec(select(Practice).where(Practice.slug == gone)).one()
        assert practice.id is not None
        committed(
            practices.set_state,
            session=session,
            index=get_index(session, seeded),
            practice_id=practice.id,
            state="archived",
            expected_version=practice.version,
        )
    assert _total(client.get("/en/").get_data(as_text=True)) == total - 1
    assert gone not in _related(client.get(slug).get_data(as_text=True))
