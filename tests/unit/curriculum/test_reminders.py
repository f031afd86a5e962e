"""Deadline and session reminders: only to those who have not submitted, once per offset, never late."""
from __future__ import annotations

from datetime import timedelta

from core.dates import utcnow
from curriculum import jobs
from curriculum.models import AssignmentKind
from tests import factories_curriculum as fc

OFFSETS = (timedelta(days=3), timedelta(days=1))


def test_assignment_reminders_go_once_to_those_who_have_not_submitted(session) -> None:
    cohort = fc.cohort()
    done, waiting = fc.participant_in(cohort), fc.participant_in(cohort)
    a = fc.assignment(cohort, due=timedelta(days=2))
    from curriculum.models import Submission

    session.add(Submission(assignment_id=a.id, user_id=done.id))
    session.commit()
    now = utcnow()
    with fc.captured_events() as events:
        assert jobs.remind_assignments(session, now=now, offsets=OFFSETS) == 1
        assert jobs.remind_assignments(session, now=now + timedelta(minutes=5), offsets=OFFSETS) == 0
    assert [e.recipient_ids for e in events] == [(waiting.id,)]
    assert events[0].kind == "deadline.near" and events[0].params["title"] == a.title
    # one day before: the second offset reminds again, once
    with fc.captured_events() as events:
        assert jobs.remind_assignments(session, now=a.due_at - timedelta(hours=20), offsets=OFFSETS) == 1
    # after the deadline nothing is sent
    with fc.captured_events() as events:
        assert jobs.remind_assignments(session, now=a.due_at + timedelta(minutes=1), offsets=OFFSETS) == 0
    assert events == []


def test_team_assignment_reminds_members_of_teams_without_a_submission(session) -> None:
    cohort = fc.cohort()
    p1, p2 = fc.participant_in(cohort), fc.participant_in(cohort, "141305")
    t1, t2 = fc.team(cohort, [p1], number=1), fc.team(cohort, [p2], number=2)
    a = fc.assignment(cohort, kind=AssignmentKind.TEAM, due=timedelta(days=1, hours=-2))
    from curriculum.models import Submission

    session.add(Submission(assignment_id=a.id, team_id=t1.id))
    session.commit()
    assert jobs.missing_ids(session, a) == [p2.id]
    assert t2.id != t1.id


def test_session_reminder_the_day_before(session) -> None:
    cohort = fc.cohort()
    p = fc.participant_in(cohort)
    fc.study_session(cohort, starts_in=timedelta(hours=20), title="第5回 防災連携")
    with fc.captured_events() as events:
        assert jobs.remind_sessions(session, now=utcnow()) == 1
        assert jobs.remind_sessions(session, now=utcnow()) == 0
    assert events[0].kind == "session.reminder" and events[0].recipient_ids == (p.id,)
    assert events[0].params["title"] == "第5回 防災連携"
