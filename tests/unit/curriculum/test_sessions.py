"""Sessions: scheduling rules, materials, attendance; the calendar feed and its iCalendar."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from core.dates import TOKYO, utcnow
from curriculum import ical
from curriculum.models import AssignmentKind, AttendanceStatus, CohortFacilitator
from curriculum.services import Conflict, Refused
from curriculum.services import sessions as services
from tests import factories
from tests import factories_curriculum as fc


def _values(**kw):  # type: ignore[no-untyped-def]
    start = utcnow() + timedelta(days=7)
    values = dict(
        number=1,
        title="キックオフ",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        host_city_id=None,
        venue="横浜市役所",
        online_url="",
        agenda="1. 開会",
    )
    values.update(kw)
    return services.SessionValues(**values)


def test_create_and_number_unique(session) -> None:
    cohort = fc.cohort()
    row = services.create_session(session, cohort, _values(), actor=factories.facilitator(), now=utcnow())
    assert row.number == 1 and services.next_session_number(session, cohort) == 2
    with pytest.raises(Refused) as caught:
        services.create_session(session, cohort, _values(), actor=factories.facilitator(), now=utcnow())
    assert (caught.value.field, caught.value.code) == ("number", "session_number_taken")


@pytest.mark.parametrize(
    "change,field,code",
    [
        (
            {"starts_at": utcnow() - timedelta(days=1), "ends_at": utcnow() - timedelta(hours=20)},
            "starts_at",
            "date_in_past",
        ),
        ({"ends_at": utcnow() + timedelta(days=6)}, "ends_at", "ends_before_start"),
        ({"ends_at": utcnow() + timedelta(days=9)}, "ends_at", "session_too_long"),
        ({"venue": "", "online_url": ""}, "venue", "venue_or_link"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "bad_url"),
        ({"number": 0}, "number", "number_positive"),
    ],
)
def test_session_refusals(session, change, field, code) -> None:
    with pytest.raises(Refused) as caught:
        services.create_session(
            session, fc.cohort(), _values(**change), actor=factories.facilitator(), now=utcnow()
        )
    assert (caught.value.field, caught.value.code) == (field, code)


def test_a_past_session_can_be_edited_without_moving_it(session) -> None:
    cohort = fc.cohort()
    row = fc.study_session(cohort, starts_in=timedelta(days=-10))
    values = _values(starts_at=row.starts_at, ends_at=row.ends_at, title="キックオフ（記録）")
    services.update_session(session, row, values, now=utcnow())
    assert row.title == "キックオフ（記録）"


def test_materials_check_type_and_duplicates(session, app) -> None:
    cohort = fc.cohort()
    row = fc.study_session(cohort)
    upload_dir = app.config["UPLOAD_DIR"]
    actor = factories.facilitator()
    material = services.add_material(
        session, row, *fc.upload(name="第1回資料.pdf"), upload_dir=upload_dir, actor=actor
    )
    assert [m.id for m in row.materials] == [material.id]
    with pytest.raises(Conflict):
        services.add_material(
            session, row, *fc.upload(name="第1回資料.pdf"), upload_dir=upload_dir, actor=actor
        )
    session.rollback()
    with pytest.raises(Refused) as caught:
        services.add_material(
            session, row, *fc.upload(b"MZ\x90\x00", "setup.exe"), upload_dir=upload_dir, actor=actor
        )
    assert caught.value.code == "file_type" and caught.value.params["name"] == "setup.exe"


def test_removed_material_is_kept_as_a_record(session, app) -> None:
    row = fc.study_session(fc.cohort())
    actor = factories.facilitator()
    material = services.add_material(
        session, row, *fc.upload(), upload_dir=app.config["UPLOAD_DIR"], actor=actor
    )
    assert services.remove_material(session, material, actor=actor, now=utcnow()) is True
    assert services.remove_material(session, material, actor=actor, now=utcnow()) is False
    assert row.materials == [] and material.removed_by_id == actor.id


def test_attendance_is_saved_and_corrected(session) -> None:
    cohort = fc.cohort()
    a, b = fc.participant_in(cohort), fc.participant_in(cohort, factories.KAWASAKI)
    row = fc.study_session(cohort)
    actor = factories.facilitator()
    assert (
        services.record_attendance(
            session,
            row,
            {a.id: (AttendanceStatus.PRESENT, ""), b.id: (AttendanceStatus.ABSENT, "出張")},
            actor=actor,
            now=utcnow(),
        )
        == 2
    )
    assert (
        services.record_attendance(
            session,
            row,
            {a.id: (AttendanceStatus.PRESENT, ""), b.id: (AttendanceStatus.LATE, "出張")},
            actor=actor,
            now=utcnow(),
        )
        == 1
    )
    session.commit()
    assert {m.user_id: m.status for m in row.attendance} == {
        a.id: AttendanceStatus.PRESENT,
        b.id: AttendanceStatus.LATE,
    }
    with pytest.raises(Refused):
        services.record_attendance(
            session,
            row,
            {factories.participant().id: (AttendanceStatus.PRESENT, "")},
            actor=actor,
            now=utcnow(),
        )


def test_attendance_from_an_old_screen_never_overwrites_a_mark_saved_since(session) -> None:
    cohort = fc.cohort()
    a, b, c = (fc.participant_in(cohort) for _ in range(3))
    row = fc.study_session(cohort)
    first, second = factories.facilitator(), factories.facilitator()
    blank = {a.id: (None, ""), b.id: (None, ""), c.id: (None, "")}  # what both screens showed
    services.record_attendance(session, row, {a.id: (AttendanceStatus.PRESENT, ""),
                                              b.id: (AttendanceStatus.ABSENT, "出張")},
                               actor=first, now=utcnow(), seen=blank)
    session.commit()
    # The second screen changed b (saved since by the first) and c: b clashes, nothing is saved.
    mine = {a.id: (AttendanceStatus.PRESENT, ""), b.id: (AttendanceStatus.LATE, ""), c.id: (AttendanceStatus.LATE, "")}
    with pytest.raises(Conflict) as refused:
        services.record_attendance(session, row, mine, actor=second, now=utcnow(), seen=blank)
    assert refused.value.code == "attendance_stale" and refused.value.params["user_ids"] == [b.id]
    session.rollback()
    assert {m.user_id: m.status for m in row.attendance} == {a.id: AttendanceStatus.PRESENT,
                                                             b.id: AttendanceStatus.ABSENT}
    # Untouched rows keep what was saved: only c (not saved by anyone since) is written.
    untouched = {b.id: (None, ""), a.id: (None, ""), c.id: (None, "")}
    assert services.record_attendance(session, row, {c.id: (AttendanceStatus.LATE, "")}, actor=second,
                                      now=utcnow(), seen=untouched) == 1
    keep_b = {a.id: (AttendanceStatus.PRESENT, ""), b.id: (AttendanceStatus.ABSENT, "出張")}
    assert services.record_attendance(session, row, dict(keep_b), actor=second, now=utcnow(), seen=blank) == 0
    session.commit()
    assert {m.user_id: (m.status, m.note) for m in row.attendance} == {
        a.id: (AttendanceStatus.PRESENT, ""), b.id: (AttendanceStatus.ABSENT, "出張"), c.id: (AttendanceStatus.LATE, "")}


def test_attendance_waits_for_the_day(session) -> None:
    cohort = fc.cohort()
    person = fc.participant_in(cohort)
    row = fc.study_session(cohort, starts_in=timedelta(days=5))
    with pytest.raises(Refused):
        services.record_attendance(
            session,
            row,
            {person.id: (AttendanceStatus.PRESENT, "")},
            actor=factories.facilitator(),
            now=utcnow(),
        )


def test_feed_token_issue_regenerate_revoke(session) -> None:
    person = factories.participant()
    first = services.issue_feed(session, person).token
    assert services.feed_by_token(session, first).user_id == person.id
    second = services.issue_feed(session, person).token
    assert second != first and services.feed_by_token(session, first) is None
    services.revoke_feed(session, person)
    assert services.feed_by_token(session, second) is None and services.feed_of(session, person) is None


def test_schedule_holds_my_sessions_and_deadlines_only(session) -> None:
    cohort, other = fc.cohort(), fc.cohort(2027)
    person = fc.participant_in(cohort)
    mine = fc.study_session(cohort, starts_in=timedelta(days=3))
    fc.study_session(other, starts_in=timedelta(days=3))
    due = fc.assignment(cohort, title="個人")
    fc.assignment(cohort, title="チーム", kind=AssignmentKind.TEAM)  # not in a team: not my deadline
    fc.assignment(cohort, title="未公開", published=timedelta(days=2), due=timedelta(days=5))
    schedule = services.schedule_for(session, person, now=utcnow())
    assert [s.id for s in schedule.sessions] == [mine.id]
    assert [a.id for a in schedule.assignments] == [due.id]
    facilitator = factories.facilitator()
    cohort.facilitators.append(CohortFacilitator(user=facilitator))
    session.commit()
    assert len(services.schedule_for(session, facilitator, now=utcnow()).assignments) == 2


def test_icalendar_uses_asia_tokyo() -> None:
    start = utcnow().replace(microsecond=0)
    body = ical.build(
        "8市連携スタディミーティング",
        [
            ical.CalendarEntry(
                uid="session-1",
                summary="第1回 キックオフ",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                location="横浜市役所",
                url="http://x/sessions/1",
            ),
        ],
        now=start,
    )
    text = body.decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Asia/Tokyo" in text and "DTSTART;TZID=Asia/Tokyo:" in text
    cal = Calendar.from_ical(body)
    event = next(c for c in cal.walk("VEVENT"))
    assert str(event["summary"]) == "第1回 キックオフ" and str(event["uid"]) == "session-1@renkei.8cities"
    assert event.decoded("dtstart") == start.astimezone(TOKYO)
