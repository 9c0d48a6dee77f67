"""A practice's translated body is searchable in its own language."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from indexer import Change, Document, Index, Query

DOC = Document(
    id=1,
    slug="p",
    version=1,
    title_fr="Une pratique",
    title_en="A practice",
    summary_fr="Résumé.",
    summary_en="Summary.",
    body="Residents meet every month in the library.",
    language="en",
    cities=("london",),
    country="GB",
    themes=(),
    approaches=(),
    targets=(),
    evidence="none-found",
    year=2020,
    published=0.0,
    body_translation="Les habitants se réunissent chaque mois à la médiathèque.",
)


def test_a_word_found_only_in_the_translation_finds_the_practice(tmp_path: Path) -> None:
    index = Index.open(tmp_path / "index")
    try:
        index.apply([Change(id=1, doc_id=1, document=DOC)])
        assert index.search(Query(text="médiathèques", lang="fr")).total == 1
        index.apply([Change(id=2, doc_id=1, document=replace(DOC, body_translation=""))])
        assert index.search(Query(text="médiathèques", lang="fr")).total == 0
    finally:
        index.close()


def _snippet(tmp_path: Path, text: str, lang: str, bodies: dict[str, str]) -> str:
    index = Index.open(tmp_path / "index")
    try:
        index.apply([Change(id=1, doc_id=1, document=DOC)])
        results = index.search(Query(text=text, lang=lang), body_text=lambda ids: {1: bodies})
        return results.hits[0].snippet
    finally:
        index.close()


BOTH = {"en": DOC.body, "fr": DOC.body_translation}


def test_a_french_reader_s_snippet_quotes_the_translation(tmp_path: Path) -> None:
    # "library" and « médiathèque » are one concept only in the reader's head: the French
    # query matches the translation, and the snippet quotes it.
    assert _snippet(tmp_path, "habitants", "fr", BOTH) == (
        "Les <mark>habitants</mark> se réunissent chaque mois à la médiathèque."
    )


def test_an_english_reader_s_snippet_quotes_the_original(tmp_path: Path) -> None:
    assert _snippet(tmp_path, "residents", "en", BOTH) == (
        "<mark>Residents</mark> meet every month in the library."
    )


def test_the_original_is_quoted_when_there_is_no_translation(tmp_path: Path) -> None:
    assert _snippet(tmp_path, "library", "fr", {"en": DOC.body, "fr": ""}) == (
        "Residents meet every month in the <mark>library</mark>."
    )


def test_no_snippet_rather_than_the_other_language_when_the_translation_lacks_the_words(
    tmp_path: Path,
) -> None:
    assert _snippet(tmp_path, "library", "fr", BOTH) == ""


def test_a_body_given_as_plain_text_is_the_original(tmp_path: Path) -> None:
    index = Index.open(tmp_path / "index")
    try:
        index.apply([Change(id=1, doc_id=1, document=DOC)])
        query = Query(text="residents", lang="fr")
        found = index.search(query, body_text=lambda ids: {1: DOC.body})
        assert found.hits[0].snippet == "<mark>Residents</mark> meet every month in the library."
    finally:
        index.close()
