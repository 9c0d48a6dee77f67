"""With JavaScript, a spotlight draft also saves itself every 30 s while someone types.

Time is driven by Playwright's clock (`page.clock`): the page's timers run on a fake clock that the
test moves forward, so the test proves the 30-second round without waiting 30 seconds and
without a test-only setting in the product. The save itself is a real POST to the real server.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from browser_support import LiveServer, make_user, sign_in
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser

ROUND_MS = 30_000


def a_saved_draft(page: Page, live_server: LiveServer) -> str:
    """A new spotlight saved once through the form (without JavaScript's help); its edit URL."""
    page.goto(live_server("/fr/moderation/proposals/new"))
    page.get_by_label("Titre en français").fill("Brouillon enregistré tout seul")
    page.get_by_label("Nom court pour l’adresse (slug)").fill("browser-autosave")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_label("Titre en français")).to_have_value("Brouillon enregistré tout seul")
    assert "/edit" in page.url, page.url
    return page.url


def is_autosave(url: str) -> Callable[..., bool]:
    return lambda response: response.request.method == "POST" and response.url == url


def test_a_draft_saves_itself_every_30_seconds_and_is_there_when_reopened(
    new_context: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    make_user(live_server, "autosave@example.org", "contributor")
    page = new_context().new_page()
    sign_in(page, live_server, "autosave@example.org")
    edit_url = a_saved_draft(page, live_server)

    page.clock.install()  # before the page's script starts its timer
    page.goto(edit_url)
    summary = page.get_by_label("Résumé en français")
    summary.fill("Tapé sans cliquer sur rien : le brouillon doit le garder.")

    # Nothing is sent before the round is due.
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    page.clock.run_for(ROUND_MS - 1_000)
    assert [url for url in sent if url == edit_url] == []

    with page.expect_response(is_autosave(edit_url)) as saved:
        page.clock.run_for(2_000)
    # Saved: the answer is the proposal's new version, which the form takes for its next save
    # (a stale tab is refused; this one is not).
    assert saved.value.status == 200, saved.value.status
    version = saved.value.json()["version"]
    expect(page.locator("form[data-autosave] input[name=version]")).to_have_value(version)

    # Unchanged since the last save: the next round sends nothing.
    page.clock.run_for(ROUND_MS)
    assert [url for url in sent if url == edit_url] == [edit_url]

    # Reopened in a fresh tab (no form state the browser could restore): the server has it.
    reopened = page.context.new_page()
    reopened.goto(edit_url)
    expect(reopened.get_by_label("Résumé en français")).to_have_value(
        "Tapé sans cliquer sur rien : le brouillon doit le garder."
    )
    expect(reopened.get_by_label("Titre en français")).to_have_value(
        "Brouillon enregistré tout seul"
    )
