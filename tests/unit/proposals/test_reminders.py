"""Review reminders: to reviewers who have not submitted, once per offset, never naming anyone."""
from __future__ import annotations

from datetime import timedelta

from core.dates import utcnow
from proposals import jobs
from tests import factories_proposals as fp
from tests.factories_curriculum import captured_events

OFFSETS = (timedelta(days=3), timedelta(days=1))


def test_reviewers_are_reminded_once_and_never_after_the_deadline(session, year) -> None:
    p1 = fp.proposal(year.team1, author=year.a1, submit=True)
    p2 = fp.proposal(year.team2, author=year.b1, submit=True)
    rnd = fp.review_round(year.cohort, [p1, p2], facilitator=year.facilitator, deadline=utcnow() + timedelta(days=2))
    with captured_events() as events:
        first = jobs.remind_reviewers(session, now=utcnow(), offsets=OFFSETS)
        again = jobs.remind_reviewers(session, now=utcnow(), offsets=OFFSETS)
    assert first > 0 and again == 0
    assert {e.kind for e in events} == {"deadline.near"}
    assert all(e.params["title"] == rnd.title and set(e.params) <= {"title", "due_at", "offset_minutes"}
               for e in events)
    with captured_events() as late:
        assert jobs.remind_reviewers(session, now=rnd.deadline + timedelta(minutes=1), offsets=OFFSETS) == 0
    assert late == []
