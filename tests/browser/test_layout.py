"""Responsive layout: screenshots at a phone and a desktop width, no horizontal overflow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import DESKTOP, PHONE, PRACTICE_SLUG, LiveServer
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

VIEWPORTS = {"375": PHONE, "1280": DESKTOP}
SCREENS = {
    "home": "/fr/",
    "search": "/fr/search?q=haine",
    "practice": f"/fr/practices/{PRACTICE_SLUG}",
}


@pytest.mark.parametrize("width", VIEWPORTS.keys())
@pytest.mark.parametrize("name", SCREENS.keys())
def test_page_fits_the_screen_width_without_horizontal_overflow(
    page: Page,
    live_server: LiveServer,
    screenshot_dir: Path,
    record_screenshot: Callable[[Path], None],
    name: str,
    width: str,
) -> None:
    page.set_viewport_size(VIEWPORTS[width])
    page.goto(live_server(SCREENS[name]))

    shot = screenshot_dir / f"{name}-{width}.png"
    page.screenshot(path=str(shot), full_page=True)
    record_screenshot(shot)

    sizes = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, inner: window.innerWidth})"
    )
    assert sizes["scroll"] <= sizes["inner"], f"horizontal overflow at {width}px: {sizes}"
    wide = page.evaluate(
        """inner => [...document.querySelectorAll('body *')]
             .filter(el => el.getBoundingClientRect().right > inner + 0.5)
             .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
             .slice(0, 10)""",
        sizes["inner"],
    )
    assert wide == [], f"elements wider than the {width}px viewport: {wide}"
