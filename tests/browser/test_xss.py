"""The XSS corpus in every user-writable field, each page opened in Chromium with script traps.

Any call to alert/confirm/prompt/print or a write to window.__xss fails the test, and so does any
console error (a CSP violation is reported there: an inline script reached the page).
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest

import tests.web
from tests import factories
from tests.browser.conftest import sign_in
from tests.security.payloads import ALL, TRAP
from tests.security.xss import XssTarget


def _targets() -> list[XssTarget]:
    found: list[XssTarget] = []
    base = Path(tests.web.__file__).parent
    for info in pkgutil.iter_modules([str(base)]):
        if info.ispkg and (base / info.name / "xss.py").exists():
            found.extend(importlib.import_module(f"tests.web.{info.name}.xss").TARGETS)
    return found


TARGETS = _targets()


def test_corpus_is_large_enough() -> None:
    assert len(ALL) >= 80 and len(set(ALL)) == len(ALL)


@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_no_payload_runs(app, page, target: XssTarget) -> None:
    with app.app_context():
        from core.extensions import db

        planted = target.plant(list(ALL))
        db.session.commit()
        email = planted.viewer.email
    page.renkei_guard.allow_missing_resources = True  # e.g. ![x](x) is a harmless relative image
    page.add_init_script(TRAP)
    sign_in(page, email, factories.PASSWORD)
    for path in planted.paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        body: Any = page.locator("body")
        body.hover()
        assert page.evaluate("window.__xss_hits || []") == [], f"script ran on {path}"
