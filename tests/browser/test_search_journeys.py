"""A practitioner's journeys in a real Chromium: search, filter, read, switch language."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from browser_support import (
    PRACTICE_SLUG,
    LiveServer,
    facet_count,
    narrowing_facet_option,
    results_total,
)
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser


def test_searching_in_french_from_the_home_page_shows_highlighted_results(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server("/fr/"))
    page.get_by_label("Rechercher une pratique").fill("haine")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert urlsplit(page.url).path == "/fr/search"
    assert results_total(page) > 0
    expect(page.locator(".result-list > li").first).to_be_visible()
    marks = page.locator(".result-list mark")
    assert marks.count() > 0, "no highlighted term in the results"
    assert any("hain" in text.lower() for text in marks.all_inner_texts())


def test_ticking_a_facet_waits_for_the_apply_button_with_javascript(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server("/fr/search?q=haine"))
    before = results_total(page)
    option = narrowing_facet_option(page)
    expected = facet_count(option)
    label = option.locator("label").inner_text()
    url = page.url

    option.locator("input").check()
    assert page.url == url and results_total(page) == before  # no reload on a tick
    with page.expect_navigation():
        page.get_by_role("button", name="Appliquer les filtres").click()

    assert results_total(page) == expected < before
    chip = page.locator(".chips a.chip:not(.chip-clear)")
    expect(chip).to_have_count(1)
    assert chip.inner_text().startswith("Pays\u202f: " + label.split(" (")[0])


def test_ticking_a_facet_and_applying_filters_works_without_javascript(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(live_server("/fr/search?q=haine"))
    before = results_total(page)
    option = narrowing_facet_option(page)
    expected = facet_count(option)

    option.locator("input").check()
    assert results_total(page) == before, "the form was submitted without JavaScript"
    with page.expect_navigation():
        page.get_by_role("button", name="Appliquer les filtres").click()

    assert results_total(page) == expected < before
    expect(page.locator(".chips a.chip:not(.chip-clear)")).to_have_count(1)


def test_removing_a_filter_chip_restores_the_results(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server("/fr/search?q=haine"))
    before = results_total(page)
    narrowing_facet_option(page).locator("input").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Appliquer les filtres").click()
    assert results_total(page) < before

    with page.expect_navigation():
        page.locator(".chips a.chip:not(.chip-clear)").click()

    assert results_total(page) == before
    expect(page.locator(".chips")).to_have_count(0)


def test_opening_a_result_shows_the_practice_page(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server("/fr/search?q=haine"))
    link = page.locator(".result-list .card-title a").first
    title = link.inner_text()
    href = link.get_attribute("href")

    with page.expect_navigation():
        link.click()

    assert urlsplit(page.url).path == href
    assert re.fullmatch(r"/fr/practices/[a-z0-9-]+", urlsplit(page.url).path)
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#facts-heading")).to_be_visible()


def test_the_language_link_leads_to_the_twin_page_in_english(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server(f"/fr/practices/{PRACTICE_SLUG}"))
    assert page.locator("html").get_attribute("lang") == "fr"

    with page.expect_navigation():
        page.locator("header a.lang-switch").click()

    assert urlsplit(page.url).path == f"/en/practices/{PRACTICE_SLUG}"
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("header a.lang-switch")).to_have_attribute(
        "href", f"/fr/practices/{PRACTICE_SLUG}"
    )


def test_the_language_link_keeps_the_search_and_its_filters(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server("/fr/search?q=haine&country=FR"))
    total = results_total(page)

    with page.expect_navigation():
        page.locator("header a.lang-switch").click()

    assert urlsplit(page.url).path == "/en/search"
    assert urlsplit(page.url).query == "q=haine&country=FR"
    assert results_total(page) == total
    expect(page.locator(".chips a.chip:not(.chip-clear)")).to_contain_text("France")


def test_typing_in_the_search_box_offers_suggestions(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server("/fr/"))
    page.locator("#q").press_sequentially("mont", delay=30)

    options = page.locator("#q-suggestions option")
    # Locator assertions poll without eval(), which the app's CSP forbids (wait_for_function).
    expect(options).not_to_have_count(0)
    values = options.evaluate_all("os => os.map(o => o.value)")
    assert any("mont" in value.lower() for value in values), values


def test_a_long_facet_opens_on_its_own_page_where_any_value_can_be_chosen(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server("/fr/search?q=ville"))
    page.locator("details.facet-group[data-facet=city] > summary").click()
    link = page.get_by_role("link", name=re.compile(r"^Les \d+ valeurs de «\s*Ville\s*»$"))
    with page.expect_navigation():
        link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ville\u202f: toutes les valeurs")
    options = page.locator(".facet-value-list .facet-option")
    assert options.count() > 20
    rare = options.last
    city = rare.locator("label").inner_text().split(" (")[0]
    expected = facet_count(rare)
    rare.locator("input").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Appliquer les filtres").click()

    assert urlsplit(page.url).path == "/fr/search"
    assert results_total(page) == expected
    chip = page.locator(".chips a.chip:not(.chip-clear)")
    expect(chip).to_have_count(1)
    assert chip.inner_text().startswith("Ville\u202f: " + city)
    expect(page.locator("#search-q, input[name=q]").first).to_have_value("ville")
