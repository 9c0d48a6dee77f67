"""Analysis: accents, case, plurals, both languages, weights, cities and countries."""

from __future__ import annotations

from typing import Any

import pytest

from indexer import Query


def ids(index: Any, text: str, **kw: Any) -> list[int]:
    return [h.id for h in index.search(Query(text=text, **kw)).hits]


@pytest.mark.parametrize("text", ["securite", "sécurité", "SÉCURITÉ", "Securite"])
def test_accents_and_case_do_not_matter(index: Any, text: str) -> None:
    assert set(ids(index, text)) == {1, 6}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("discriminations", 4),  # French plural finds the singular in the English title
        ("discrimination", 4),
        ("observatoires", 4),
        ("workshop", 2),  # English singular finds "workshops"
        ("mentor", 3),
        ("médiateur", 1),
    ],
)
def test_plurals_and_inflections_match(index: Any, text: str, expected: int) -> None:
    assert expected in ids(index, text)


def test_a_french_query_finds_an_english_language_practice(index: Any) -> None:
    # Practice 3 is written in English; its French title is indexed with the French analyzer.
    assert ids(index, "sortie extrémisme") == [3]


def test_an_english_query_finds_a_french_language_practice(index: Any) -> None:
    assert 4 in ids(index, "housing observatory")


def test_title_weighs_more_than_body(index: Any) -> None:
    # "mediators" is in practice 1's summary, and only in practice 6's body.
    assert ids(index, "médiateurs")[:2] == [1, 6]


@pytest.mark.parametrize(("text", "expected"), [("Lille", 4), ("gent", 5), ("berlin", 3)])
def test_city_names_match_as_text(index: Any, text: str, expected: int) -> None:
    assert ids(index, text) == [expected]


@pytest.mark.parametrize("text", ["Allemagne", "germany"])
def test_country_names_from_extra_text_match(index: Any, text: str) -> None:
    assert ids(index, text) == [3]


def test_french_elisions_are_dropped(index: Any) -> None:
    assert 3 in ids(index, "l'extrémisme")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_fast_analyzer_yields_the_same_tokens_as_the_whoosh_chain(lang: str) -> None:
    from indexer.analysis import ANALYZERS, CHAINS

    text = "L'extrémisme violent, les SÉCURITÉS et la prévention des haines; straße 2024 de la"
    for kw in ({"positions": True}, {"chars": True}, {"positions": True, "start_pos": 5}):

        def seen(tokens: Any) -> list[tuple[Any, ...]]:
            return [
                (t.text, getattr(t, "pos", None), getattr(t, "startchar", None)) for t in tokens
            ]

        fast = seen(ANALYZERS[lang](text, mode="index", **kw))
        assert fast == seen(CHAINS[lang](text, mode="index", **kw)) and fast


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_fast_text_field_indexes_exactly_like_whoosh_text(lang: str) -> None:
    from ixcorpus import CORPUS
    from whoosh import fields

    from indexer.analysis import ANALYZERS
    from indexer.schema import HEAD_BOOST, FastText

    texts = [
        "L'extrémisme violent, les SÉCURITÉS et la prévention des haines; de la haine 2024",
        "de la",
        "",
        *(f"{d.title_fr}\n{d.summary_fr}\n{d.body}\n{d.title_en}" for d in CORPUS),
    ]
    for boost in (1.0, HEAD_BOOST):
        fast = FastText(analyzer=ANALYZERS[lang], field_boost=boost)
        slow = fields.TEXT(analyzer=ANALYZERS[lang], field_boost=boost)
        for text in texts:
            assert sorted(fast.index(text)) == sorted(slow.index(text))


@pytest.mark.parametrize("word", ["les", "Les", "cette", "dont", "où", "ou", "tous"])
def test_french_articles_and_pronouns_are_stop_words(word: str) -> None:
    from indexer.analysis import analyze

    assert analyze("fr", word) == ()


@pytest.mark.parametrize("word", ["contre", "sous", "vers"])
def test_french_prepositions_stay_indexed_for_the_compounds_they_form(word: str) -> None:
    # "contre-discours" must not shrink to "discours", nor "aller-vers" to "aller".
    from indexer.analysis import analyze

    assert analyze("fr", word)


@pytest.mark.parametrize(
    "text",
    ['"quitter les groupes"', '"quitter groupes"', '"accès au logement"', '"rapport sur les"'],
)
def test_phrases_match_across_the_stop_words_they_hold_or_skip(index: Any, text: str) -> None:
    # "les" holds no position: a phrase typed with or without it finds the same text.
    assert ids(index, text) in ([3], [4])


def test_a_practice_whose_title_holds_the_typed_words_comes_first(tmp_path: Any) -> None:
    # Known-item search: the reader types a practice's name. Another practice using the same
    # words more often in its summary and body, and tagged with the concept, must not outrank it.
    from ixcorpus import SYNONYMS, make_document

    from indexer import Change, Index

    named = make_document(
        id=1, title_en="Office for the Prevention of Hate Crimes", title_fr="Bureau",
        summary_en="A city office.", themes=("hate",),
    )
    busy = make_document(
        id=2, title_en="Police liaison units", title_fr="Unités de liaison",
        summary_en="The office records hate crimes and the hate crimes office reports them.",
        body="Hate crimes office. Hate crimes are reported to the office; hate crimes office.",
        themes=("hate",),
    )
    with Index.open(tmp_path / "ix", synonyms=SYNONYMS) as index:
        index.apply([Change(1, 1, named), Change(2, 2, busy)])
        for per_page in (20, 1):  # the first page alone ranks as the whole list does
            found = index.search(Query(text="hate crimes office", per_page=per_page))
            assert [h.id for h in found.hits][:1] == [1]
