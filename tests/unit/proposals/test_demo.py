"""The proposals demo hook, fed what the curriculum hook would have made (current and past cohorts, teams)."""
from __future__ import annotations

import random
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from core.cli import DemoContext
from curriculum.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from people.models import City, Role
from proposals import demo
from proposals.models import Proposal
from proposals.review.models import AssignmentStatus
from proposals.vocab import ProposalStatus
from tests import factories
from tests import factories_wiki as fw

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)


def _context(session, current_year: int = 2026,  # type: ignore[no-untyped-def]
             past_years: tuple[int, ...] = (2022, 2023, 2024, 2025)) -> DemoContext:
    ctx = DemoContext(session=session, rng=random.Random(2025), now=NOW)
    ctx.made["cities"] = {c.code: c for c in session.scalars(select(City))} or factories.cities()
    ctx.made["user:admin"] = factories.admin(name="事務 局子")
    ctx.made["user:facilitator"] = factories.facilitator(name="広域 連太郎")
    ctx.made["user:alumnus"] = factories.alumnus(name="江ノ島 湊")
    codes = [factories.YOKOHAMA, factories.KAWASAKI, factories.YOKOSUKA, factories.KAMAKURA, factories.FUJISAWA,
             factories.ZUSHI, factories.YAMATO, factories.MACHIDA]
    current = fw.cohort(fiscal_year=current_year, facilitators=(ctx.made["user:facilitator"],))
    people = [factories.participant(codes[i % 8], name=f"参加 {i}子") for i in range(12)]
    ctx.made["user:participant"] = people[1]
    ctx.made["cohort:current"] = current
    ctx.made["teams:current"] = [fw.team(current, *people[i:i + 3], name=f"チーム{i // 3 + 1}")
                                 for i in range(0, 12, 3)]
    past = []
    for fy in past_years:
        c = Cohort(fiscal_year=fy, title_ja=f"{fy}年度", title_en=f"FY{fy}", status=CohortStatus.CLOSED,
                   starts_on=date(fy, 4, 1), ends_on=date(fy + 1, 3, 31))
        session.add(c)
        session.flush()
        for i in range(4):
            alum = factories.user(Role.ALUMNUS, city_code=codes[(fy + i) % 8], name=f"修了 {fy}{i}")
            session.add(Enrolment(cohort_id=c.id, user_id=alum.id, city_id=alum.city_id,
                                  status=EnrolmentStatus.COMPLETED))
        past.append(c)
    session.commit()
    ctx.made["cohorts"] = past
    return ctx


def test_the_demo_tells_the_truth_about_the_year(session) -> None:
    ctx = _context(session)
    demo.seed(ctx)
    session.commit()
    current = ctx.made["proposals:current"]
    assert len(current) == 4 and all(p.title for p in current)
    statuses = [p.status for p in current]
    assert statuses.count(ProposalStatus.IN_REVIEW) == 3 and statuses.count(ProposalStatus.DRAFT) == 1
    rnd = ctx.made["review_round:current"]
    states = [a.status for a in rnd.assignments]
    assert AssignmentStatus.SUBMITTED in states and AssignmentStatus.ASSIGNED in states
    assert rnd.deadline > NOW and not rnd.is_released(NOW)
    participant = ctx.made["user:participant"]
    assert any(a.reviewer_id == participant.id and a.status is AssignmentStatus.ASSIGNED for a in rnd.assignments)
    assert any(rr.user_id == ctx.made["user:alumnus"].id for rr in rnd.reviewers)
    past = ctx.made["proposals:past"]
    assert len(past) == 8
    assert {p.status for p in past} == {ProposalStatus.ADOPTED, ProposalStatus.NOT_ADOPTED}
    adopted = [p for p in past if p.status is ProposalStatus.ADOPTED]
    assert all(p.decision_note and p.presented_to for p in past) and any(p.follow_ups for p in adopted)
    assert all(note.noted_on <= NOW.date() for p in past for note in p.follow_ups)
    assert session.scalar(select(func.count(Proposal.id))) == 12


def test_without_a_current_cohort_nothing_team_related_is_made(session) -> None:
    ctx = DemoContext(session=session, rng=random.Random(1), now=NOW)
    ctx.made["user:admin"] = factories.admin(name="事務 局子")
    demo.seed(ctx)
    assert session.scalar(select(func.count(Proposal.id))) == 0
    assert ctx.made["proposals:past"] == [] and "review_round:current" not in ctx.made
