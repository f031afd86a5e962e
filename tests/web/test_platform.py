"""Cross-cutting web behaviour: headers, CSRF, rate limits, errors, health, i18n, demo data."""
from __future__ import annotations

import re

import pytest

from tests import factories
from tests.conftest import make_app


def test_security_headers_and_csp_nonce(app, client) -> None:
    r = client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    nonce_a = re.search(r"nonce-([^']+)", csp).group(1)
    nonce_b = re.search(r"nonce-([^']+)", client.get("/login").headers["Content-Security-Policy"]).group(1)
    assert nonce_a != nonce_b


def test_templates_have_no_inline_scripts_styles_or_handlers() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*nonce=)", text) or re.search(r"\sstyle=", text) or \
                re.search(r"\son[a-z]+=", text):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_nothing_is_loaded_from_another_host() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"""(src|href)=["'](https?:)?//(?!127\.0\.0\.1|localhost)""")
    found = [str(p) for d in ("templates", "static") for p in (root / d).rglob("*")
             if p.is_file() and p.suffix in {".html", ".css", ".js"} and pattern.search(p.read_text())]
    assert found == []


def test_session_cookie_flags(app, client) -> None:
    with app.app_context():
        factories.user(email="c@example.jp")
    r = client.post("/login", data={"email": "c@example.jp", "password": factories.PASSWORD})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_is_enforced(database_url, instance_dir) -> None:
    strict = make_app(database_url, instance_dir, WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    r = client.post("/login", data={"email": "a@example.jp", "password": "x"})
    assert r.status_code == 400
    assert "送信を受け付けられませんでした" in r.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"email": "a@example.jp", "password": "x", "csrf_token": token})
    assert r.status_code == 200  # accepted, then refused for the wrong password


def test_login_is_rate_limited(database_url, instance_dir) -> None:
    from core.extensions import limiter

    # Flask-Limiter keeps "enabled" on its one module-level object (one app per process in real
    # life); put it back afterwards, or every later test in this process would be rate limited.
    was_enabled = limiter.enabled
    try:
        limited = make_app(database_url, instance_dir, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
        client = limited.test_client()
        codes = [client.post("/login", data={"email": "a@example.jp", "password": "x"}).status_code
                 for _ in range(11)]
        assert codes[:10] == [200] * 10 and codes[10] == 429
        assert "操作が多すぎます" in client.post("/login", data={}).get_data(as_text=True)
    finally:
        limiter.enabled = was_enabled


@pytest.mark.parametrize("lang,text", [("ja", "ページが見つかりません"), ("en", "Page not found")])
def test_error_pages_in_both_languages(client, lang: str, text: str) -> None:
    r = client.get(f"/no-such-page?lang={lang}")
    assert r.status_code == 404 and text in r.get_data(as_text=True)


def test_api_errors_are_json(client) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code in (401, 404) and r.is_json


def test_healthz_reports_database(client) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json["database"] == "ok" and r.json["status"] == "ok"


def test_accept_language_english_and_switch(client) -> None:
    assert "Sign in" in client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "ログイン" in client.get("/login").get_data(as_text=True)
    client.get("/login?lang=en")
    assert "Sign in" in client.get("/login").get_data(as_text=True)  # remembered in the session


def test_seed_demo_is_idempotent_and_prints_logins(app) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["sync"]).exit_code == 0
    first = runner.invoke(args=["seed-demo", "--first-time"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed-demo", "--first-time"])
    assert "already loaded" in second.output
    logins = runner.invoke(args=["demo-logins"]).output
    for role in ("admin", "facilitator", "coordinator", "participant", "alumnus"):
        assert role in logins
    assert "renkei-demo-2025" in logins


def test_translations_are_complete() -> None:
    from tools.i18n import clashes, problems

    assert problems() == []
    assert clashes() == []  # one msgid, one English wording across all areas


def test_nul_bytes_in_forms_are_refused(client) -> None:
    r = client.post("/login", data={"email": "a\x00@example.jp", "password": "x"})
    assert r.status_code == 400
