"""Every page type runs clean under the real Content-Security-Policy: no console error, no
uncaught exception, no CSP violation."""

from __future__ import annotations

import pytest
from browser_support import PAGES, LiveServer, csp_violations, watch
from playwright.sync_api import Page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_loads_without_console_errors_or_csp_violations(
    page: Page, live_server: LiveServer, path: str
) -> None:
    problems = watch(page)
    response = page.goto(live_server(path))
    assert response is not None

    errors = problems.console_errors
    if path == PAGES["not-found"]:
        # The 404 page is meant to answer 404; Chromium logs that status for the document itself.
        assert response.status == 404
        errors = [e for e in errors if "status of 404" not in e or path not in e]
    else:
        assert response.status == 200
    assert errors == []
    assert problems.page_errors == []
    assert csp_violations(page) == []
