"""A published collection exported as JSON, CSV, Markdown zip, print booklet and Atom feed."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from kb import db
from kb.catalogue import practices
from kb.catalogue.reads import get_by_slug
from kb.collections import collections
from kb.collections import items as collection_items
from kb.collections.collections import CollectionData
from kb.models import Collection
from tests.atom import check_rfc4287
from tests.writes import committed

SLUG = "jeunesse-haine-en-ligne"
BASE = f"/fr/collections/{SLUG}"
CHOSEN = ["montreal-cprmv", "aarhus-model", "nice-listening-cell-and-cmer"]
DATA = CollectionData(
    title_fr="Jeunesse et haine en ligne",
    title_en="Youth and online hate",
    intro_fr="Une **sélection** pour les élus.\n\nDeux paragraphes, « guillemets » compris.",
    intro_en="A **selection** for elected members.",
)


def _make(app: Flask, chosen: list[str] = CHOSEN, publish: bool = True) -> Collection:
    with Session(db.get_engine(app), expire_on_commit=False) as s:
        found = committed(collections.create, session=s, slug=SLUG, data=DATA)
        for n, slug in enumerate(chosen, start=1):
            committed(
                collection_items.add_item,
                session=s,
                collection_id=found.id,
                practice_slug=slug,
                note_fr=f"Note n° {n} : à lire d’abord." if n != 2 else "",
                note_en=f"Note {n}: read first." if n != 2 else "",
            )
        if publish:
            committed(collections.set_state, session=s, collection_id=found.id, state="published")
        return collections.get(s, found.id or 0)


@pytest.fixture
def published(seeded: Flask) -> Collection:
    return _make(seeded)


@pytest.fixture
def client(seeded: Flask) -> FlaskClient:
    return seeded.test_client()


def _archive(app: Flask, slug: str) -> None:
    with Session(db.get_engine(app)) as s:
        practice = get_by_slug(s, slug)
        committed(
            practices.set_state,
            session=s,
            practice_id=practice.id,
            state="archived",
            expected_version=practice.version,
        )


def test_the_json_export_names_the_collection_and_its_version_in_the_manifest(
    client: FlaskClient, published: Collection
) -> None:
    response = client.get(f"{BASE}/export.json")
    assert response.status_code == 200 and response.is_streamed
    assert f"kb-collection-{SLUG}-" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    manifest = data["manifest"]
    assert manifest["source"]["kind"] == "collection"
    assert manifest["source"]["query"] == {"collection": SLUG, "version": published.version}
    assert manifest["collection"]["title_en"] == "Youth and online hate"
    assert [r["slug"] for r in data["records"]] == CHOSEN
    assert data["records"][0] == client.get(f"/api/v1/practices/{CHOSEN[0]}").get_json()
    assert manifest["collection"] == client.get(f"/api/v1/collections/{SLUG}").get_json()


def test_an_archived_practice_is_marked_archived_and_left_out_of_the_records(
    seeded: Flask, client: FlaskClient, published: Collection, tmp_path: Path
) -> None:
    _archive(seeded, CHOSEN[1])
    data = client.get(f"{BASE}/export.json").get_json()
    assert [r["slug"] for r in data["records"]] == [CHOSEN[0], CHOSEN[2]]
    statuses = {i["slug"]: i["status"] for i in data["manifest"]["collection"]["items"]}
    assert statuses[CHOSEN[1]] == "archived"
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"{BASE}/export.csv").data.decode("utf-8-sig")))
    )
    assert [r["slug"] for r in rows] == [CHOSEN[0], CHOSEN[2]]
    html = client.get(f"/en/collections/{SLUG}/print").get_data(as_text=True)
    assert html.count('class="booklet-practice"') == 2
    assert "archived: no longer published" in html
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{BASE}/export.zip").data))
    assert f"content/practices/{CHOSEN[1]}.md" not in archive.namelist()
    assert CHOSEN[1] not in archive.read(f"content/collections/{SLUG}.yaml").decode()
    # Read back into the instance it came from, the archived practice keeps its place.
    archive.extractall(tmp_path)
    assert "collections: 0 created, 0 updated, 1 unchanged" in _import(seeded, tmp_path / "content")
    items = client.get(f"/api/v1/collections/{SLUG}").get_json()["items"]
    assert [(i["slug"], i["status"]) for i in items][1] == (CHOSEN[1], "archived")


@pytest.mark.parametrize("dialect,delimiter", [("standard", ","), ("excel-fr", ";")])
def test_the_csv_export_reads_back_in_both_dialects(
    client: FlaskClient, published: Collection, dialect: str, delimiter: str
) -> None:
    response = client.get(f"{BASE}/export.csv?dialect={dialect}")
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:]), delimiter=delimiter))
    assert [r["slug"] for r in rows] == CHOSEN
    assert any("é" in r["title_fr"] for r in rows)


def _import(app: Flask, folder: Path) -> str:
    result = app.test_cli_runner().invoke(args=["import", str(folder)])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_the_markdown_zip_holds_the_collection_file_that_kb_import_reads_back(
    seeded: Flask,
    client: FlaskClient,
    published: Collection,
    make_app: Callable[..., Flask],
    tmp_path: Path,
) -> None:
    zipped = zipfile.ZipFile(io.BytesIO(client.get(f"{BASE}/export.zip").data))
    zipped.extractall(tmp_path / "first")
    folder = tmp_path / "first" / "content"
    assert sorted(p.stem for p in (folder / "practices").glob("*.md")) == sorted(CHOSEN)
    written = (folder / "collections" / f"{SLUG}.yaml").read_text(encoding="utf-8")
    assert "note:" in written and "state: published" in written
    # Read back where it came from: nothing changes.
    assert "collections: 0 created, 0 updated, 1 unchanged" in _import(seeded, folder)
    # Read into an empty instance: the same collection, which exports to the same files.
    fresh = make_app(
        KB_DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        KB_INDEX_DIR=str(tmp_path / "fresh-index"),
        KB_INSTANCE_DIR=str(tmp_path / "fresh-instance"),
    )
    assert "collections: 1 created" in _import(fresh, folder)
    again = fresh.test_client()
    record, original = (c.get(f"/api/v1/collections/{SLUG}").get_json() for c in (again, client))
    for key in ("title_fr", "title_en", "intro_fr", "intro_en"):
        assert record[key] == original[key]
    keep = ("slug", "note_fr", "note_en", "status")
    assert [{k: i[k] for k in keep} for i in record["items"]] == [
        {k: i[k] for k in keep} for i in original["items"]
    ]
    second = zipfile.ZipFile(io.BytesIO(again.get(f"{BASE}/export.zip").data))
    for name in zipped.namelist():
        if name.startswith(("content/practices/", "content/collections/")):
            assert second.read(name) == zipped.read(name), name


def test_kb_export_markdown_writes_collections_too_and_they_read_back(
    seeded: Flask, published: Collection, tmp_path: Path
) -> None:
    runner = seeded.test_cli_runner()
    result = runner.invoke(args=["export", "markdown", str(tmp_path / "out")])
    assert result.exit_code == 0 and "1 collection(s)" in result.output
    assert (tmp_path / "out" / "collections" / f"{SLUG}.yaml").is_file()
    assert "collections: 0 created, 0 updated, 1 unchanged" in _import(seeded, tmp_path / "out")


def test_a_bad_collection_file_is_refused_with_its_line_and_nothing_is_imported(
    seeded: Flask, client: FlaskClient, published: Collection, tmp_path: Path
) -> None:
    zipfile.ZipFile(io.BytesIO(client.get(f"{BASE}/export.zip").data)).extractall(tmp_path)
    path = tmp_path / "content" / "collections" / f"{SLUG}.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(f"slug: {CHOSEN[2]}", "slug: nowhere"),
        encoding="utf-8",
    )
    result = seeded.test_cli_runner().invoke(args=["import", str(tmp_path / "content")])
    assert result.exit_code == 1
    assert f"{SLUG}.yaml:" in result.output and "no practice 'nowhere'" in result.output
    assert "nothing was imported" in result.output


def test_the_print_booklet_has_the_collection_title_intro_notes_and_contents(
    client: FlaskClient, published: Collection
) -> None:
    html = client.get(f"{BASE}/print").get_data(as_text=True)
    assert "<h1>Jeunesse et haine en ligne</h1>" in html
    assert "<strong>sélection</strong>" in html  # the introduction, rendered
    assert "1\u202f: à lire d’abord." in html and "Note n° 3" in html  # French typography
    assert html.count('class="curator-note prose"') == 2
    assert html.count('class="booklet-practice"') == 3
    toc = html[html.index('class="booklet-toc"') : html.index('class="booklet-practice"')]
    assert [toc.index(f"#p-{s}") for s in CHOSEN] == sorted(toc.index(f"#p-{s}") for s in CHOSEN)
    assert f"http://localhost{BASE}/print" in html and "print.css" in html


def test_the_print_booklet_prints_to_pdf_when_weasyprint_is_installed(
    client: FlaskClient, published: Collection
) -> None:
    from kb.distribution.exports import pdf

    if not pdf.available():
        pytest.skip("WeasyPrint or its system libraries are not installed")
    response = client.get(f"{BASE}/print.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")


def test_the_collection_page_links_its_exports_print_and_feed(
    client: FlaskClient, published: Collection
) -> None:
    html = client.get(BASE).get_data(as_text=True)
    for suffix in ("export.json", "export.csv", "export.csv?dialect=excel-fr", "export.zip"):
        assert f'href="{BASE}/{suffix}"' in html
    assert f'href="{BASE}/print"' in html
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert f'href="{BASE}/feed.atom"' in html


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_collection_feed_is_valid_atom_in_its_language(
    client: FlaskClient, published: Collection, lang: str
) -> None:
    response = client.get(f"/{lang}/collections/{SLUG}/feed.atom")
    assert response.status_code == 200
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == lang
    check_rfc4287(response.data)
    assert sorted(e.link.rsplit("/", 1)[1] for e in parsed.entries) == sorted(CHOSEN)
    title = DATA.title_fr if lang == "fr" else DATA.title_en
    assert title in parsed.feed.title
    again = feedparser.parse(client.get(f"/{lang}/collections/{SLUG}/feed.atom").data)
    assert [e.id for e in again.entries] == [e.id for e in parsed.entries]  # stable ids


def test_the_feed_is_updated_when_the_collection_changes(
    seeded: Flask, client: FlaskClient, published: Collection
) -> None:
    before = feedparser.parse(client.get(f"{BASE}/feed.atom").data).feed.updated_parsed
    with Session(db.get_engine(seeded)) as s:
        committed(
            collection_items.set_note,
            session=s,
            collection_id=published.id,
            practice_id=get_by_slug(s, CHOSEN[1]).id,
            note_fr="Ajoutée plus tard.",
            note_en="Added later.",
        )
        changed = collections.get(s, published.id or 0).updated_at
    after = feedparser.parse(client.get(f"{BASE}/feed.atom").data).feed.updated_parsed
    assert after >= before and after[:6] == changed.timetuple()[:6]


@pytest.mark.parametrize(
    "suffix",
    ["", "/export.json", "/export.csv", "/export.zip", "/print", "/print.pdf", "/feed.atom"],
)
def test_a_draft_collection_is_not_exported_publicly(
    seeded: Flask, client: FlaskClient, suffix: str
) -> None:
    _make(seeded, publish=False)
    assert client.get(f"{BASE}{suffix}").status_code == 404
    assert client.get(f"/fr/collections/nope{suffix}").status_code == 404


def test_an_unknown_export_format_is_a_clear_400(
    client: FlaskClient, published: Collection
) -> None:
    response = client.get(f"{BASE}/export.xlsx")
    assert response.status_code == 400 and "format" in response.get_data(as_text=True)
    assert client.get(f"{BASE}/export.csv?dialect=tab").status_code == 400
