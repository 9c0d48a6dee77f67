"""`kb import` checks every file first, imports all or nothing, and round-trips byte for byte."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import Session, func, select

from kb.models import ChangeLog, Practice
from tests.conftest import CONTENT_DIR


def count(session: Session, model: type) -> int:
    return int(session.exec(select(func.count()).select_from(model)).one())


def practice_files() -> list[Path]:
    return sorted((CONTENT_DIR / "practices").glob("*.md"))


def test_import_loads_every_seed_practice_as_published(
    runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(args=["import", str(CONTENT_DIR)])
    assert result.exit_code == 0, result.output
    assert f"{len(practice_files())} created, 0 updated" in result.output
    states = set(session.exec(select(Practice.state)))
    assert states == {"published"}
    assert count(session, Practice) == len(practice_files())


def test_a_second_import_changes_nothing(runner: FlaskCliRunner, session: Session) -> None:
    runner.invoke(args=["import", str(CONTENT_DIR)])
    changes = count(session, ChangeLog)
    result = runner.invoke(args=["import", str(CONTENT_DIR)])
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated" in result.output
    assert count(session, ChangeLog) == changes


def test_import_then_export_gives_byte_identical_files(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    runner.invoke(args=["import", str(CONTENT_DIR)])
    out = tmp_path / "export"
    result = runner.invoke(args=["export", "markdown", str(out)])
    assert result.exit_code == 0, result.output
    for relative in ["taxonomy.yaml", "events.yaml"]:
        assert (out / relative).read_bytes() == (CONTENT_DIR / relative).read_bytes(), relative
    for folder in ["practices", "pages"]:
        names = sorted(p.name for p in (CONTENT_DIR / folder).glob("*.md"))
        assert sorted(p.name for p in (out / folder).glob("*.md")) == names
        match, mismatch, errors = filecmp.cmpfiles(
            CONTENT_DIR / folder, out / folder, names, shallow=False
        )
        assert mismatch == [] and errors == []


def test_an_edited_file_is_updated_and_versioned(
    runner: FlaskCliRunner, session: Session, content_copy: Path
) -> None:
    runner.invoke(args=["import", str(content_copy)])
    path = content_copy / "practices" / "aarhus-model.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("region: Europe", "region: Northern Europe"),
        encoding="utf-8",
    )
    result = runner.invoke(args=["import", str(content_copy)])
    assert "0 created, 1 updated" in result.output, result.output
    practice = session.exec(select(Practice).where(Practice.slug == "aarhus-model")).one()
    assert practice.region == "Northern Europe" and practice.version == 2


def break_file(folder: Path, slug: str, old: str, new: str) -> Path:
    path = folder / "practices" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


BROKEN = [
    # (old text, replacement, field named in the error, words of the message)
    ("country: DK", "country: XX", "country", "ISO 3166-1"),
    ("- radicalisation\n", "- radicalization-typo\n", "themes", "expected one of: hate"),
    ("start_year: 2007", "start_year: 1700", "start_year", "between 1900 and 2100"),
    ("url: https://home-affairs", "url: ftp://home-affairs", "sources[0].url", "http(s) URL"),
    ("slug: aarhus-model", "slug: other-slug", "slug", "file name"),
    ("language: en", "language: de", "language", "expected one of fr, en"),
    ("status: ongoing", "status: maybe", "status", "ongoing, ended, unknown"),
    ("evidence_level: ", "evidence_level: x", "evidence_level", "unknown evidence level"),
    ("region: Europe", "region: Europe\nfavourite_colour: blue", "favourite_colour", "unknown key"),
    (
        "  en: Aarhus Municipality (SSP",
        "  en: Call +33 1 23 45 67 89, Aarhus Municipality (SSP",
        "lead_organisation",
        "phone",
    ),
    ("region: Europe", "region: Europe\ncountry: DK", "country", "more than once"),
]


@pytest.mark.parametrize(("old", "new", "field", "words"), BROKEN)
def test_a_broken_file_is_reported_with_path_line_and_field(
    runner: FlaskCliRunner, content_copy: Path, old: str, new: str, field: str, words: str
) -> None:
    path = break_file(content_copy, "aarhus-model", old, new)
    result = runner.invoke(args=["import", str(content_copy)])
    assert result.exit_code == 1
    line = next(ln for ln in result.output.splitlines() if f": {field}: " in ln)
    assert line.startswith(f"{path}:")
    assert int(line.split(":")[1]) > 1
    assert words in line


def test_missing_french_title_is_reported(runner: FlaskCliRunner, content_copy: Path) -> None:
    path = content_copy / "practices" / "aarhus-model.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    title_at = lines.index("title:\n")
    del lines[title_at + 1]
    path.write_text("".join(lines), encoding="utf-8")
    result = runner.invoke(args=["import", str(content_copy)])
    assert result.exit_code == 1
    assert f"{path}:{title_at + 1}: title.fr: required" in result.output  # the title: line


def test_bad_yaml_is_reported_with_its_line(runner: FlaskCliRunner, content_copy: Path) -> None:
    path = break_file(content_copy, "aarhus-model", "country: DK", "country: [DK")
    result = runner.invoke(args=["import", str(content_copy)])
    assert result.exit_code == 1
    assert f"{path}:" in result.output and "yaml: invalid YAML" in result.output


def test_a_file_without_front_matter_is_reported(
    runner: FlaskCliRunner, content_copy: Path
) -> None:
    path = content_copy / "practices" / "no-front-matter.md"
    path.write_text("Just a body.\n", encoding="utf-8")
    result = runner.invoke(args=["import", str(content_copy)])
    assert f"{path}:1: front matter: expected the file to start with a line '---'" in result.output


def test_a_duplicate_slug_is_reported(runner: FlaskCliRunner, content_copy: Path) -> None:
    source = content_copy / "practices" / "aarhus-model.md"
    (content_copy / "practices" / "aarhus-model-copy.md").write_text(
        source.read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = runner.invoke(args=["import", str(content_copy)])
    assert result.exit_code == 1
    assert "must equal the file name 'aarhus-model-copy'" in result.output


def test_every_problem_is_reported_and_nothing_is_imported(
    runner: FlaskCliRunner, content_copy: Path, session: Session
) -> None:
    break_file(content_copy, "aarhus-model", "country: DK", "country: XX")
    break_file(content_copy, "montreal-cprmv", "country: CA", "country: QQ")
    break_file(content_copy, "rotterdam-quick-scan-social-tensions", "status: unknown", "status: ?")
    result = runner.invoke(args=["import", str(content_copy)])
    assert result.exit_code == 1
    assert "aarhus-model.md" in result.output and "montreal-cprmv.md" in result.output
    assert "rotterdam-quick-scan-social-tensions.md" in result.output
    assert "3 problem(s) found; nothing was imported." in result.output
    assert count(session, Practice) == 0


def test_a_broken_folder_leaves_an_imported_database_untouched(
    runner: FlaskCliRunner, content_copy: Path, session: Session
) -> None:
    runner.invoke(args=["import", str(content_copy)])
    before = count(session, ChangeLog)
    break_file(content_copy, "aarhus-model", "region: Europe", "region: Elsewhere")
    break_file(content_copy, "montreal-cprmv", "country: CA", "country: QQ")
    assert runner.invoke(args=["import", str(content_copy)]).exit_code == 1
    aarhus = session.exec(select(Practice).where(Practice.slug == "aarhus-model")).one()
    assert aarhus.region == "Europe" and count(session, ChangeLog) == before


def test_dry_run_checks_without_writing(
    runner: FlaskCliRunner, session: Session, app: Flask
) -> None:
    result = runner.invoke(args=["import", "--dry-run", str(CONTENT_DIR)])
    assert result.exit_code == 0 and "no problem found" in result.output
    assert count(session, Practice) == 0
