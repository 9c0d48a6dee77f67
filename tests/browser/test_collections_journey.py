"""A curator in a real Chromium: create a collection of five practices with notes, reorder it
(buttons, position field, drag and drop), publish it, find it public; axe on every new page."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import LiveServer, axe_violations, describe
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "curatrice@example.org", "une longue phrase de passe"
SLUGS = (
    "aarhus-model",
    "barcelona-anti-rumour-strategy",
    "bordeaux-capri",
    "boston-project-shifa",
    "calgary-redirect",
)


def accessible(page: Page, axe_script: Path) -> None:
    violations = axe_violations(page, axe_script)
    assert violations == [], describe(violations)


def entry_slugs(page: Page) -> list[str]:
    hrefs = page.locator("ol.collection-items > li h3 a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [href.rsplit("/", 1)[-1] for href in hrefs]


def test_a_curator_builds_reorders_and_publishes_a_collection(
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    axe_script: Path,
    screenshot_dir: Path,
) -> None:
    created = live_server.app.test_cli_runner().invoke(
        args=[
            "user",
            "create",
            EMAIL,
            "--name",
            "Curatrice",
            "--role",
            "curator",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    page = new_context(bypass_csp=True).new_page()  # axe is injected inline (see accounts journey)
    page.goto(live_server("/fr/login"))
    page.get_by_label("Adresse électronique").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.goto(live_server("/fr/collections/manage/"))
    accessible(page, axe_script)
    page.get_by_role("link", name="Nouvelle collection").click()
    accessible(page, axe_script)
    page.get_by_label("Adresse (identifiant)").fill("cinq-pratiques")
    page.get_by_label("Titre en français").fill("Cinq pratiques à adapter")
    page.get_by_label("Titre en anglais").fill("Five practices to adapt")
    page.get_by_label("Introduction en français (Markdown)").fill("Une sélection **de travail**.")
    page.get_by_role("button", name="Créer la collection").click()
    expect(page.get_by_text("La collection est créée, en brouillon.")).to_be_visible()

    for slug in SLUGS[:4]:
        page.get_by_role("textbox", name=re.compile("^Pratique")).fill(slug)
        page.get_by_role("button", name="Ajouter à la collection").click()
        expect(
            page.get_by_text("La pratique est ajoutée à la fin de la collection.")
        ).to_be_visible()
    page.get_by_label("Ou cherchez une pratique").fill("Calgary")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("button", name=re.compile("^Ajouter « .*")).first.click()
    assert entry_slugs(page) == list(SLUGS)
    accessible(page, axe_script)

    for n, item in enumerate(page.locator("ol.collection-items > li").all()):
        item.get_by_text("Note de présentation").click()
        item.get_by_label("Note en français").fill(f"Note {n + 1} pour les élus.")
        item.get_by_label("Note en anglais").fill(f"Note {n + 1} for elected members.")
        item.get_by_role("button", name="Enregistrer la note").click()
        expect(page.get_by_text("La note est enregistrée.")).to_be_visible()

    # Without JavaScript's help: a button, then a position typed in.
    page.locator("ol.collection-items > li").nth(4).get_by_role(
        "button", name=re.compile("^Monter")
    ).click()
    assert entry_slugs(page) == [SLUGS[0], SLUGS[1], SLUGS[2], SLUGS[4], SLUGS[3]]
    first = page.locator("ol.collection-items > li").nth(0)
    first.get_by_label("Position").fill("5")
    first.get_by_role("button", name="Déplacer", exact=True).click()
    assert entry_slugs(page) == [SLUGS[1], SLUGS[2], SLUGS[4], SLUGS[3], SLUGS[0]]
    # With it: drag the second practice above the first.
    items = page.locator("ol.collection-items > li")
    items.nth(0).scroll_into_view_if_needed()
    source, target = items.nth(1).bounding_box(), items.nth(0).bounding_box()
    assert source and target
    page.mouse.move(source["x"] + 4, source["y"] + 4)  # the item's padding, not its link
    page.mouse.down()
    page.mouse.move(target["x"] + 6, target["y"] + 8, steps=10)
    page.mouse.move(target["x"] + 4, target["y"] + 6, steps=2)
    page.mouse.up()
    expect(page.get_by_text("Le nouvel ordre est enregistré.")).to_be_visible()
    assert entry_slugs(page) == [SLUGS[2], SLUGS[1], SLUGS[4], SLUGS[3], SLUGS[0]]
    page.screenshot(path=str(screenshot_dir / "collection-edit-1280.png"), full_page=True)

    page.get_by_role("button", name="Publier la collection").click()
    expect(page.get_by_text("La collection est publiée.")).to_be_visible()
    page.get_by_role("link", name="Historique").click()
    accessible(page, axe_script)

    page.goto(live_server("/fr/collections/"))
    accessible(page, axe_script)
    page.get_by_role("link", name="Cinq pratiques à adapter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cinq pratiques à adapter")
    expect(page.locator(".curator-note")).to_have_count(5)
    expect(page.get_by_text("Note 1 pour les élus.")).to_be_visible()
    accessible(page, axe_script)
    page.screenshot(path=str(screenshot_dir / "collection-public-1280.png"), full_page=True)
    page.get_by_role("link", name="Rechercher dans cette collection").click()
    expect(page.get_by_text("Collection : Cinq pratiques à adapter")).to_be_visible()

    # Its exports, from the links of its public page: JSON, CSV, Markdown zip and the booklet.
    page.goto(live_server("/fr/collections/"))
    page.get_by_role("link", name="Cinq pratiques à adapter").click()
    exports = page.locator("p.export-links")
    downloaded = {}
    for name in ("JSON", "CSV", "Markdown (zip)"):
        with page.expect_download() as info:
            exports.get_by_role("link", name=name, exact=True).click()
        downloaded[name] = Path(info.value.path()).read_bytes()
    record = json.loads(downloaded["JSON"])
    assert [r["slug"] for r in record["records"]] == [
        SLUGS[2],
        SLUGS[1],
        SLUGS[4],
        SLUGS[3],
        SLUGS[0],
    ]
    assert record["manifest"]["source"]["kind"] == "collection"
    rows = list(csv.DictReader(io.StringIO(downloaded["CSV"].decode("utf-8-sig"))))
    assert len(rows) == 5
    names = zipfile.ZipFile(io.BytesIO(downloaded["Markdown (zip)"])).namelist()
    assert any(n.startswith("content/collections/") for n in names)
    exports.get_by_role("link", name="Imprimer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cinq pratiques à adapter")
    expect(page.locator(".booklet-practice")).to_have_count(5)
    expect(page.locator(".booklet-practice .curator-note")).to_have_count(5)
    accessible(page, axe_script)
    page.screenshot(path=str(screenshot_dir / "collection-booklet-1280.png"), full_page=True)
