"""A practice file carries its original body and a marked translation, and round-trips exactly."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlmodel import Session, select

from kb.catalogue.data import PracticeData
from kb.content.practice_file import parse_practice
from kb.content.source import ContentError
from kb.models import Practice
from kb.text import bilingual

TRANSLATED = """---
slug: {slug}
title:
  fr: Une pratique traduite
  en: A translated practice
summary:
  fr: Une ville réunit des habitants.
  en: A city brings residents together.
language: en
cities:
- london
country: GB
region:
  fr: Amérique du Nord
  en: North America
themes:
- social-cohesion
lead_organisation:
  fr: Mairie de Londres (Greater London Authority)
  en: Greater London Authority
partners:
- Groundwork London
- fr: Institut pour le dialogue stratégique (Institute for Strategic Dialogue)
  en: Institute for Strategic Dialogue
status: ongoing
evidence_level: none-found
evaluation:
  fr: Aucune évaluation publiée.
  en: No published evaluation.
lessons:
  fr: |-
    Première leçon.

    Deuxième leçon.
  en: |-
    First lesson.

    Second lesson.
sources:
- title: Test source
  url: https://example.org/source
  note:
    fr: (version espagnole)
    en: (Spanish version)
---
## Context

Residents meet every month.

<!-- kb:translation fr -->

## Contexte

Les habitants se réunissent chaque mois.
"""


def write(folder: Path, slug: str, text: str) -> Path:
    path = folder / "practices" / f"{slug}.md"
    path.write_text(text, encoding="utf-8")
    return path


def parse(path: Path) -> tuple[PracticeData | None, list[ContentError]]:
    errors: list[ContentError] = []
    parsed = parse_practice(path, errors)
    return (parsed[0] if parsed else None), errors


def test_the_body_splits_at_the_marker_into_original_and_translation(content_copy: Path) -> None:
    record, errors = parse(write(content_copy, "t", TRANSLATED.format(slug="t")))
    assert errors == [] and record is not None
    assert record.body == "## Context\n\nResidents meet every month.\n"
    assert record.body_translation == "## Contexte\n\nLes habitants se réunissent chaque mois.\n"


def test_evaluation_and_lessons_maps_keep_the_original_under_its_language(
    content_copy: Path,
) -> None:
    record, _ = parse(write(content_copy, "t", TRANSLATED.format(slug="t")))
    assert record is not None
    assert record.evaluation == "No published evaluation."
    assert record.evaluation_translation == "Aucune évaluation publiée."
    assert record.lessons == "First lesson.\n\nSecond lesson."
    assert record.lessons_translation == "Première leçon.\n\nDeuxième leçon."


def test_names_given_in_both_languages_keep_english_and_french_apart(content_copy: Path) -> None:
    record, _ = parse(write(content_copy, "t", TRANSLATED.format(slug="t")))
    assert record is not None
    assert record.lead_organisation == "Greater London Authority"
    assert record.lead_organisation_fr == "Mairie de Londres (Greater London Authority)"
    assert record.partners[1] == "Institute for Strategic Dialogue"
    assert record.partners_fr[0] == "Groundwork London"
    assert record.region == "North America" and record.region_fr == "Amérique du Nord"
    assert record.sources[0].note_fr == "(version espagnole)"


def test_a_plain_evaluation_is_read_as_the_original_language(content_copy: Path) -> None:
    text = TRANSLATED.format(slug="t").replace(
        "evaluation:\n  fr: Aucune évaluation publiée.\n  en: No published evaluation.",
        "evaluation: No published evaluation.",
    )
    record, errors = parse(write(content_copy, "t", text))
    assert errors == [] and record is not None
    assert record.evaluation == "No published evaluation."
    assert record.evaluation_translation is None


def test_a_marker_in_the_original_language_is_reported(content_copy: Path) -> None:
    text = TRANSLATED.format(slug="t").replace("kb:translation fr", "kb:translation en")
    _, errors = parse(write(content_copy, "t", text))
    assert any(e.field == "body" and "kb:translation fr" in e.message for e in errors)


def test_a_translated_file_round_trips_byte_for_byte(
    runner: FlaskCliRunner, content_copy: Path, tmp_path: Path, session: Session
) -> None:
    path = write(content_copy, "translated-practice", TRANSLATED.format(slug="translated-practice"))
    cities = content_copy / "taxonomy.yaml"
    if "\ncities:\n" not in cities.read_text(encoding="utf-8"):
        cities.write_text(
            cities.read_text(encoding="utf-8")
            + "cities:\n- slug: london\n  label:\n    fr: Londres\n    en: London\n",
            encoding="utf-8",
        )
    result = runner.invoke(args=["import", str(content_copy)])
    assert result.exit_code == 0, result.output
    practice = session.exec(select(Practice).where(Practice.slug == "translated-practice")).one()
    assert practice.body_translation_text == "Les habitants se réunissent chaque mois."
    out = tmp_path / "export"
    assert runner.invoke(args=["export", "markdown", str(out)]).exit_code == 0
    assert (out / "practices" / path.name).read_bytes() == path.read_bytes()


def test_the_join_of_a_split_body_is_the_canonical_body() -> None:
    body = "## Context\n\nA.\n\n<!-- kb:translation fr -->\n\n## Contexte\n\nB.\n"
    original, lang, translation, _ = bilingual.split_body(body)
    assert lang == "fr"
    assert bilingual.join_body(original, "en", translation) == body


def test_a_budget_without_its_source_is_reported(content_copy: Path) -> None:
    text = TRANSLATED.format(slug="t").replace(
        "---\n## Context",
        "facts:\n  budget:\n    amount: 1000\n    currency: EUR\n---\n## Context",
    )
    _, errors = parse(write(content_copy, "t", text))
    assert [e.field for e in errors] == ["facts.budget.source"]
