"""axe-core in a real Chromium: zero WCAG 2.0/2.1 A and AA violations on every page type."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import PAGES, PHONE, LiveServer, axe_violations, describe, open_context
from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

@pytest.fixture(scope="module")
def axe_context(browser: Browser) -> Iterator[BrowserContext]:
    # bypass_csp for the axe check only: add_script_tag inlines axe.min.js, which the app's
    # `script-src 'self'` rightly blocks. Every other test runs under the real CSP.
    context = open_context(browser, bypass_csp=True)
    yield context
    context.close()


@pytest.fixture
def axe_page(axe_context: BrowserContext) -> Iterator[Page]:
    page = axe_context.new_page()
    yield page
    page.close()


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_has_no_wcag_a_or_aa_violations(
    axe_page: Page, live_server: LiveServer, axe_script: Path, path: str
) -> None:
    axe_page.goto(live_server(path))

    violations = axe_violations(axe_page, axe_script)

    assert violations == [], describe(violations)


@pytest.mark.parametrize("unfolded", [False, True], ids=["folded", "unfolded"])
def test_phone_search_page_has_no_wcag_a_or_aa_violations(
    axe_page: Page, live_server: LiveServer, axe_script: Path, unfolded: bool
) -> None:
    axe_page.set_viewport_size(PHONE)
    axe_page.goto(live_server("/fr/search?q=haine&country=FR"))
    if unfolded:
        axe_page.locator(".filters-toggle").click()

    violations = axe_violations(axe_page, axe_script)

    assert violations == [], describe(violations)
