"""A person of each role signs in, sees their menu, switches language and signs out."""
from __future__ import annotations

import pytest

from people.models import Role
from tests import factories
from tests.browser.conftest import sign_in

ROLE_MENUS = {
    Role.ADMIN: ["招待", "事務局"],
    Role.FACILITATOR: [],
    Role.COORDINATOR: ["招待"],
    Role.PARTICIPANT: [],
    Role.ALUMNUS: [],
}


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_signs_in_and_out(app, page, role: Role) -> None:
    with app.app_context():
        person = factories.user(role, email=f"{role.value}@example.jp", name=f"試験 {role.value}",
                                city_code=factories.YOKOHAMA)
    sign_in(page, person.email, factories.PASSWORD)
    assert page.url.endswith("/")
    assert page.locator("h1").inner_text().startswith("こんにちは")
    nav = page.locator("#site-nav").inner_text()
    for label in ROLE_MENUS[role]:
        assert label in nav
    if role is not Role.ADMIN:
        assert "事務局" not in nav  # no secretariat menu
    page.get_by_role("button", name="ログアウト").click()
    page.wait_for_url("**/login")
    page.get_by_role("heading", name="ログイン").wait_for()  # waits for the page, unlike is_visible()
def test_wrong_password_keeps_email_and_switches_language(app, page) -> None:
    with app.app_context():
        factories.user(email="lang@example.jp")
    sign_in(page, "lang@example.jp", "wrong password")
    assert page.locator("#email").input_value() == "lang@example.jp"
    assert "正しくありません" in page.locator(".errors").inner_text()
    page.get_by_role("link", name="English").click()
    page.get_by_role("heading", name="Sign in").wait_for()  # waits for the page, unlike is_visible()
    sign_in(page, "lang@example.jp", factories.PASSWORD)
    assert page.locator("h1").inner_text().startswith("Hello")


def test_pages_load_nothing_from_other_hosts(app, page, live_server) -> None:
    """Every request a signed-in page makes goes to 127.0.0.1 (the guard fails the test otherwise)."""
    with app.app_context():
        admin = factories.admin(email="net@example.jp")
    requested: list[str] = []
    page.on("request", lambda req: requested.append(req.url))
    sign_in(page, admin.email, factories.PASSWORD)
    for path in ("/", "/account", "/invitations", "/admin/people", "/admin/cities"):
        page.goto(path)
    assert requested and all(url.startswith(live_server.url) for url in requested)
