"""Reminders before a deadline, from an area's job through ``remind_once``, on a frozen clock.

The area here is a fake one (assignments do not exist in this package): a provider that knows the
deadlines and who has submitted, and a job registered like any area's.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from core.dates import TOKYO
from core.extensions import db
from core.scheduler import register_job
from core.scheduler.registry import EXTENSION_KEY
from notify.models import Notification, Reminder
from notify.reminders import current_offset, remind_once
from tests import factories
from tests.factories_notify import FakeArea, FakeAssignment, run

DAY = timedelta(days=1)


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TOKYO)


@pytest.fixture()
def area(app):  # type: ignore[no-untyped-def]
    fake = FakeArea()
    register_job(app, "test-assignment-reminders", fake.job, {"minute": 0}, "test reminders")
    yield fake
    app.extensions[EXTENSION_KEY].pop("test-assignment-reminders")


def reminders() -> list[tuple[str, int, int]]:
    return [(r.key, r.user_id, r.offset_minutes) for r in db.session.scalars(select(Reminder).order_by(Reminder.id))]


def test_current_offset_is_the_closest_reached_one() -> None:
    offsets = (3 * DAY, DAY)
    due = jst(10, 17)
    assert current_offset(due, offsets, jst(7, 16)) is None  # too early
    assert current_offset(due, offsets, jst(7, 17)) == 3 * DAY
    assert current_offset(due, offsets, jst(9, 16, 59)) == 3 * DAY
    assert current_offset(due, offsets, jst(9, 17)) == DAY
    assert current_offset(due, offsets, jst(10, 16, 59)) == DAY
    assert current_offset(due, offsets, jst(10, 17)) is None  # never at or after the deadline


def test_hourly_job_sends_each_reminder_once_and_only_to_those_missing(app, ctx, area) -> None:
    a, b, c = (factories.participant() for _ in range(3))
    assignment = FakeAssignment(7, "課題7：広域連携の事例調べ", jst(10, 17), [a.id, b.id, c.id],
                                submitted={c.id: jst(1, 9), b.id: jst(8, 12)})
    area.assignments.append(assignment)
    with time_machine.travel(jst(7, 0), tick=False) as traveller:
        for hour in range(0, 24 * 4 + 1):  # every hour from 7 Dec 00:00 to 11 Dec 00:00
            moment = jst(7, 0) + timedelta(hours=hour)
            traveller.move_to(moment)
            run(app, "test-assignment-reminders", moment)
    assert reminders() == [("assignment:7", a.id, 4320), ("assignment:7", b.id, 4320),
                           ("assignment:7", a.id, 1440)]  # b submitted before the 1-day reminder; c long ago
    sent = {(r.user_id, r.offset_minutes): r.sent_at for r in db.session.scalars(select(Reminder))}
    assert sent[(a.id, 4320)] == jst(7, 17) and sent[(a.id, 1440)] == jst(9, 17)
    texts = [n.params for n in db.session.scalars(select(Notification).where(Notification.user_id == a.id)
                                                  .order_by(Notification.id))]
    assert [p["offset_minutes"] for p in texts] == [4320, 1440]
    assert all(p["due_at"] == jst(10, 17).isoformat() and p["title"] == assignment.title for p in texts)


def test_after_downtime_only_the_latest_reminder_is_sent(app, ctx, area) -> None:
    person = factories.participant()
    area.assignments.append(FakeAssignment(8, "課題8", jst(10, 17), [person.id]))
    with time_machine.travel(jst(9, 20), tick=False):  # the scheduler was down from 6 Dec to now
        run(app, "test-assignment-reminders", jst(9, 20))
        run(app, "test-assignment-reminders", jst(9, 21))
    assert reminders() == [("assignment:8", person.id, 1440)]  # not the stale 3-day one, and once


def test_nothing_after_the_deadline(app, ctx, area) -> None:
    person = factories.participant()
    area.assignments.append(FakeAssignment(9, "課題9", jst(10, 17), [person.id]))
    with time_machine.travel(jst(10, 18), tick=False):
        run(app, "test-assignment-reminders", jst(10, 18))
    assert reminders() == [] and db.session.scalars(select(Notification)).all() == []


def test_offsets_come_from_configuration(app, ctx, area, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "REMINDER_OFFSETS", (timedelta(hours=2),))
    person = factories.participant()
    area.assignments.append(FakeAssignment(10, "課題10", jst(10, 17), [person.id]))
    with time_machine.travel(jst(10, 14), tick=False):
        run(app, "test-assignment-reminders", jst(10, 14))
        run(app, "test-assignment-reminders", jst(10, 15))
    assert reminders() == [("assignment:10", person.id, 120)]


def test_remind_once_is_direct_and_idempotent(app, ctx) -> None:
    person = factories.participant()
    kwargs = dict(key="session:4", user_ids=[person.id, person.id], kind="session.reminder", target_type="session",
                  target_id=4, url="/sessions/4", params={"title": "第4回"}, due_at=jst(5, 14),
                  offsets=(DAY,), now=jst(4, 15))
    first = remind_once(db.session, **kwargs)
    second = remind_once(db.session, **kwargs)
    assert first.user_ids == (person.id,) and second.user_ids == () and first.offset == DAY
    [n] = db.session.scalars(select(Notification)).all()
    assert n.params["starts_at"] == jst(5, 14).isoformat()  # the kind's own deadline param
    with pytest.raises(ValueError):
        remind_once(db.session, **{**kwargs, "now": datetime(2026, 12, 4, 15)})
