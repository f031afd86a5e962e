"""Session pages: scheduling with field messages, materials as safe downloads, attendance, the calendar feed."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from core.dates import to_local_input, utcnow
from core.extensions import db
from curriculum.models import Attendance, AttendanceStatus, StudySession
from tests import factories
from tests import factories_curriculum as fc


def _staffed_cohort():  # type: ignore[no-untyped-def]
    facilitator = factories.facilitator()
    cohort = fc.cohort(facilitators=(facilitator,))
    return cohort, facilitator


def test_a_session_in_the_past_is_refused_at_the_field_and_the_form_keeps_what_was_typed(app, login) -> None:
    with app.app_context():
        cohort, facilitator = _staffed_cohort()
    client = login(facilitator)
    assert 'value="1"' in client.get(f"/cohorts/{cohort.id}/sessions/new").get_data(as_text=True)
    past = to_local_input(utcnow() - timedelta(days=3))
    data = {
        "number": "1",
        "title": "キックオフ",
        "starts_at": past,
        "ends_at": past[:11] + "23:59",
        "host_city": "",
        "venue": "横浜市役所 会議室",
        "online_url": "",
        "agenda": "1. 開会",
    }
    r = client.post(f"/cohorts/{cohort.id}/sessions/new", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 400
    assert re.search(r'id="starts_at-error"><li>過去の日時は指定できません。', body)
    assert f'value="{past}"' in body and 'value="横浜市役所 会議室"' in body
    bad = client.post(f"/cohorts/{cohort.id}/sessions/new", data={**data, "starts_at": "来週の金曜"})
    assert bad.status_code == 400 and "日時を正しく入力してください。" in bad.get_data(as_text=True)
    assert 'value="来週の金曜"' in bad.get_data(as_text=True)
    soon = to_local_input(utcnow() + timedelta(days=7))
    ok = client.post(
        f"/cohorts/{cohort.id}/sessions/new", data={**data, "starts_at": soon, "ends_at": soon[:11] + "23:59"}
    )
    assert ok.status_code == 302
    twice = client.post(
        f"/cohorts/{cohort.id}/sessions/new", data={**data, "starts_at": soon, "ends_at": soon[:11] + "23:59"}
    )
    assert twice.status_code == 400 and "第1回は既に登録されています。" in twice.get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(StudySession))
        assert to_local_input(row.starts_at) == soon  # typed in Japan time, stored in UTC
        assert db.session.scalar(select(func.count(StudySession.id))) == 1


def test_materials_are_checked_and_downloaded_safely(app, login) -> None:
    with app.app_context():
        cohort, facilitator = _staffed_cohort()
        person = fc.participant_in(cohort)
        row = fc.study_session(cohort)
    client = login(facilitator)
    bad = client.post(
        f"/sessions/{row.id}/materials",
        data={"file": (io.BytesIO(b"<script>"), "資料.html")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "「資料.html」は受け付けられない種類のファイルです" in bad.get_data(
        as_text=True
    )
    good = client.post(
        f"/sessions/{row.id}/materials",
        data={"file": (io.BytesIO(fc.PDF), "第1回 資料.pdf")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    page = login(person).get(f"/sessions/{row.id}").get_data(as_text=True)
    href = re.search(r'href="(/sessions/\d+/materials/\d+)">第1回 資料.pdf', page).group(1)
    download = login(person).get(href)
    assert download.status_code == 200 and download.data == fc.PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "%E7%AC%AC1%E5%9B%9E" in download.headers["Content-Disposition"]  # the Japanese name, encoded
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert client.post(href + "/remove").status_code == 302
    assert login(person).get(href).status_code == 404


def test_attendance_is_taken_by_the_facilitator(app, login) -> None:
    with app.app_context():
        cohort, facilitator = _staffed_cohort()
        a = fc.participant_in(cohort, name="出席 する")
        b = fc.participant_in(cohort, factories.KAWASAKI, name="欠席 する")
        row = fc.study_session(cohort)
    client = login(facilitator)
    page = client.get(f"/sessions/{row.id}/attendance").get_data(as_text=True)
    assert "出席 する" in page and "欠席 する" in page
    ids = re.findall(r'name="rows-(\d+)-user_id" type="hidden" value="(\d+)"', page)
    data = {}
    for index, user_id in ids:
        data[f"rows-{index}-user_id"] = user_id
        data[f"rows-{index}-status"] = "present" if int(user_id) == a.id else "absent"
        data[f"rows-{index}-note"] = "" if int(user_id) == a.id else "出張"
    assert client.post(f"/sessions/{row.id}/attendance", data=data).status_code == 302
    assert (
        client.post(f"/sessions/{row.id}/attendance", data=data).status_code == 302
    )  # saved again: no duplicate
    with app.app_context():
        marks = {m.user_id: (m.status, m.note) for m in db.session.scalars(select(Attendance))}
    assert marks == {a.id: (AttendanceStatus.PRESENT, ""), b.id: (AttendanceStatus.ABSENT, "出張")}
    mine = login(a).get(f"/cohorts/{cohort.id}/sessions").get_data(as_text=True)
    assert "あなたの出欠" in mine and "出席" in mine


def test_two_facilitators_taking_attendance_never_overwrite_each_other_unseen(app, login) -> None:
    with app.app_context():
        facilitator, other = factories.facilitator(), factories.facilitator(name="二人目 ファシ")
        cohort = fc.cohort(facilitators=(facilitator, other))
        a = fc.participant_in(cohort, name="出席 する")
        row = fc.study_session(cohort)
    first, second = login(facilitator), login(other)
    url = f"/sessions/{row.id}/attendance"

    def form(page: str, status: str, note: str) -> dict[str, str]:
        fields = dict(re.findall(r'name="(rows-\d+-(?:user_id|seen_status|seen_note))" type="hidden" value="([^"]*)"',
                                 page))
        index = next(k for k, v in fields.items() if k.endswith("user_id") and v == str(a.id)).split("-")[1]
        return {**fields, f"rows-{index}-status": status, f"rows-{index}-note": note}

    page_one, page_two = first.get(url).get_data(as_text=True), second.get(url).get_data(as_text=True)
    assert first.post(url, data=form(page_one, "late", "電車遅延")).status_code == 302
    clash = second.post(url, data=form(page_two, "absent", "連絡なし"))
    body = clash.get_data(as_text=True)
    assert clash.status_code == 409 and "別の方が同じ人の出欠を記録しました" in body
    assert "連絡なし" in body and "いま保存されている記録：遅刻・早退（電車遅延）" in body
    with app.app_context():
        assert [(m.status, m.note) for m in db.session.scalars(select(Attendance))] == [
            (AttendanceStatus.LATE, "電車遅延")]
    assert second.post(url, data=form(body, "absent", "連絡なし")).status_code == 302  # decided after seeing it
    with app.app_context():
        assert [(m.status, m.note) for m in db.session.scalars(select(Attendance))] == [
            (AttendanceStatus.ABSENT, "連絡なし")]


def test_the_calendar_feed_is_private_revocable_and_in_tokyo_time(app, login, client) -> None:
    with app.app_context():
        cohort, facilitator = _staffed_cohort()
        person = fc.participant_in(cohort)
        row = fc.study_session(cohort, starts_in=timedelta(days=4), title="中間発表")
        fc.assignment(cohort, title="提案書の骨子")
    me = login(person)
    assert me.post("/calendar/issue").status_code == 302
    page = me.get("/calendar").get_data(as_text=True)
    url = re.search(r'value="http://localhost(/calendar/[^"]+\.ics)"', page).group(1)
    feed = client.get(url)  # a calendar app: not signed in
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    cal = Calendar.from_ical(feed.data)
    summaries = sorted(str(e["summary"]) for e in cal.walk("VEVENT"))
    assert summaries == ["【締切】提案書の骨子", "第1回 中間発表"]
    assert "DTSTART;TZID=Asia/Tokyo:" in feed.get_data(as_text=True)
    event = next(e for e in cal.walk("VEVENT") if "中間発表" in str(e["summary"]))
    assert event.decoded("dtstart").utcoffset() == timedelta(hours=9)
    assert event.decoded("dtstart").astimezone(row.starts_at.tzinfo) == row.starts_at.replace(microsecond=0)
    assert me.post("/calendar/issue").status_code == 302  # regenerate: the old address stops working
    assert client.get(url).status_code == 404
    new_url = re.search(r'(/calendar/[^"]+\.ics)"', me.get("/calendar").get_data(as_text=True)).group(1)
    assert client.get(new_url).status_code == 200
    assert me.post("/calendar/revoke").status_code == 302
    assert client.get(new_url).status_code == 404
