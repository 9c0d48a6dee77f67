"""What the browser tests share: the requirement checks, the pages under test, and helpers that
read a page the way a reader sees it.

Every test module imports this first: when Playwright for Python or Debian's Chromium is missing,
the import skips the module with the reason (a skip raised by a conftest would abort the run).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright for Python is not installed (pip install -e '.[test]'): "
    "browser tests skipped",
)
if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} not found (apt-get install chromium chromium-driver): browser tests skipped",
        allow_module_level=True,
    )

from playwright.sync_api import (  # noqa: E402
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    expect,
)

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}

# Sample pages of every page type (seed content of content/).
PRACTICE_SLUG = "montreal-cprmv"
THEME_SLUG = "hate"
COUNTRY_CODE = "FR"
PAGES: dict[str, str] = {
    "home-fr": "/fr/",
    "home-en": "/en/",
    "search-with-facets": "/fr/search?q=haine",
    "search-empty": "/fr/search?q=xqzwvbnmkj",
    "facet-values": "/fr/search/filters/city?q=haine&country=FR",
    "practice-fr": f"/fr/practices/{PRACTICE_SLUG}",
    "practice-en": f"/en/practices/{PRACTICE_SLUG}",
    "theme": f"/fr/themes/{THEME_SLUG}",
    "country": f"/en/countries/{COUNTRY_CODE}",
    "about-fr": "/fr/about",
    "about-en": "/en/about",
    "legal-fr": "/fr/legal",
    "privacy-en": "/en/privacy",
    "accessibility-fr": "/fr/accessibility",
    "not-found": "/fr/practices/this-practice-does-not-exist",
    "login": "/fr/login",
    "password-reset": "/en/password/reset",
}


@dataclass(frozen=True)
class LiveServer:
    """The address of the app under test; `live_server("/fr/")` is a full URL."""

    url: str
    app: Any = field(default=None, compare=False, repr=False)  # the Flask app being served

    def __call__(self, path: str) -> str:
        return self.url + path


def results_total(page: Page) -> int:
    """The exact total announced in the results heading ("12 pratiques pour « haine »")."""
    text = page.locator("#results-heading").inner_text()
    match = re.search(r"\d+", text)
    assert match, f"no count in the results heading: {text!r}"
    return int(match.group())


def facet_count(option: Locator) -> int:
    """The count shown next to a facet value: "France (13)" → 13."""
    text = option.locator(".count").inner_text()
    match = re.search(r"\d+", text)
    assert match, f"no count in the facet option: {text!r}"
    return int(match.group())


def narrowing_facet_option(page: Page, facet: str = "country") -> Locator:
    """The first visible option of `facet` that would narrow the current results."""
    total = results_total(page)
    group = page.locator(f"details.facet-group[data-facet={facet}]")
    if group.count() and group.get_attribute("open") is None:
        group.locator("summary").first.click()  # facet groups fold; open this one
    options = page.locator(f"fieldset.facet .facet-option:has(input[name={facet}])")
    for i in range(options.count()):
        option = options.nth(i)
        if option.is_visible() and 0 < facet_count(option) < total:
            return option
    raise AssertionError(f"no {facet} option narrows the {total} results")


def tab_until(page: Page, condition: str, max_tabs: int = 60) -> int:
    """Press Tab until the JS expression `condition` (on `el`, the focused element) is true."""
    for presses in range(1, max_tabs + 1):
        page.keyboard.press("Tab")
        script = f"(() => {{ const el = document.activeElement; return !!({condition}); }})()"
        if page.evaluate(script):
            return presses
    raise AssertionError(f"{max_tabs} presses of Tab never focused an element where {condition}")


def focus_outline(page: Page) -> dict[str, str]:
    """Computed outline of the focused element."""
    outline: dict[str, str] = page.evaluate(
        """() => {
          const el = document.activeElement;
          const s = getComputedStyle(el);
          return {style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor,
                  tag: el.tagName.toLowerCase(), id: el.id || el.className,
                  text: (el.textContent || el.value || "").trim().slice(0, 40)};
        }"""
    )
    return outline


@dataclass
class PageProblems:
    """What a page reported while it ran: console errors, uncaught exceptions."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


# Collects Content-Security-Policy violations in the page itself (init scripts run through the
# DevTools protocol, so the page's CSP does not apply to this one).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
});
"""


def watch(page: Page) -> PageProblems:
    problems = PageProblems()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.console_errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.page_errors.append(str(error)))
    page.add_init_script(CSP_LISTENER)
    return problems


def csp_violations(page: Page) -> list[str]:
    violations: list[str] = page.evaluate("window.__cspViolations || []")
    return violations


def open_context(browser: Browser, **options: Any) -> BrowserContext:
    """A browser context with kb's test defaults (French browser, desktop width)."""
    options.setdefault("locale", "fr-FR")
    options.setdefault("viewport", DESKTOP)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    return context


# axe-core, run in a page: the accessibility tests and the journeys check every page they see.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def axe_violations(page: Page, axe_script: Path) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    violations: list[dict[str, Any]] = result["violations"]
    return violations


# People of the journeys: created with the CLI, signed in through the French form.
PASSWORD = "a long enough passphrase"


def make_user(live_server: LiveServer, email: str, role: str) -> None:
    result = live_server.app.test_cli_runner().invoke(
        args=[
            "user",
            "create",
            email,
            "--name",
            email.split("@")[0],
            "--role",
            role,
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output


def sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(live_server("/fr/login"))
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mon compte")).to_be_visible()
