"""Accessibility: axe-core (vendored, run in Chromium) finds no serious or critical violation on the
main pages, for each role that sees them. Areas add their main pages to ``PAGES`` in
tests/web/<area>/a11y.py (a list of (role, path-or-callable) pairs)."""
from __future__ import annotations

import importlib
import json
import pkgutil
from pathlib import Path

import pytest

import tests.web
from tests import factories
from tests.access import ADMIN, ANONYMOUS, World
from tests.browser.conftest import sign_in
from tests.web.test_access_matrix import build_world

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()

BASE_PAGES: list[tuple[str, str]] = [
    (ANONYMOUS, "/login"),
    (ANONYMOUS, "/password/forgot"),
    (ADMIN, "/"),
    (ADMIN, "/account"),
    (ADMIN, "/invitations"),
    (ADMIN, "/admin/people"),
]


def _pages() -> list[tuple[str, object]]:
    pages: list[tuple[str, object]] = list(BASE_PAGES)
    base = Path(tests.web.__file__).parent
    for info in pkgutil.iter_modules([str(base)]):
        if info.ispkg and (base / info.name / "a11y.py").exists():
            pages.extend(importlib.import_module(f"tests.web.{info.name}.a11y").PAGES)
    return pages


PAGES = _pages()


def _check(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.evaluate(AXE)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [json.dumps(v, ensure_ascii=False) for v in result]


def test_main_pages_have_no_serious_violations(app, browser, live_server) -> None:
    with app.app_context():
        world: World = build_world()
    problems: dict[str, list[str]] = {}
    by_role: dict[str, list[str]] = {}
    for role, path in PAGES:
        by_role.setdefault(role, []).append(path(world) if callable(path) else path)  # type: ignore[operator]
    for role, paths in by_role.items():
        context = browser.new_context(base_url=live_server.url, locale="ja-JP", bypass_csp=True)
        page = context.new_page()
        if role != ANONYMOUS:
            sign_in(page, world.users[role].email, factories.PASSWORD)
        for path in paths:
            page.goto(path)
            found = _check(page)
            if found:
                problems[f"{role} {path}"] = found
        context.close()
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_pages_declare_their_language(app, browser, live_server, lang: str) -> None:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto(f"/login?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    context.close()
