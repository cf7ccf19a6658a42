"""Browser tests: the app served for real, driven by Playwright in Debian's chromium.

Fixtures
  live_server   the app served by waitress in a thread on a free port, on the
                worker's migrated SQLite database with CSRF on; `.url`, `.app`.
                Rows are deleted after each test that uses it.
  browser       (session) chromium launched by Playwright (PARCOURS_CHROMIUM overrides
                /usr/bin/chromium). Missing chromium fails the tests: CI installs it.
  browser_page  a fresh page in a fresh context (fr-FR, CSP bypassed so axe can be
                injected); closed after the test.
tests/support/axe.py has assert_accessible(page).
"""
import os
import threading
from dataclasses import dataclass

import pytest

from tests.support.database import clear_database, settings_for

CHROMIUM = os.environ.get("PARCOURS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@dataclass
class LiveServer:
    app: object
    url: str


@pytest.fixture(scope="session")
def _live_server(sqlite_database_url):
    from waitress import create_server

    from app import create_app

    app = create_app(settings_for(sqlite_database_url, WTF_CSRF_ENABLED=True))
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app=app, url=f"http://127.0.0.1:{server.effective_port}")
    server.close()
    server.task_dispatcher.shutdown()


@pytest.fixture
def live_server(_live_server):
    yield _live_server
    clear_database(_live_server.app)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: browser tests need Debian's chromium "
                    "(apt-get install chromium; `make test` installs it when run as root)",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def browser_page(browser):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
