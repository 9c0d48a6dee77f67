"""Real-browser fixtures: the app in a real WSGI server (waitress), Debian's Chromium driven by
Playwright for Python, and axe-core fetched from npm.

Every test here is skipped, with the reason, when Playwright or Chromium is missing (`.ci/run`
installs the `chromium` and `chromium-driver` Debian packages; Playwright comes with the `test`
extra). Playwright's own browser downloads are never used: Chromium is `/usr/bin/chromium`.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from kb import create_app, db
from kb.search.service import reset
from tests.screenshot_report import PROPERTY

if TYPE_CHECKING:
    from browser_support import LiveServer
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

# Playwright and Chromium are imported only inside the fixtures: browser_support.py, which every
# test module here imports first, skips the modules (with the reason) when either is missing.

ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = ROOT / "content"

# axe-core comes from the npm registry, pinned, into a git-ignored cache next to this file.
AXE_VERSION = "4.14.1"
AXE_CACHE = Path(__file__).resolve().parent / ".axe"


# --- the app in a real WSGI server -------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A fresh instance with the seed content, served by waitress on a free local port."""
    import waitress
    from browser_support import LiveServer
    from waitress import wasyncore

    base = tmp_path_factory.mktemp("browser-instance")
    app = create_app(
        {
            "KB_INSTANCE_DIR": str(base / "instance"),
            "KB_DATABASE_URL": f"sqlite:///{base / 'kb.sqlite3'}",
            "KB_INDEX_DIR": str(base / "index"),
            "KB_CONTENT_DIR": str(CONTENT_DIR),
            "KB_LOG_LEVEL": "WARNING",
            # Every journey signs in from 127.0.0.1 against this one server: the default
            # per-address limit (10 a minute) would turn a fast run into 429 pages. The limits
            # themselves are specified in tests/accounts/test_accounts.py.
            "KB_RATELIMIT_LOGIN": "1000 per minute",
        }
    )
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["import"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output

    server: Any = waitress.create_server(app, host="127.0.0.1", port=0, threads=4, ident="kb")
    thread = threading.Thread(target=server.run, name="kb-waitress", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.effective_port}", app)
    finally:
        # Quieten waitress while it closes the browser's keep-alive connections under its loop.
        logging.getLogger("waitress").setLevel(logging.CRITICAL)
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)
        thread.join(timeout=10)
        reset(app)  # close the index's segment files before the session ends
        db.get_engine(app).dispose()


# --- Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    from browser_support import CHROMIUM, CHROMIUM_ARGS

    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def shared_context(browser: Browser) -> Iterator[BrowserContext]:
    """One ordinary context (JavaScript on, real CSP) shared by the tests' pages, for speed."""
    from browser_support import open_context

    context = open_context(browser)
    yield context
    context.close()


@pytest.fixture
def page(shared_context: BrowserContext) -> Iterator[Page]:
    """A fresh tab of the shared context, with no cookie left by an earlier test."""
    shared_context.clear_cookies()
    page = shared_context.new_page()
    yield page
    page.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Open contexts with other options (as Browser.new_context); closed after the test."""
    from browser_support import open_context

    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        contexts.append(open_context(browser, **options))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


# --- axe-core ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_script() -> Path:
    """axe.min.js of the pinned axe-core npm package, installed once into tests/browser/.axe/."""
    script = AXE_CACHE / "node_modules" / "axe-core" / "axe.min.js"
    manifest = script.with_name("package.json")
    if script.exists() and manifest.exists():
        if json.loads(manifest.read_text(encoding="utf-8")).get("version") == AXE_VERSION:
            return script
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm not found: cannot install axe-core {AXE_VERSION} for the axe checks")
    AXE_CACHE.mkdir(exist_ok=True)
    command = [
        npm,
        "install",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--loglevel=error",
        "--prefix",
        str(AXE_CACHE),
        f"axe-core@{AXE_VERSION}",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env={**os.environ, "CI": "true"}
    )
    if done.returncode != 0 or not script.exists():
        pytest.fail(
            f"`{' '.join(command)}` failed ({done.returncode}):\n{done.stdout}\n{done.stderr}",
            pytrace=False,
        )
    return script


# --- screenshots -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where the layout tests leave their screenshots for a human to look at: a fixed folder
    (KB_SCREENSHOT_DIR, default <tmp>/kb-browser-screenshots), not pytest's tmp_path, which
    other pytest runs on the machine prune."""
    folder = Path(
        os.environ.get("KB_SCREENSHOT_DIR")
        or Path(tempfile.gettempdir()) / "kb-browser-screenshots"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def record_screenshot(request: pytest.FixtureRequest) -> Callable[[Path], None]:
    """Remember a screenshot's path for the end-of-run summary."""

    def record(path: Path) -> None:
        print(f"screenshot: {path}")
        # Listed by tests/screenshot_report.py, also from a pytest-xdist worker.
        request.node.user_properties.append((PROPERTY, str(path)))

    return record


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks (--dist loadgroup)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The browser tests share one server, one Chromium and one axe-core install: one process."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("browser"))
