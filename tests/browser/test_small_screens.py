"""On a phone, the long filter panel folds behind its heading so that the results come first;
without JavaScript every filter stays on the page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_support import PHONE, LiveServer, focus_outline, results_total, tab_until
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    return page


def test_on_a_phone_the_results_show_first_with_the_filters_folded(
    phone: Page, live_server: LiveServer
) -> None:
    phone.goto(live_server("/fr/search?q=haine&country=FR"))

    toggle = phone.get_by_role("button", name="Affiner")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(phone.locator("form.filters input[type=checkbox]").first).to_be_hidden()
    expect(phone.locator("#results-heading")).to_be_in_viewport()
    expect(phone.locator(".chips a.chip:not(.chip-clear)")).to_be_in_viewport()


def test_on_a_phone_the_filter_heading_unfolds_the_filters(
    phone: Page, live_server: LiveServer
) -> None:
    phone.goto(live_server("/fr/search?q=haine"))
    toggle = phone.get_by_role("button", name="Affiner")

    toggle.click()

    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(phone.locator("form.filters input[type=checkbox]").first).to_be_visible()
    expect(phone.get_by_role("button", name="Appliquer les filtres")).to_be_visible()


def test_on_a_phone_the_keyboard_unfolds_the_filters_and_ticks_one(
    phone: Page, live_server: LiveServer
) -> None:
    phone.goto(live_server("/fr/search?q=haine"))
    before = results_total(phone)
    tab_until(phone, "el.classList.contains('filters-toggle')")
    assert focus_outline(phone)["style"] != "none"
    phone.keyboard.press("Enter")
    tab_until(phone, "el.tagName === 'SUMMARY' && el.parentElement.dataset.facet === 'country'")
    phone.keyboard.press("Enter")
    tab_until(phone, "el.type === 'checkbox' && el.name === 'country'")
    phone.keyboard.press("Space")
    tab_until(phone, "el.classList.contains('apply-filters')")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")

    assert results_total(phone) < before
    expect(phone.locator(".chips a.chip:not(.chip-clear)")).to_have_count(1)


def test_on_a_phone_without_javascript_every_filter_is_shown(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    page.goto(live_server("/fr/search?q=haine"))

    expect(page.locator(".filters-toggle")).to_have_count(0)
    expect(page.locator("form.filters input[type=checkbox]").first).to_be_visible()
    expect(page.get_by_role("button", name="Appliquer les filtres")).to_be_visible()


def test_widening_the_window_unfolds_the_filters(phone: Page, live_server: LiveServer) -> None:
    phone.goto(live_server("/fr/search?q=haine"))
    expect(phone.locator(".filters-toggle")).to_have_count(1)

    phone.set_viewport_size({"width": 1280, "height": 900})

    expect(phone.locator(".filters-toggle")).to_have_count(0)
    expect(phone.locator("#filters-heading")).to_have_text("Affiner")
    expect(phone.locator("form.filters input[type=checkbox]").first).to_be_visible()
