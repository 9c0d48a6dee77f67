"""Snippets quote the reader's language: a translated practice is quoted in its translation."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from sqlmodel import Session

from indexer import Query
from kb import db
from kb.search import index_sync as search
from kb.search.service import get_index


def quoted(snippet: str) -> str:
    """The text a snippet quotes: no marks, no ellipses, unescaped."""
    return html.unescape(re.sub(r"</?mark>", "", snippet)).strip("… ").strip()


@pytest.mark.parametrize(
    ("text", "lang"),
    [("radicalisation", "fr"), ("radicalisation", "en"), ("jeunes", "fr"), ("youth", "en")],
)
def test_every_snippet_quotes_the_practice_in_the_reader_s_language(
    seeded_app: Flask, text: str, lang: str
) -> None:
    with Session(db.get_engine(seeded_app)) as session:
        index = get_index(session, seeded_app)
        query = Query(text=text, lang=lang, per_page=50)
        found = search.search(session=session, index=index, query=query)
        assert found.practices
        for hit, practice in zip(found.results.hits, found.practices, strict=True):
            original = practice.language == lang
            own = practice.body_text if original else practice.body_translation_text
            assert quoted(hit.snippet) in own, practice.slug


def test_a_french_reader_is_quoted_the_french_of_an_english_practice(seeded_app: Flask) -> None:
    # The case of issue 24: /fr/search?q=radicalisation quoted "… date, and in 2016 violent
    # radicalisation was added…" from the English original of the Anchor model.
    with Session(db.get_engine(seeded_app)) as session:
        index = get_index(session, seeded_app)
        query = Query(text="radicalisation", lang="fr", filters={"city": ("helsinki",)})
        hits = search.search(session=session, index=index, query=query).results.hits
        assert len(hits) == 1
        assert "et en 2016 la <mark>radicalisation</mark>" in hits[0].snippet
