"""Browser journeys in Debian's Chromium through Playwright (never a downloaded browser).

Skipped with a reason when Chromium or Playwright is missing, unless REQUIRE_BROWSER=1 (CI), where
that is a failure. Every page is watched: a request to any host but 127.0.0.1 fails the test, and so
does any script error or CSP violation reported in the console.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REQUIRE = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--disable-default-apps", "--disable-extensions"]


def _unavailable() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _unavailable()
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if reason and not REQUIRE:
                item.add_marker(pytest.mark.skip(reason=reason))


class LiveServer:
    def __init__(self, app: Flask) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(app: Flask, database_url: str, instance_dir: Any) -> Iterator[LiveServer]:
    """A real server on 127.0.0.1 over the test database, with CSRF on (forms carry their tokens)."""
    from tests.conftest import make_app

    served = make_app(database_url, instance_dir, WTF_CSRF_ENABLED=True)
    with LiveServer(served) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _unavailable()
    if reason:
        pytest.fail(reason) if REQUIRE else pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageGuard:
    """What a page did that it must not: requests off this machine, script errors, CSP violations."""

    def __init__(self) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []
        # Tests that show user-typed relative image URLs (the XSS corpus) may expect 404s for them.
        self.allow_missing_resources = False

    def check(self) -> None:
        errors = [e for e in self.errors
                  if not (self.allow_missing_resources and e.startswith("Failed to load resource"))]
        assert self.external == [], f"requests outside 127.0.0.1: {self.external}"
        assert errors == [], f"console errors / CSP violations: {errors}"


def new_page(browser: Any, live_server: LiveServer, locale: str = "ja-JP") -> tuple[Any, Any, PageGuard]:
    context = browser.new_context(base_url=live_server.url, locale=locale, timezone_id="Asia/Tokyo",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    # Navigations may include an argon2 sign-in while both cores run three test processes (make test
    # runs the SQLite and PostgreSQL passes side by side): give them room before calling it a failure.
    context.set_default_navigation_timeout(30_000)
    guard = PageGuard()

    def _route(route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if host not in ("127.0.0.1",) and not route.request.url.startswith(("data:", "blob:", "about:")):
            guard.external.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", _route)
    page = context.new_page()
    page.renkei_guard = guard
    page.on("console", lambda msg: guard.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: guard.errors.append(str(exc)))
    return context, page, guard


@pytest.fixture()
def page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """A fresh browser context and page; fails the test on external requests or script errors."""
    context, pg, guard = new_page(browser, live_server)
    yield pg
    context.close()
    guard.check()


@pytest.fixture()
def open_page(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    """``open_page()`` makes another independent browser context (two people at once)."""
    opened: list[tuple[Any, PageGuard]] = []

    def _open(locale: str = "ja-JP") -> Any:
        context, pg, guard = new_page(browser, live_server, locale)
        opened.append((context, guard))
        return pg

    yield _open
    for context, guard in opened:
        context.close()
        guard.check()


def sign_in(page: Any, email: str, password: str) -> None:
    """Sign in through the real form (as a person would)."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
