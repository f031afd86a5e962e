"""Builders for wiki tests: a cohort with teams, spaces and pages with history."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from typing import Any

from core.dates import utcnow
from core.extensions import db
from curriculum.models import Cohort, CohortFacilitator, CohortStatus, Enrolment, EnrolmentStatus, Team, TeamMember
from people.models import User
from tests import factories
from wiki import revisions, services
from wiki.cases import services as case_services
from wiki.cases.models import Case, CaseBody, CaseOrigin, CaseStatus
from wiki.models import Page, Space, SpaceKind

_years = itertools.count(2030)
_numbers = itertools.count(1)
T0 = datetime(2026, 11, 20, 1, 0, tzinfo=utcnow().tzinfo)


def cohort(*, fiscal_year: int | None = None, status: CohortStatus = CohortStatus.OPEN,
           facilitators: tuple[User, ...] = ()) -> Cohort:
    fy = fiscal_year or next(_years)
    c = Cohort(fiscal_year=fy, title_ja=f"令和{fy - 2018}年度 8市連携スタディミーティング",
               title_en=f"FY{fy} 8-City Study Meeting", status=status, starts_on=date(fy, 4, 1),
               ends_on=date(fy + 1, 3, 31))
    db.session.add(c)
    db.session.flush()
    for person in facilitators:
        db.session.add(CohortFacilitator(cohort=c, user=person))
    db.session.commit()
    return c


def enrol(c: Cohort, person: User, status: EnrolmentStatus = EnrolmentStatus.ENROLLED) -> Enrolment:
    e = Enrolment(cohort=c, user=person, city_id=person.city_id or factories.city().id, status=status)
    db.session.add(e)
    db.session.commit()
    return e


def team(c: Cohort, *members: User, mentor: User | None = None, name: str | None = None) -> Team:
    n = next(_numbers)
    t = Team(cohort=c, number=n, name=name or f"チーム{n}", mentor=mentor)
    db.session.add(t)
    db.session.flush()
    for person in members:
        if not db.session.query(Enrolment).filter_by(cohort_id=c.id, user_id=person.id).first():
            db.session.add(Enrolment(cohort=c, user=person, city_id=person.city_id or factories.city().id))
        db.session.add(TeamMember(team=t, cohort_id=c.id, user=person))
    db.session.commit()
    return t


def team_space(t: Team) -> Space:
    s = revisions.get_space(db.session, SpaceKind.TEAM, team_id=t.id)
    db.session.commit()
    assert s is not None
    return s


def cohort_space(c: Cohort) -> Space:
    s = revisions.get_space(db.session, SpaceKind.COHORT, cohort_id=c.id)
    db.session.commit()
    assert s is not None
    return s


def page(space: Space, title: str = "議事録", text: str = "# 議事録\n\n防災について話した。\n", *,
         author: User | None = None, history: tuple[str, ...] = (), published: bool = False, **kw: Any) -> Page:
    """A page with its first revision and one more revision per text in ``history`` (and its search entry)."""
    now = T0
    p = revisions.create_page(db.session, space, title, text, author=author, now=now)
    for later in history:
        now += timedelta(minutes=10)
        current = revisions.latest_revision(db.session, p)
        revisions.save_page(db.session, p, later, author=author, base_revision_id=current.id if current else None,
                            now=now)
    if published:
        p.published = True
    services.index_page(db.session, p)  # as the workspace's own services do
    db.session.commit()
    db.session.refresh(p)
    return p


def case(title: str | None = None, *, slug: str | None = None, field: str = "disaster",
         kind: str = "agreement", bodies: tuple[str, ...] = ("横浜市", "川崎市"),
         summary: str = "災害時に互いを応援する協定。",
         status: CaseStatus = CaseStatus.PUBLISHED, commit: bool = True) -> Case:
    """A case in the library (published and in the search index by default)."""
    n = next(_numbers)
    published = status is CaseStatus.PUBLISHED
    c = Case(slug=slug or (f"test-case-{n}" if published else None), title=title or f"テスト事例{n}", field=field,
             kind=kind, summary=summary, status=status, origin=CaseOrigin.PROPOSAL,
             bodies=[CaseBody(name=b, position=i) for i, b in enumerate(bodies)])
    db.session.add(c)
    db.session.flush()
    case_services.index_case(db.session, c)
    if commit:
        db.session.commit()
    return c
