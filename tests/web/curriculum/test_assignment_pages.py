"""Assignment pages: posting with field messages, submitting files, double clicks, feedback, downloads."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

from sqlalchemy import func, select

from core.dates import to_local_input, utcnow
from core.extensions import db
from curriculum.models import Assignment, CohortFacilitator, Submission, SubmissionStatus, SubmissionVersion
from tests import factories
from tests import factories_curriculum as fc


def _world():  # type: ignore[no-untyped-def]
    facilitator = factories.facilitator()
    cohort = fc.cohort(facilitators=(facilitator,))
    person = fc.participant_in(cohort, name="髙橋 美咲", name_kana="たかはし みさき")
    return cohort, facilitator, person


def test_due_before_publish_is_refused_at_the_field_and_kept(app, login) -> None:
    with app.app_context():
        cohort, facilitator, _ = _world()
    client = login(facilitator)
    assert re.search(
        r'<input checked[^>]*value="pdf"',
        client.get(f"/cohorts/{cohort.id}/assignments/new").get_data(as_text=True),
    )
    publish = to_local_input(utcnow() + timedelta(days=5))
    due = to_local_input(utcnow() + timedelta(days=2))
    data = {
        "title": "8市の将来推計を読む",
        "kind": "individual",
        "instructions": "**A4一枚**",
        "publish_at": publish,
        "due_at": due,
        "late_until": "",
        "allowed_types": ["pdf", "xlsx"],
        "max_mb": "5",
    }
    r = client.post(f"/cohorts/{cohort.id}/assignments/new", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 400
    assert re.search(r'id="due_at-error"><li>締切は公開日時より後にしてください。', body)
    assert (
        f'value="{due}"' in body
        and re.search(r'<input checked[^>]*value="xlsx"', body)
        and "**A4一枚**" in body
    )
    past = client.post(
        f"/cohorts/{cohort.id}/assignments/new",
        data={**data, "publish_at": "", "due_at": to_local_input(utcnow() - timedelta(days=1))},
    )
    assert past.status_code == 400 and re.search(
        r'id="due_at-error"><li>過去の日時は指定できません。', past.get_data(as_text=True)
    )
    too_big = client.post(
        f"/cohorts/{cohort.id}/assignments/new", data={**data, "publish_at": "", "max_mb": "50"}
    )
    assert too_big.status_code == 400 and "1〜20の数を入力してください。" in too_big.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Assignment.id))) == 0
    ok = client.post(f"/cohorts/{cohort.id}/assignments/new", data={**data, "publish_at": ""})
    assert ok.status_code == 302
    again = client.post(f"/cohorts/{cohort.id}/assignments/new", data={**data, "publish_at": ""})
    assert again.status_code == 400 and "同じ題名の課題が既にあります。" in again.get_data(as_text=True)


def test_a_file_too_big_or_of_the_wrong_type_keeps_the_text(app, login) -> None:
    with app.app_context():
        cohort, _, person = _world()
        row = fc.assignment(cohort, types="pdf", max_mb=1)
    client = login(person)
    page = client.get(f"/assignments/{row.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page and "使える種類：pdf" in page
    big = b"%PDF" + b"0" * (1024 * 1024 + 10)
    r = client.post(
        f"/assignments/{row.id}/submit",
        content_type="multipart/form-data",
        data={"text": "推計を読みました", "base_version": "0", "files": (io.BytesIO(big), "推計.pdf")},
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 400 and re.search(
        r'id="files-error"><li>「推計.pdf」は大きすぎます（上限 1 MB）。', body
    )
    assert "推計を読みました</textarea>" in body
    r = client.post(
        f"/assignments/{row.id}/submit",
        content_type="multipart/form-data",
        data={"text": "推計を読みました", "base_version": "0", "files": (io.BytesIO(b"x"), "推計.xlsx")},
    )
    assert (
        r.status_code == 400
        and "「推計.xlsx」は受け付けられない種類のファイルです（使える種類：pdf）。"
        in r.get_data(as_text=True)
    )
    empty = client.post(f"/assignments/{row.id}/submit", data={"text": " ", "base_version": "0"})
    assert empty.status_code == 400 and "本文を書くか、ファイルを添付してください。" in empty.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Submission.id))) == 0


def test_submit_twice_by_double_click_makes_one_version_then_feedback(app, login) -> None:
    with app.app_context():
        cohort, facilitator, person = _world()
        row = fc.assignment(cohort, title="将来推計を読む")
    client = login(person)
    data = {
        "text": "共通の傾向は高齢化です。",
        "base_version": "0",
        "files": (io.BytesIO(fc.PDF), "推計メモ.pdf"),
    }
    first = client.post(f"/assignments/{row.id}/submit", data=data, content_type="multipart/form-data")
    assert first.status_code == 302
    second = client.post(
        f"/assignments/{row.id}/submit",
        content_type="multipart/form-data",
        data={**data, "files": (io.BytesIO(fc.PDF), "推計メモ.pdf")},
    )
    assert second.status_code == 400
    assert "この提出は既に受け付けています（第1版）。" in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(SubmissionVersion.id))) == 1
        submission = db.session.scalar(select(Submission))
        version_id = submission.versions[0].id
    page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "第1版" in page and "推計メモ.pdf" in page and "提出済" in page
    staff = login(facilitator)
    form = staff.get(f"/submissions/{submission.id}").get_data(as_text=True)
    key = re.search(r'name="request_key" type="hidden" value="([0-9a-f]+)"', form).group(1)
    feedback = {
        "status": "needs_revision",
        "body": "出典を追記してください。",
        "version_id": str(version_id),
        "request_key": key,
    }
    assert staff.post(f"/submissions/{submission.id}/feedback", data=feedback).status_code == 302
    assert staff.post(f"/submissions/{submission.id}/feedback", data=feedback).status_code == 302  # same form
    mine = client.get(f"/submissions/{submission.id}").get_data(as_text=True)
    assert (
        "出典を追記してください。" in mine
        and mine.count("出典を追記してください。") == 1
        and "要修正" in mine
    )
    home = client.get("/").get_data(as_text=True)
    assert "届いたフィードバック" in home and "将来推計を読む" in home
    resubmit = client.post(
        f"/assignments/{row.id}/submit", data={"text": "出典を足しました", "base_version": "1"}
    )
    assert resubmit.status_code == 302
    stale = staff.post(
        f"/submissions/{submission.id}/feedback",
        data={**feedback, "status": "complete", "body": "良くなりました", "request_key": "other"},
    )
    body = stale.get_data(as_text=True)
    assert (
        stale.status_code == 400 and "新しい版（第2版）が提出されました" in body and "良くなりました" in body
    )
    with app.app_context():
        assert db.session.get(Submission, submission.id).status is SubmissionStatus.SUBMITTED


def test_late_submissions_are_marked(app, login) -> None:
    with app.app_context():
        cohort, _, person = _world()
        row = fc.assignment(
            cohort, published=timedelta(days=-4), due=timedelta(hours=-3), late=timedelta(days=2)
        )
    client = login(person)
    assert "締切を過ぎています" in client.get(f"/assignments/{row.id}").get_data(as_text=True)
    r = client.post(f"/assignments/{row.id}/submit", data={"text": "遅れました", "base_version": "0"})
    assert r.status_code == 302
    assert "遅延" in client.get(r.headers["Location"]).get_data(as_text=True)


def test_matrix_csv_and_zip(app, login) -> None:
    with app.app_context():
        cohort, facilitator, person = _world()
        other = fc.participant_in(cohort, factories.KAWASAKI, name="=cmd|' /C calc'!A0", name_kana="けいさん")
        row = fc.assignment(cohort, title="骨子", types="pdf")
    login(person).post(
        f"/assignments/{row.id}/submit",
        content_type="multipart/form-data",
        data={"text": "骨子です", "base_version": "0", "files": (io.BytesIO(fc.PDF), "骨子.pdf")},
    )
    staff = login(facilitator)
    grid = staff.get(f"/cohorts/{cohort.id}/submissions").get_data(as_text=True)
    assert "髙橋 美咲" in grid and "提出済" in grid and "未提出" in grid
    r = staff.get(f"/cohorts/{cohort.id}/submissions.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv" and r.data.startswith("\ufeff".encode())
    assert r.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(r.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["氏名", "ふりがな", "所属市", "チーム", "骨子"]
    by_name = {line[0]: line for line in rows[1:]}
    assert by_name["髙橋 美咲"][4] == "提出済" and by_name["髙橋 美咲"][2] == "横浜市"
    assert "'=cmd|' /C calc'!A0" in by_name  # a formula is neutralised
    z = staff.get(f"/assignments/{row.id}/files.zip")
    assert z.status_code == 200 and z.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(z.data)) as archive:
        names = archive.namelist()
    assert any(n.startswith("横浜市_髙橋 美咲/第1版") and n.endswith("/骨子.pdf") for n in names)
    assert any(n.endswith("/提出本文.md") for n in names)
    assert login(other).get(f"/assignments/{row.id}/files.zip").status_code == 403


def test_a_participant_never_opens_another_persons_files(app, login) -> None:
    with app.app_context():
        cohort, _, person = _world()
        other = fc.participant_in(cohort, factories.KAWASAKI)
        row = fc.assignment(cohort)
    login(person).post(
        f"/assignments/{row.id}/submit",
        content_type="multipart/form-data",
        data={"text": "", "base_version": "0", "files": (io.BytesIO(fc.PDF), "私の.pdf")},
    )
    with app.app_context():
        submission = db.session.scalar(select(Submission))
        file_id = submission.versions[0].files[0].id
    assert login(person).get(f"/submissions/{submission.id}/files/{file_id}").status_code == 200
    assert login(other).get(f"/submissions/{submission.id}/files/{file_id}").status_code == 403
    assert login(other).get(f"/submissions/{submission.id}").status_code == 403


def test_feedback_from_two_facilitators_on_the_same_version_is_never_overruled_unseen(app, login) -> None:
    with app.app_context():
        cohort, facilitator, person = _world()
        other = factories.facilitator(name="二人目 ファシ")
        cohort.facilitators.append(CohortFacilitator(user=other))
        db.session.commit()
        row = fc.assignment(cohort, title="将来推計を読む")
    learner = login(person)
    handed = learner.post(f"/assignments/{row.id}/submit", content_type="multipart/form-data",
                          data={"text": "共通の傾向は高齢化です。", "base_version": "0"})
    assert handed.status_code == 302
    with app.app_context():
        submission = db.session.scalar(select(Submission))
    first, second = login(facilitator), login(other)
    url = f"/submissions/{submission.id}"

    def form(page: str, status: str, body: str) -> dict[str, str]:
        fields = dict(re.findall(r'name="(version_id|seen_feedback|request_key)" type="hidden" value="([^"]*)"', page))
        return {**fields, "status": status, "body": body}

    page_one, page_two = first.get(url).get_data(as_text=True), second.get(url).get_data(as_text=True)
    assert first.post(url + "/feedback", data=form(page_one, "complete", "よくまとまっています。")).status_code == 302
    late = second.post(url + "/feedback", data=form(page_two, "needs_revision", "出典を追記してください。"))
    body = late.get_data(as_text=True)
    assert late.status_code == 400 and "この間に" in body and "さんがフィードバックを送りました" in body
    assert "出典を追記してください。" in body  # what was typed is kept
    with app.app_context():
        assert db.session.get(Submission, submission.id).status.value == "complete"
    assert second.post(url + "/feedback", data=form(body, "needs_revision", "出典を追記してください。")).status_code == 302
    with app.app_context():
        assert db.session.get(Submission, submission.id).status.value == "needs_revision"
