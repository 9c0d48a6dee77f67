"""Per-field diffs: whole values for short fields, words for long text, FR/EN side by side."""

from __future__ import annotations

from kb.catalogue import diff


def test_short_values_are_compared_whole() -> None:
    [d] = diff.compare({"region": "Old"}, {"region": "New"})
    assert [(s.op, s.text) for s in d.segments] == [("delete", "Old"), ("insert", "New")]


def test_long_text_is_compared_word_by_word() -> None:
    before = "Residents meet every month in the town hall to talk about living together.\n" * 3
    after = before.replace("every month", "every week", 1)
    [d] = diff.compare({"body": before}, {"body": after})
    changed = [(s.op, s.text) for s in d.segments if s.op != "equal"]
    assert changed == [("delete", "month"), ("insert", "week")]


def test_a_huge_text_is_compared_line_by_line_quickly() -> None:
    before = "word " * 200_000
    [d] = diff.compare({"body": before}, {"body": before + "\nextra"})
    assert d.segments[-1].op == "insert"


def test_titles_and_summaries_come_in_french_english_pairs() -> None:
    rows = diff.rows(
        diff.compare({"title_fr": "A", "country": "FR"}, {"title_fr": "B", "country": "BE"})
    )
    assert [(r.name, r.fr.field, r.en.field if r.en else None) for r in rows] == [
        ("title", "title_fr", "title_en"),
        ("country", "country", None),
    ]


def test_a_change_in_one_language_only_flags_the_other_for_checking() -> None:
    before = {"title_fr": "A", "title_en": "A", "summary_fr": "S", "summary_en": "S"}
    after = {**before, "title_fr": "B", "summary_fr": "T", "summary_en": "U"}
    assert diff.translation_flags(before, after) == ["title_en"]
    assert diff.translation_flags(None, after) == []


def test_sources_and_lists_read_as_lines() -> None:
    [d] = diff.compare({"sources": []}, {"sources": [{"title": "T", "url": "https://x.org"}]})
    assert d.after == "T — https://x.org"
