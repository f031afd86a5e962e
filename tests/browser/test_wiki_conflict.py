"""Two people edit one page in two browsers; the second gets the conflict view and merges. Drafts survive
a reload and an expired session."""
from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests import factories_wiki as fw
from tests.browser.conftest import new_page, sign_in

TEXT = ("# 防災連携の提案\n\n## 背景\n\n8市は地震への備えを個別に進めている。\n\n"
        "## 取組内容\n\n避難所の情報を共有する。\n")


@pytest.fixture()
def team_page(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        a = factories.participant(factories.YOKOHAMA, name="横浜 一花", email="ichika@example.jp")
        b = factories.participant(factories.KAWASAKI, name="川崎 二葉", email="futaba@example.jp")
        team = fw.team(fw.cohort(), a, b, name="防災チーム")
        fw.page(fw.team_space(team), "骨子", TEXT, author=a)
        return f"/teams/{team.id}/wiki/骨子", a.email, b.email


# The conflict view answers 409 and a refused save 400, as every refused form does; Chromium reports
# those document responses on the console. Anything else on the console still fails the test.
EXPECTED = ("the server responded with a status of 409", "the server responded with a status of 400")


@pytest.fixture()
def browsers(browser, live_server):  # type: ignore[no-untyped-def]
    """``browsers()`` opens another independent browser context (another person)."""
    opened = []

    def _open() -> Any:
        context, pg, guard = new_page(browser, live_server)
        opened.append((context, guard))
        return pg

    yield _open
    for context, guard in opened:
        context.close()
        guard.errors = [e for e in guard.errors if not any(x in e for x in EXPECTED)]
        guard.check()


def _editor(page: Any, path: str) -> Any:
    page.on("dialog", lambda dialog: dialog.accept())  # "leave this page?" while a draft is open
    page.goto(path + "/edit")
    return page.locator("textarea[name=text]")


def test_second_editor_gets_the_conflict_view_and_merges(team_page, browsers) -> None:
    path, first, second = team_page
    ichika, futaba = browsers(), browsers()
    sign_in(ichika, first, factories.PASSWORD)
    sign_in(futaba, second, factories.PASSWORD)
    mine, theirs = _editor(ichika, path), _editor(futaba, path)  # both start from revision 1

    mine.fill(TEXT.replace("避難所の情報を共有する。", "避難所の空き状況を地図で公開する。"))
    ichika.get_by_role("button", name="保存", exact=True).click()
    ichika.get_by_text("保存しました。").wait_for()  # waits for the page, unlike is_visible()
    typed = TEXT.replace("避難所の情報を共有する。", "福祉避難所の受け入れを市どうしで調整する。")
    theirs.fill(typed)
    futaba.get_by_role("button", name="保存", exact=True).click()
    futaba.get_by_role("heading", name="編集が重なりました").wait_for()  # waits for the page, unlike is_visible()
    assert "横浜 一花さん" in futaba.locator(".wiki-conflict").inner_text()
    assert futaba.locator("#conflict-yours").input_value() == typed  # nothing typed is lost
    assert "避難所の空き状況を地図で公開する。" in futaba.locator("#conflict-theirs").input_value()
    merged = futaba.locator("textarea[name=text]").input_value()
    assert "<<<<<<<" in merged and "福祉避難所" in merged and "地図で公開" in merged

    # saving with the markers still there is refused, with the reason at the field
    futaba.get_by_role("button", name="保存", exact=True).click()
    assert "印の行を消してから保存してください" in futaba.locator(".errors").inner_text()

    # start from my own text, keep both sentences, save
    futaba.get_by_role("button", name="この文章で編集欄を置き換える").first.click()
    resolved = typed.replace("福祉避難所の受け入れを市どうしで調整する。",
                             "避難所の空き状況を地図で公開する。\n福祉避難所の受け入れを市どうしで調整する。")
    futaba.locator("textarea[name=text]").fill(resolved)
    futaba.get_by_role("button", name="保存", exact=True).click()
    futaba.get_by_text("保存しました。").wait_for()  # waits for the page, unlike is_visible()
    article = futaba.locator("article").inner_text()
    assert "避難所の空き状況を地図で公開する。" in article and "福祉避難所の受け入れを市どうしで調整する。" in article

    ichika.goto(path + "/history")
    assert ichika.locator("table.wiki-history tbody tr").count() == 3
    assert "川崎 二葉" in ichika.locator("table.wiki-history tbody tr").first.inner_text()


def test_edits_in_different_places_merge_without_asking(team_page, browsers) -> None:
    path, first, second = team_page
    ichika, futaba = browsers(), browsers()
    sign_in(ichika, first, factories.PASSWORD)
    sign_in(futaba, second, factories.PASSWORD)
    mine, theirs = _editor(ichika, path), _editor(futaba, path)
    mine.fill(TEXT.replace("個別に進めている。", "個別に進めてきた。"))
    ichika.get_by_role("button", name="保存", exact=True).click()
    theirs.fill(TEXT.replace("情報を共有する。", "情報を共有し、合同で訓練する。"))
    futaba.get_by_role("button", name="保存", exact=True).click()
    futaba.get_by_text("自動で統合して保存しました").wait_for()  # waits for the page, unlike is_visible()
    article = futaba.locator("article").inner_text()
    assert "個別に進めてきた。" in article and "合同で訓練する。" in article


def test_a_draft_survives_reloading_the_page(team_page, browsers) -> None:
    path, first, _ = team_page
    page = browsers()
    sign_in(page, first, factories.PASSWORD)
    editor = _editor(page, path)
    editor.fill(TEXT + "\n## 効果\n\n書きかけの段落（まだ保存していない）。\n")
    page.wait_for_timeout(700)  # the draft is written shortly after typing stops
    page.reload()
    editor = page.locator("textarea[name=text]")
    assert "書きかけの段落（まだ保存していない）。" in editor.input_value()
    page.get_by_text("書きかけの内容を復元しました").wait_for()  # waits for the page, unlike is_visible()
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("保存しました。").wait_for()  # waits for the page, unlike is_visible()
    page.goto(path + "/edit")
    assert not page.get_by_text("書きかけの内容を復元しました").is_visible()  # cleared after the save


def test_a_draft_survives_an_expired_session(team_page, browsers) -> None:
    path, first, _ = team_page
    page = browsers()
    sign_in(page, first, factories.PASSWORD)
    editor = _editor(page, path)
    editor.fill(TEXT + "\n長い打合せのあとで書いた段落。\n")
    # The bell's unread count is fetched after the page loads; its answer renews the session cookie.
    # Clearing cookies while it is still on its way would let it bring the session back (a busy
    # machine made that happen): the session must really be gone.
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()  # the session ran out while typing
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(lambda url: "/login?next=" in url)
    page.fill("input[name=email]", first)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(lambda url: url.endswith("/edit"))
    assert "長い打合せのあとで書いた段落。" in page.locator("textarea[name=text]").input_value()
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("保存しました。").wait_for()  # waits for the page, unlike is_visible()
    assert "長い打合せのあとで書いた段落。" in page.locator("article").inner_text()


def test_discarding_a_restored_draft_brings_back_the_saved_text(team_page, browsers) -> None:
    path, first, _ = team_page
    page = browsers()
    sign_in(page, first, factories.PASSWORD)
    _editor(page, path).fill("やっぱり使わない下書き")
    page.wait_for_timeout(700)
    page.reload()
    page.get_by_role("button", name="復元をやめて、保存されている内容に戻す").click()
    assert page.locator("textarea[name=text]").input_value().startswith("# 防災連携の提案")
