"""A year in the browser: a facilitator (who is also on the secretariat) opens a cohort, enrols a
participant, schedules a session and posts an assignment; the participant submits a file; the
facilitator gives feedback, and the participant reads it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from core.dates import to_local_input, utcnow
from people.models import Role
from tests import factories
from tests.browser.conftest import sign_in


def test_cohort_session_assignment_submission_feedback(app, open_page, tmp_path: Path) -> None:
    with app.app_context():
        lead = factories.user(
            Role.ADMIN,
            Role.FACILITATOR,
            city_code=factories.YOKOHAMA,
            email="lead@example.jp",
            name="広域 連太郎",
        )
        factories.participant(
            factories.KAWASAKI, email="student@example.jp", name="川辺 結衣", name_kana="かわべ ゆい"
        )
        lead_id = lead.id
    staff = open_page()
    sign_in(staff, "lead@example.jp", factories.PASSWORD)

    # 1. Open the year's cohort and name the facilitator.
    staff.goto("/cohorts/new")
    staff.check(f"input[name=facilitators][value='{lead_id}']")
    staff.get_by_role("button", name="保存").click()
    staff.wait_for_load_state("networkidle")
    assert staff.locator("h1, .cohort-title").first.inner_text().startswith("令和8年度")
    cohort_url = staff.url
    staff.get_by_role("button", name="期を開始する").click()
    staff.wait_for_load_state("networkidle")
    assert "期を開始しました。" in staff.locator(".flashes").inner_text()

    # 2. Enrol the participant (an existing account joins at once).
    staff.goto(cohort_url + "/nominate")
    staff.select_option("select[name=city]", label="川崎市")
    staff.fill("textarea[name=nominees]", "student@example.jp, 川辺 結衣, かわべ ゆい")
    staff.get_by_role("button", name="推薦する").click()
    staff.wait_for_load_state("networkidle")
    assert "1名を推薦しました" in staff.locator(".flashes").inner_text()
    assert "川辺 結衣" in staff.locator("main").inner_text()

    # 3. Schedule a session (times typed in Japan time). Refused input is covered by the web tests:
    # a 400 page counts as a console error for the page guard.
    staff.goto(cohort_url + "/sessions/new")
    soon = to_local_input(utcnow() + timedelta(days=7))
    staff.fill("input[name=title]", "キックオフ・なぜ2040年なのか")
    staff.fill("input[name=starts_at]", soon[:11] + "14:00")
    staff.fill("input[name=ends_at]", soon[:11] + "17:00")
    staff.fill("input[name=venue]", "横浜市役所 会議室")
    staff.get_by_role("button", name="保存").click()
    staff.wait_for_load_state("networkidle")
    assert "第1回 キックオフ・なぜ2040年なのか" in staff.locator("h1").inner_text()
    assert "14:00" in staff.locator(".facts").inner_text()

    # 4. Post an assignment that takes PDF files.
    staff.goto(cohort_url + "/assignments/new")
    staff.fill("input[name=title]", "8市の将来推計を読む")
    staff.fill("textarea[name=instructions]", "関心のある分野を一つ選び、**A4一枚**にまとめてください。")
    staff.fill("input[name=due_at]", to_local_input(utcnow() + timedelta(days=5)))
    staff.get_by_role("button", name="保存").click()
    staff.wait_for_load_state("networkidle")
    assert "8市の将来推計を読む" in staff.locator("h1").inner_text()
    assignment_url = staff.url

    # 5. The participant finds it on their home page and submits a file.
    learner = open_page()
    sign_in(learner, "student@example.jp", factories.PASSWORD)
    assert "8市の将来推計を読む" in learner.locator(".panels").inner_text()
    learner.get_by_role("link", name="8市の将来推計を読む").first.click()
    learner.wait_for_load_state("networkidle")
    wrong = tmp_path / "メモ.txt"
    wrong.write_text("テキストは不可", encoding="utf-8")
    learner.set_input_files("input[name=files]", str(wrong))
    assert (
        "受け付けられない種類" in learner.locator(".file-problem").inner_text()
    )  # said at once, in the page
    # Three files each under the 10 MB limit but more than one request may carry (MAX_UPLOAD_MB, 25):
    # said at once, and the form is not sent (the server would refuse it whole, and the text with it).
    big = [{"name": f"資料{i}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * (9 << 20)}
           for i in range(3)]
    learner.fill("textarea[name=text]", "大きな資料の前に書いた文章。")
    learner.set_input_files("input[name=files]", big)
    assert "合計で24 MBまで" in learner.locator(".file-problem").inner_text()
    before = learner.url
    learner.get_by_role("button", name="提出する").click()
    learner.wait_for_timeout(300)
    assert learner.url == before and learner.input_value("textarea[name=text]") == "大きな資料の前に書いた文章。"
    report = tmp_path / "将来推計メモ.pdf"
    report.write_bytes(b"%PDF-1.4\n% demo\n")
    learner.set_input_files("input[name=files]", str(report))
    learner.fill("textarea[name=text]", "高齢化の進み方は市によって違います。")
    learner.get_by_role("button", name="提出する").click()
    learner.wait_for_load_state("networkidle")
    assert "第1版を提出しました。" in learner.locator(".flashes").inner_text()
    assert "将来推計メモ.pdf" in learner.locator("main").inner_text()

    # 6. The facilitator reads it and asks for a revision.
    staff.goto(assignment_url)
    staff.get_by_role("link", name="川辺 結衣").click()
    staff.wait_for_load_state("networkidle")
    with staff.expect_download() as download:
        staff.get_by_role("link", name="将来推計メモ.pdf").click()
    assert download.value.suggested_filename == "将来推計メモ.pdf"
    staff.select_option("select[name=status]", label="要修正")
    staff.fill("textarea[name=body]", "図表の出典を追記してください。")
    staff.get_by_role("button", name="フィードバックを送る").click()
    staff.wait_for_load_state("networkidle")
    assert "フィードバックを送りました。" in staff.locator(".flashes").inner_text()

    # 7. The participant sees the feedback.
    learner.goto("/")
    assert "届いたフィードバック" in learner.locator(".panels").inner_text()
    learner.get_by_role("link", name="8市の将来推計を読む").last.click()
    learner.wait_for_load_state("networkidle")
    assert "図表の出典を追記してください。" in learner.locator("main").inner_text()
    assert "要修正" in learner.locator("h1").inner_text()
