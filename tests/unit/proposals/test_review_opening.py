"""A draft round with an opening time is published by the "review-open" job, once."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.dates import utcnow
from core.errors import DomainError
from core.scheduler import all_jobs, run_job
from proposals.review import services
from proposals.review.models import RoundStatus
from proposals.vocab import ProposalStatus
from tests import factories_proposals as fp


@pytest.fixture()
def draft(session, year):  # type: ignore[no-untyped-def]
    p = fp.proposal(year.team1, author=year.a1, submit=True)
    q = fp.proposal(year.team2, author=year.b1, submit=True, title="子育て支援の相互利用")
    return fp.review_round(year.cohort, [p, q], facilitator=year.facilitator, reviews=1, publish=False)


def test_a_due_round_opens_once_as_if_published_by_hand(session, year, draft, events) -> None:
    now = utcnow()
    services.schedule_opening(session, draft, now + timedelta(hours=1), now=now)
    session.commit()
    assert services.open_due(session, now=now).opened == []  # not yet
    assert draft.status is RoundStatus.DRAFT
    later = now + timedelta(hours=1, minutes=1)
    result = services.open_due(session, now=later)
    session.commit()
    assert result.opened == [draft.id] and not result.failed
    assert draft.status is RoundStatus.OPEN and draft.published_at == later and draft.published_by_id is None
    assert all(rp.proposal.status is ProposalStatus.IN_REVIEW for rp in draft.proposals)
    assigned = [e for e in events if e.kind == "review.assigned"]
    assert {e.recipient_ids[0] for e in assigned} == {a.reviewer_id for a in draft.assignments if a.active}
    again = services.open_due(session, now=later + timedelta(minutes=5))
    session.commit()
    assert again.opened == [] and len([e for e in events if e.kind == "review.assigned"]) == len(assigned)


def test_a_round_without_an_opening_time_or_published_by_hand_is_left_alone(session, year, draft) -> None:
    now = utcnow()
    assert services.open_due(session, now=now + timedelta(days=3)).opened == []
    services.schedule_opening(session, draft, now + timedelta(hours=1), now=now)
    services.publish_round(session, draft, actor=year.facilitator, now=now)
    session.commit()
    assert services.open_due(session, now=now + timedelta(hours=2)).opened == []
    assert draft.published_by_id == year.facilitator.id


def test_an_invalid_allocation_stays_a_draft_and_is_reported(session, year, draft) -> None:
    now = utcnow()
    services.schedule_opening(session, draft, now + timedelta(minutes=30), now=now)
    for a in [a for a in draft.assignments if a.round_proposal_id == draft.proposals[0].id]:
        services.remove_assignment(session, a)
    session.commit()
    result = services.open_due(session, now=now + timedelta(hours=1))
    session.commit()
    assert result.opened == [] and result.failed == {draft.id: "uncovered"}
    session.refresh(draft)
    assert draft.status is RoundStatus.DRAFT and draft.published_at is None


def test_the_opening_time_is_checked(session, year, draft) -> None:
    now = utcnow()
    with pytest.raises(DomainError, match="opens_past") as past:
        services.schedule_opening(session, draft, now - timedelta(minutes=1), now=now)
    assert past.value.field == "opens_at"
    with pytest.raises(DomainError, match="opens_after_deadline"):
        services.schedule_opening(session, draft, draft.deadline, now=now)
    services.schedule_opening(session, draft, None, now=now)  # clearing is always allowed on a draft
    assert draft.opens_at is None


def test_the_job_is_registered_and_reports(app, session, year, draft) -> None:
    spec = next(s for s in all_jobs(app) if s.name == "review-open")
    assert spec.is_interval and spec.trigger == {"minutes": 5}
    now = utcnow()
    services.schedule_opening(session, draft, now + timedelta(minutes=10), now=now)
    session.commit()
    fire = spec.previous_fire_time(now + timedelta(minutes=20))
    outcome = run_job(app, "review-open", fire_time=fire, now=now + timedelta(minutes=20))
    assert outcome.status == "ok" and outcome.message == "1 opened"
