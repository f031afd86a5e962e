"""An alumnus finds a colleague by typing romaji or kana; a person hides their department from others."""
from __future__ import annotations

from datetime import date

from core.extensions import db
from tests import factories
from tests import factories_directory as fd
from tests.browser.conftest import sign_in


def test_alumnus_finds_a_colleague_in_any_script(app, page) -> None:
    with app.app_context():
        me = factories.alumnus(factories.FUJISAWA, name="江ノ島 湊", name_kana="えのしま みなと",
                               email="enoshima@example.jp")
        colleague = factories.alumnus(factories.KAWASAKI, name="髙橋 一郎", name_kana="たかはし いちろう")
        fd.enrol(colleague, 2023)
        fd.affiliation(colleague, "危機管理部 防災課", "主任", valid_from=date(2025, 4, 1))
        fd.profile(colleague, interests="防災、広域避難")
        factories.alumnus(factories.KAWASAKI, name="加藤 太郎", name_kana="かとう たろう")
        colleague_id = colleague.id
    sign_in(page, me.email, factories.PASSWORD)
    page.get_by_role("link", name="名簿", exact=True).click()
    page.wait_for_url("**/directory")
    for typed in ("takahashi", "タカハシ", "たかはし いちろう", "高橋"):
        page.fill("input[name=q]", typed)
        page.get_by_role("button", name="検索").click()
        page.wait_for_load_state("networkidle")
        results = page.locator("ul.people > li")
        assert results.count() == 1, typed
        assert "髙橋 一郎" in results.first.inner_text() and "危機管理部 防災課" in results.first.inner_text()
    page.fill("input[name=q]", "さとう")
    page.get_by_role("button", name="検索").click()
    assert "見つかりませんでした" in page.locator("main").inner_text()  # かとう is not さとう
    page.fill("input[name=q]", "takahashi")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="髙橋 一郎").click()
    page.wait_for_url(f"**/directory/{colleague_id}")
    assert page.locator("#department").inner_text() == "危機管理部 防災課"
    assert "広域避難" in page.locator("main").inner_text()


def test_person_hides_their_department(app, open_page) -> None:
    with app.app_context():
        owner = factories.alumnus(factories.YOKOHAMA, name="秘密 守", name_kana="ひみつ まもる", email="owner@example.jp")
        fd.affiliation(owner, "総務局 秘匿課", "係長", valid_from=date(2025, 4, 1))
        other = factories.alumnus(factories.MACHIDA, name="町田 見る", email="other@example.jp")
        db.session.commit()
        owner_id = owner.id
    mine = open_page()
    sign_in(mine, "owner@example.jp", factories.PASSWORD)
    mine.goto("/me/profile")
    mine.select_option("select[name=vis_department]", "city")
    mine.get_by_role("button", name="プロフィールを保存").click()
    mine.wait_for_load_state("networkidle")
    assert "プロフィールを保存しました" in mine.locator(".flashes").inner_text()
    assert mine.locator("select[name=vis_department]").input_value() == "city"

    theirs = open_page()
    sign_in(theirs, other.email, factories.PASSWORD)
    theirs.goto(f"/directory/{owner_id}")
    text = theirs.locator("main").inner_text()
    assert "秘密 守" in text and "秘匿課" not in text and "公開範囲の設定により表示されていません" in text
    theirs.goto("/directory?q=秘匿課")
    assert theirs.locator("ul.people > li").count() == 0
    theirs.goto("/directory?q=ひみつ")
    assert theirs.locator("ul.people > li").count() == 1 and "秘匿課" not in theirs.locator("main").inner_text()

    mine.goto(f"/directory/{owner_id}")
    assert mine.locator("#department").inner_text() == "総務局 秘匿課"  # the owner still sees it
