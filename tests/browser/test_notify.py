"""A person sees the bell's unread count, opens the list, marks notices read and the count goes away."""
from __future__ import annotations

import re

from tests import factories
from tests.browser.conftest import sign_in
from tests.factories_notify import publish_event


def test_bell_count_list_and_mark_read(app, page) -> None:
    with app.app_context():
        person = factories.participant(email="bell@example.jp", name="鈴木 ベル")
        facilitator = factories.facilitator(name="進行 係")
        publish_event("page.comment", [person], actor=facilitator, target=("page", 1),
                      params={"title": "チーム1 ワークスペース"})
        publish_event("assignment.posted", [person], target=("assignment", 2), params={"title": "課題2"})
        publish_event("page.mention", [person], actor=facilitator, target=("page", 1),
                      params={"title": "防災ノート"})
    sign_in(page, person.email, factories.PASSWORD)
    bell = page.get_by_role("link", name=re.compile(r"^お知らせ\s*（未読\s*3\s*件）$"))
    assert bell.locator("[data-unread-number]").inner_text() == "3"

    bell.click()
    page.wait_for_url("**/notifications")
    page.get_by_role("heading", name="お知らせ").wait_for()  # waits for the page, unlike is_visible()
    items = page.locator(".notify-item")
    assert items.count() == 3
    assert "進行 係さんが「防災ノート」であなたに言及しました" in items.nth(0).inner_text()

    items.nth(0).get_by_role("button", name="既読にする").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("a.notify-bell [data-unread-number]").inner_text() == "2"
    assert page.locator(".notify-item.is-unread").count() == 2

    page.get_by_role("button", name="新しい課題「課題2」が出されました").click()  # opens it: read, then its page
    page.wait_for_load_state("networkidle")
    page.goto("/notifications")
    page.get_by_role("link", name=re.compile(r"^お知らせ\s*（未読\s*1\s*件）$")).wait_for()  # waits for the page, unlike is_visible()
    page.get_by_role("button", name="すべて既読にする").click()
    page.wait_for_load_state("networkidle")
    assert "1件のお知らせを既読にしました。" in page.locator(".flashes").inner_text()
    assert page.locator("a.notify-bell .notify-count").is_hidden()
    page.get_by_role("link", name="お知らせ", exact=True).wait_for()  # waits for the page, unlike is_visible()
    assert page.locator(".notify-item.is-unread").count() == 0


def test_preferences_in_english(app, page) -> None:
    with app.app_context():
        person = factories.participant(email="prefs@example.jp", locale="en")
    sign_in(page, person.email, factories.PASSWORD)
    page.goto("/notifications/preferences?lang=en")
    page.get_by_label("A page gets a comment").select_option("weekly")
    page.get_by_role("button", name="Save settings").click()
    page.wait_for_load_state("networkidle")
    assert "Your notification settings are saved." in page.locator(".flashes").inner_text()
    assert page.get_by_label("A page gets a comment").input_value() == "weekly"
