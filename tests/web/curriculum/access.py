"""Access rules for curriculum routes, and the cohorts/teams every other area's rules rely on.

The world: cohort A (FY2026, open) run by FACILITATOR, with PARTICIPANT (Yokohama, team 1) and
PARTICIPANT_OTHER (Kawasaki, team 2); cohort B (FY2025, closed) run by FACILITATOR_OTHER, which
ALUMNUS completed.
"""
from __future__ import annotations

from datetime import date

from tests.access import ALUMNUS, FACILITATOR, FACILITATOR_OTHER, PARTICIPANT, PARTICIPANT_OTHER, Rule

ORDER = 20

RULES: list[Rule] = []


def build(world):  # type: ignore[no-untyped-def]
    from core.extensions import db
    from curriculum.models import (CityQuota, Cohort, CohortFacilitator, CohortStatus, Enrolment,
                                   EnrolmentStatus, Team, TeamMember)
    from tests import factories

    cities = factories.cities()
    a = Cohort(fiscal_year=2026, title_ja="令和8年度 8市連携スタディミーティング", title_en="FY2026 8-City Study Meeting",
               status=CohortStatus.OPEN, starts_on=date(2026, 4, 1), ends_on=date(2027, 3, 31))
    b = Cohort(fiscal_year=2025, title_ja="令和7年度 8市連携スタディミーティング", title_en="FY2025 8-City Study Meeting",
               status=CohortStatus.CLOSED, starts_on=date(2025, 4, 1), ends_on=date(2026, 3, 31))
    db.session.add_all([a, b])
    db.session.flush()
    for code, c in cities.items():
        db.session.add(CityQuota(cohort=a, city=c, places=3))
    db.session.add_all([CohortFacilitator(cohort=a, user=world.users[FACILITATOR]),
                        CohortFacilitator(cohort=b, user=world.users[FACILITATOR_OTHER])])
    p, q, alum = world.users[PARTICIPANT], world.users[PARTICIPANT_OTHER], world.users[ALUMNUS]
    world.enrolment = Enrolment(cohort=a, user=p, city=p.city)
    world.enrolment_other = Enrolment(cohort=a, user=q, city=q.city)
    world.enrolment_alumnus = Enrolment(cohort=b, user=alum, city=alum.city, status=EnrolmentStatus.COMPLETED)
    db.session.add_all([world.enrolment, world.enrolment_other, world.enrolment_alumnus])
    world.team = Team(cohort=a, number=1, name="チーム1")
    world.team_other = Team(cohort=a, number=2, name="チーム2", mentor=alum)
    db.session.add_all([world.team, world.team_other])
    db.session.flush()
    db.session.add_all([TeamMember(team=world.team, cohort_id=a.id, user=p),
                        TeamMember(team=world.team_other, cohort_id=a.id, user=q)])
    db.session.commit()
    world.cohort, world.cohort_other = a, b
