"""A full review round in Chromium: submit, open and publish a round, review (input kept on error),
release, answer and rate, revise, and export the DOCX (opened back with python-docx)."""
from __future__ import annotations

import io

import docx

from tests import factories
from tests import factories_proposals as fp
from tests import factories_wiki as fw
from tests.browser.conftest import sign_in


def _accept_dialogs(page) -> None:  # type: ignore[no-untyped-def]
    page.on("dialog", lambda dialog: dialog.accept())


def test_a_full_round(app, open_page) -> None:
    with app.app_context():
        facilitator = factories.facilitator(name="進行 役子", email="fac@example.jp")
        cohort = fw.cohort(facilitators=(facilitator,))
        author = factories.participant(factories.YOKOHAMA, name="提案 一子", email="author@example.jp")
        mate = factories.participant(factories.KAWASAKI, name="提案 二郎", email="mate@example.jp")
        reviewer = factories.participant(factories.FUJISAWA, name="査読 三子", email="reviewer@example.jp")
        team = fw.team(cohort, author, mate, name="チーム青葉")
        other = fw.team(cohort, reviewer, name="チーム湘南")
        proposal = fp.proposal(team, author=author)
        fp.proposal(other, author=reviewer, submit=True, title="海と丘をつなぐ周遊ルート")
        pid, cid = proposal.id, cohort.id

    # 1. The team submits its proposal.
    a = open_page()
    _accept_dialogs(a)
    sign_in(a, "author@example.jp", factories.PASSWORD)
    a.goto(f"/proposals/{pid}")
    a.get_by_role("button", name="提出する").click()
    a.wait_for_url(f"**/proposals/{pid}/snapshots/1")
    assert "第1版として提出しました" in a.locator(".flashes").inner_text()

    # 2. The facilitator opens a round, checks the preview and publishes it.
    f = open_page()
    _accept_dialogs(f)
    sign_in(f, "fac@example.jp", factories.PASSWORD)
    f.goto(f"/cohorts/{cid}/review-rounds/new")
    f.fill("#title", "中間発表後の相互評価")
    f.fill("#deadline", "2099-01-10T17:00")
    f.fill("#reviews_per_proposal", "1")
    f.get_by_role("button", name="割り当てを作成（まだ公開されません）").click()
    assert "全提案書が目標数" in f.locator("main").inner_text()
    f.get_by_role("button", name="公開して査読者に知らせる").click()
    assert "ラウンドを公開しました" in f.locator(".flashes").inner_text()
    round_url = f.url

    # 3. The reviewer writes: an incomplete submit keeps everything typed; then a complete one.
    r = open_page()
    sign_in(r, "reviewer@example.jp", factories.PASSWORD)
    r.goto("/reviews")
    r.get_by_role("link", name="8市で支える防災人材バンク").click()
    r.locator(".score-option").first.click()
    r.fill("#overall", "2040年の課題設定が明確です。費用の見込みがあるとさらに良くなります。")
    r.get_by_role("button", name="提出する").click()
    assert "未入力の項目があるため提出できません" in r.locator(".flashes").inner_text()
    assert r.input_value("#overall").startswith("2040年の課題設定が明確です。")
    # The refused POST answers 400 (the convention for a form with errors); Chromium logs that status.
    refused = [e for e in r.renkei_guard.errors if "status of 400" in e]
    assert len(refused) == 1
    r.renkei_guard.errors.remove(refused[0])
    for fieldset in r.locator("fieldset.criterion").all():
        fieldset.locator(".score-option").nth(3).click()
    r.get_by_role("button", name="提出する").click()
    assert "査読を提出しました" in r.locator(".flashes").inner_text()

    # 4. Before release the authors see nothing; the facilitator releases.
    a.goto(f"/proposals/{pid}/reviews")
    assert "公開された査読結果はまだありません" in a.locator("main").inner_text()
    f.goto(round_url)
    f.get_by_role("button", name="査読結果を今すぐ公開").click()
    assert "公開しました" in f.locator(".flashes").inner_text()

    # 5. The authors revise a section (the counter follows), answer the review and rate it.
    a.goto(f"/proposals/{pid}/reviews")
    assert "費用の見込みがあるとさらに良くなります" in a.locator("main").inner_text()
    assert "査読 三子" not in a.content()
    a.goto(f"/proposals/{pid}/sections/effect")
    effect = "被災後72時間以内に専門職の8割を確保。訓練費は年間約200万円を8市で按分する。"
    a.fill("#text", effect)
    assert a.locator(".char-count").inner_text() == f"現在 {len(effect)}字"  # counted as typed (JS)
    a.fill("#comment", "査読を受けて費用を追記")
    a.get_by_role("button", name="保存").click()
    a.goto(f"/proposals/{pid}/reviews")
    a.fill("#text", "費用の見込みを効果の欄に追記しました。")
    a.locator("input[name=revisions]").first.check()
    a.get_by_role("button", name="返答を保存").click()
    assert "返答を保存しました" in a.locator(".flashes").inner_text()
    a.get_by_label("とても参考になった").check()
    a.get_by_role("button", name="評価する").click()
    assert "評価を記録しました" in a.locator(".flashes").inner_text()

    # 6. The revised version: a new snapshot with the difference shown.
    a.goto(f"/proposals/{pid}")
    a.get_by_role("button", name="修正版を提出する").click()
    a.wait_for_url(f"**/proposals/{pid}/snapshots/2")
    a.get_by_role("button", name="差分を表示").click()
    diff = a.locator("main").inner_text()
    assert "第1版と第2版の差分" in diff and "訓練費は年間約200万円" in diff

    # 7. The DOCX, opened back with python-docx.
    with a.expect_download() as download:
        a.get_by_role("link", name="Word（DOCX）で保存").first.click()
    document = docx.Document(io.BytesIO(open(download.value.path(), "rb").read()))
    text = "\n".join(p.text for p in document.paragraphs)
    for heading in ("取組概要", "目的", "取組内容", "新規性", "効果", "継続性", "全国展開の可能性", "関係者との連携体制"):
        assert heading in text
    assert "訓練費は年間約200万円を8市で按分する。" in text and "修正版（第2版）" in text
    assert document.core_properties.author == "8市連携スタディミーティング"
