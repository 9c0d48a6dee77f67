"""Exports of a search, a personal selection and the whole catalogue, in every format."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlmodel import Session, select

from kb import db
from kb.catalogue import fields
from kb.models import Practice


def _published(app: Flask) -> dict[str, Practice]:
    with Session(db.get_engine(app)) as session:
        rows = session.exec(select(Practice).where(Practice.state == "published"))
        return {p.slug: p for p in rows}


def test_a_json_export_holds_every_record_and_a_manifest(
    seeded_app: Flask, reader: FlaskClient
) -> None:
    response = reader.get("/fr/search/export.json?theme=hate")
    assert response.status_code == 200 and response.is_streamed
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    manifest = data["manifest"]
    assert manifest["source"]["kind"] == "search"
    assert manifest["source"]["query"]["filters"] == {"theme": ["hate"]}
    assert manifest["count"] == len(data["records"]) > 0
    assert manifest["generated_at"] and manifest["kb_version"]
    assert [f["name"] for f in manifest["fields"]] == [f.name for f in fields.carried_by("json")]
    assert all("hate" in r["themes"] for r in data["records"])
    one = data["records"][0]
    assert one == reader.get(f"/api/v1/practices/{one['slug']}").get_json()


def test_an_export_without_search_is_the_whole_catalogue(
    seeded_app: Flask, reader: FlaskClient
) -> None:
    data = reader.get("/en/search/export.json").get_json()
    assert data["manifest"]["source"]["kind"] == "catalogue"
    assert [r["slug"] for r in data["records"]] == sorted(_published(seeded_app))


def test_a_search_export_holds_every_result_not_just_one_page(reader: FlaskClient) -> None:
    total = reader.get("/api/v1/search?q=ville&per_page=5").get_json()["total"]
    data = reader.get("/fr/search/export.json?q=ville&per_page=5&page=3").get_json()
    assert total > 5 and len(data["records"]) == total == data["manifest"]["count"]


def test_a_personal_selection_keeps_its_order_and_skips_unknown_slugs(reader: FlaskClient) -> None:
    slugs = ["montreal-cprmv", "nope", "aarhus-model"]
    data = reader.get(f"/fr/search/export.json?slugs={','.join(slugs)}").get_json()
    assert [r["slug"] for r in data["records"]] == ["montreal-cprmv", "aarhus-model"]
    assert data["manifest"]["source"] == {
        "kind": "selection",
        "query": {"slugs": slugs},
        "url": "http://localhost/fr/search/export.json?slugs=montreal-cprmv,nope,aarhus-model",
    }


@pytest.mark.parametrize(("dialect", "delimiter"), [("standard", ","), ("excel-fr", ";")])
def test_a_csv_export_reads_back_with_every_record_and_accent_intact(
    seeded_app: Flask, reader: FlaskClient, dialect: str, delimiter: str
) -> None:
    response = reader.get(f"/fr/search/export.csv?dialect={dialect}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=delimiter))
    assert list(rows[0]) == fields.csv_header()
    stored = _published(seeded_app)
    assert {r["slug"] for r in rows} == set(stored)
    for row in rows:
        practice = stored[row["slug"]]
        assert row["title_fr"] == practice.title_fr
        assert row["summary_fr"] == practice.summary_fr
        assert row["body"] == practice.body
        assert row["cities"] == " | ".join(practice.cities)
    assert any(re.search("[éèàçô]", r["title_fr"]) for r in rows)


def test_an_unknown_csv_dialect_is_a_clear_400(reader: FlaskClient) -> None:
    response = reader.get("/fr/search/export.csv?dialect=tab")
    assert response.status_code == 400
    assert "dialect" in response.get_data(as_text=True)


def test_the_markdown_zip_is_read_back_unchanged_by_kb_import(
    seeded: Flask, tmp_path: Path
) -> None:
    client = seeded.test_client()
    archive = zipfile.ZipFile(io.BytesIO(client.get("/fr/search/export.zip").data))
    archive.extractall(tmp_path / "unzipped")
    folder = tmp_path / "unzipped" / "content"
    practices_in_zip = sorted(p.stem for p in (folder / "practices").glob("*.md"))
    assert practices_in_zip == sorted(_published(seeded))
    runner: FlaskCliRunner = seeded.test_cli_runner()
    result = runner.invoke(args=["import", str(folder)])
    assert result.exit_code == 0, result.output
    assert "practices: 0 created, 0 updated" in result.output
    exported = tmp_path / "exported"
    assert runner.invoke(args=["export", "markdown", str(exported)]).exit_code == 0
    for path in (folder / "practices").glob("*.md"):
        assert path.read_bytes() == (exported / "practices" / path.name).read_bytes()


def test_the_print_booklet_has_a_cover_contents_and_one_practice_per_page(
    reader: FlaskClient,
) -> None:
    slugs = "aarhus-model,montreal-cprmv"
    html = reader.get(f"/fr/search/print?slugs={slugs}").get_data(as_text=True)
    assert 'class="booklet-cover"' in html and "Exporté le" in html
    assert html.count('class="booklet-practice"') == 2
    assert '<a href="#p-aarhus-model">' in html and 'id="p-aarhus-model"' in html
    assert "print.css" in html and "booklet.css" in html
    assert "http://localhost/fr/search/print?slugs=aarhus-model,montreal-cprmv" in html
    assert 'class="sources"' in html


def test_the_selection_page_is_a_shareable_url_with_its_exports(reader: FlaskClient) -> None:
    html = reader.get("/en/selection?slugs=aarhus-model,nope").get_data(as_text=True)
    assert "/en/search/export.csv?slugs=aarhus-model" in html
    assert "/en/search/print?slugs=aarhus-model" in html
    assert "selection.js" in html


def test_search_pages_link_their_exports(reader: FlaskClient) -> None:
    html = reader.get("/fr/search?q=jeunes&page=1").get_data(as_text=True)
    assert "/fr/search/export.csv?q=jeunes" in html
    assert "/fr/search/print?q=jeunes" in html


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_kb_export_writes_the_whole_catalogue(
    seeded: Flask, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"all.{fmt}"
    result = seeded.test_cli_runner().invoke(args=["export", fmt, str(target)])
    assert result.exit_code == 0, result.output
    count = len(_published(seeded))
    assert f"{count} practice(s) written" in result.output
    if fmt == "json":
        assert len(json.loads(target.read_text(encoding="utf-8"))["records"]) == count
    else:
        rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
        assert len(rows) == count


def test_the_booklet_prints_to_pdf_when_weasyprint_is_installed(reader: FlaskClient) -> None:
    from kb.distribution.exports import pdf

    if not pdf.available():
        pytest.skip("WeasyPrint or its system libraries are not installed")
    response = reader.get("/fr/search/print.pdf?slugs=aarhus-model,montreal-cprmv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert len(response.data) > 5_000


def test_a_selection_drops_what_cannot_be_a_slug_before_the_database_sees_it() -> None:
    from kb.catalogue.records import parse_slugs

    assert parse_slugs("a-b,\x00,A-B, c ,x y,é,../d") == ["a-b", "c"]
