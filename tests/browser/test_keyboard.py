"""A keyboard-only journey: skip link, search box, facet checkboxes, visible focus."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import PRACTICE_SLUG, LiveServer, results_total, tab_until
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def active_element(page: Page, expression: str) -> str:
    value: str = page.evaluate(
        f"(() => {{ const el = document.activeElement; return {expression}; }})()"
    )
    return value


def test_the_skip_link_is_the_first_tab_stop(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server("/fr/"))
    page.keyboard.press("Tab")

    assert active_element(page, "el.className") == "skip-link"
    assert active_element(page, "el.getAttribute('href')") == "#main"
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_in_viewport()
    expect(skip_link).to_have_text("Aller au contenu principal")


def test_activating_the_skip_link_moves_focus_to_the_main_content(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server("/fr/"))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.locator("#main")).to_be_focused()
    assert urlsplit(page.url).fragment == "main"
    # The next Tab continues inside main, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_tab_reaches_the_search_box_and_enter_searches(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server("/fr/"))
    tab_until(page, "el.id === 'q'")
    page.keyboard.type("haine")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert urlsplit(page.url).path == "/fr/search"
    assert parse_qs(urlsplit(page.url).query)["q"] == ["haine"]
    assert results_total(page) > 0


def test_tab_reaches_a_facet_checkbox_and_space_ticks_it(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server("/fr/search?q=haine"))
    before = results_total(page)
    tab_until(page, "el.type === 'checkbox' && el.name === 'country'")
    value = active_element(page, "el.value")

    with page.expect_navigation():  # kb.js submits the filters when a box changes
        page.keyboard.press("Space")

    assert parse_qs(urlsplit(page.url).query)["country"] == [value]
    expect(page.locator(f"input[type=checkbox][name=country][value='{value}']")).to_be_checked()
    assert results_total(page) < before
    expect(page.locator(".chips a.chip:not(.chip-clear)")).to_have_count(1)


@pytest.mark.parametrize(
    "path", ["/fr/", "/fr/search?q=haine", f"/fr/practices/{PRACTICE_SLUG}"], ids=str
)
def test_every_tab_stop_shows_a_visible_focus_outline(
    page: Page, live_server: LiveServer, path: str
) -> None:
    page.goto(live_server(path))
    # The controls a keyboard user should reach, in page order; each focus is then recorded
    # by the page itself (fewer round trips than asking after every Tab).
    expected = page.evaluate(
        """() => {
          const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
            + ' [tabindex]:not([tabindex="-1"])';
          window.__focused = [];
          document.addEventListener('focusin', e => {
            const s = getComputedStyle(e.target);
            window.__focused.push({el: e.target.outerHTML.slice(0, 80), style: s.outlineStyle,
                                   width: s.outlineWidth});
          });
          return [...document.querySelectorAll(selector)]
            .filter(el => el.checkVisibility() && !el.disabled).length;
        }"""
    )
    for _ in range(expected):
        page.keyboard.press("Tab")
    focused = page.evaluate("window.__focused")

    assert expected > 10
    assert len(focused) == expected, "some controls are not reachable with Tab"
    invisible = [f for f in focused if f["style"] == "none" or f["width"] in ("0px", "")]
    assert invisible == [], f"{len(invisible)} of {expected} tab stops have no visible outline"
