"""The curriculum's part of the home page ("this week"), per role."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from core.dates import utcnow
from core.extensions import db
from core.panels import Panel
from curriculum import policy
from curriculum.models import (
    Cohort,
    CohortFacilitator,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    StudySession,
    SubmissionStatus,
)
from curriculum.services import assignments as assignment_services
from curriculum.services import cohorts as cohort_services
from curriculum.services import modules as module_services
from curriculum.services import teams as team_services
from people.models import Role, User

WEEK = timedelta(days=7)


def _next_session(cohort: Cohort, now: Any) -> StudySession | None:
    return db.session.scalar(
        select(StudySession)
        .where(StudySession.cohort_id == cohort.id, StudySession.ends_at >= now)
        .options(joinedload(StudySession.host_city))
        .order_by(StudySession.starts_at)
        .limit(1)
    )


def _running(user: User) -> list[Enrolment]:
    return list(
        db.session.scalars(
            select(Enrolment)
            .join(Cohort, Cohort.id == Enrolment.cohort_id)
            .where(
                Enrolment.user_id == user.id,
                Enrolment.status == EnrolmentStatus.ENROLLED,
                Cohort.status != CohortStatus.CLOSED,
            )
            .options(contains_eager(Enrolment.cohort))
            .order_by(Cohort.fiscal_year.desc())
        )
    )


def participant_panels(user: User, now: Any) -> list[Panel]:
    panels = []
    for enrolment in _running(user):
        cohort = enrolment.cohort
        modules = module_services.cohort_modules(db.session, cohort, user=user)
        todo = [m for m in modules if m.done_at is None]
        team = policy.team_in(user, cohort)
        published = assignment_services.assignments_of(db.session, cohort, published_by=now)
        mine = assignment_services.submissions_of(
            db.session, published, user_id=user.id, team_id=team.id if team else None, with_versions=False
        )
        due, overdue = [], []
        for a in published:
            sub = mine.get(a.id)
            if sub is not None and sub.status is not SubmissionStatus.NEEDS_REVISION:
                continue  # handed in; nothing to do unless asked to revise
            if now > a.due_at:
                if now <= a.closes_at or now - a.due_at < 2 * WEEK:
                    overdue.append((a, sub))
            elif a.due_at <= now + WEEK or sub is not None:
                due.append((a, sub))
        own = [s.id for s in mine.values()]
        feedback = (
            list(
                db.session.scalars(
                    select(Feedback)
                    .where(Feedback.submission_id.in_(own), Feedback.created_at >= now - 2 * WEEK)
                    .options(joinedload(Feedback.author).lazyload(User.grants))
                    .order_by(Feedback.created_at.desc())
                    .limit(5)
                )
            )
            if own
            else []
        )
        panels.append(
            Panel(
                "curriculum/panels/participant.html",
                order=10,
                context={
                    "cohort": cohort,
                    "next_session": _next_session(cohort, now),
                    "todo": todo[:3],
                    "todo_count": len(todo),
                    "module_count": len(modules),
                    "due": due,
                    "overdue": overdue,
                    "feedback": feedback,
                    "titles": {a.id: a.title for a in published},
                    "now": now,
                    "team": team if cohort.teams_published else None,
                },
            )
        )
    return panels


def facilitator_panels(user: User, now: Any) -> list[Panel]:
    if not user.has_role(Role.FACILITATOR):
        return []
    cohorts = db.session.scalars(
        select(Cohort)
        .join(CohortFacilitator, CohortFacilitator.cohort_id == Cohort.id)
        .where(CohortFacilitator.user_id == user.id, Cohort.status != CohortStatus.CLOSED)
        .order_by(Cohort.fiscal_year.desc())
    ).all()
    panels = []
    for cohort in cohorts:
        grid = assignment_services.matrix(db.session, cohort)
        focus = [a for a in grid.assignments if a.publish_at <= now and now - WEEK <= a.due_at <= now + WEEK]
        missing = [(a, grid.missing(a)) for a in focus]
        waiting = [
            s
            for a in grid.assignments
            for s in a.submissions
            if s.status is SubmissionStatus.SUBMITTED
            and (not s.feedback or s.feedback[-1].version_id != (s.latest.id if s.latest else None))
        ]
        panels.append(
            Panel(
                "curriculum/panels/facilitator.html",
                order=15,
                context={
                    "cohort": cohort,
                    "next_session": _next_session(cohort, now),
                    "missing": missing,
                    "waiting": waiting,
                    "now": now,
                    "unplaced": len(team_services.unplaced(db.session, cohort)),
                    "teams": len(cohort.teams),
                },
            )
        )
    return panels


def coordinator_panels(user: User, now: Any) -> list[Panel]:
    city_ids = user.coordinator_city_ids()
    if not city_ids:
        return []
    panels = []
    for cohort in db.session.scalars(
        select(Cohort).where(Cohort.status != CohortStatus.CLOSED).order_by(Cohort.fiscal_year.desc())
    ):
        if not policy.coordinates_in(user, cohort):
            continue
        rows = cohort_services.enrolment_by_city(db.session, cohort, city_ids=city_ids)
        people = [e for r in rows for e in r.enrolled]
        progress = module_services.progress(db.session, cohort, people)
        grid = assignment_services.matrix(db.session, cohort)
        late = {
            e.user_id: sum(1 for a in grid.assignments if a.due_at < now and grid.cell(e, a) is None)
            for e in people
        }
        panels.append(
            Panel(
                "curriculum/panels/coordinator.html",
                order=20,
                context={
                    "cohort": cohort,
                    "rows": rows,
                    "progress": progress,
                    "late": late,
                    "can_nominate": policy.nominate(user, cohort),
                },
            )
        )
    return panels


def secretariat_panels(user: User, now: Any) -> list[Panel]:
    if not user.has_role(Role.ADMIN):
        return []
    cohort = cohort_services.current_cohort(db.session)
    if cohort is None:
        return [Panel("curriculum/panels/secretariat.html", order=5, context={"cohort": None})]
    rows = cohort_services.enrolment_by_city(db.session, cohort)
    return [
        Panel(
            "curriculum/panels/secretariat.html",
            order=5,
            context={
                "cohort": cohort,
                "rows": rows,
                "places": sum(r.places for r in rows),
                "enrolled": sum(len(r.enrolled) for r in rows),
                "next_session": _next_session(cohort, now),
                "teams": len(cohort.teams),
                "now": now,
            },
        )
    ]


def alumnus_panels(user: User, now: Any) -> list[Panel]:
    if not user.has_role(Role.ALUMNUS):
        return []
    past = db.session.scalars(
        select(Enrolment)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.user_id == user.id, Enrolment.status == EnrolmentStatus.COMPLETED)
        .order_by(Cohort.fiscal_year.desc())
    ).all()
    years = [(e, assignment_services.team_of(db.session, e.cohort_id, user.id)) for e in past]
    mentoring = [
        t
        for t in db.session.scalars(select(Cohort).where(Cohort.status != CohortStatus.CLOSED))
        for t in t.teams
        if t.mentor_id == user.id
    ]
    return [
        Panel("curriculum/panels/alumnus.html", order=30, context={"years": years, "mentoring": mentoring})
    ]


def provider(user: Any) -> list[Panel]:
    if not isinstance(user, User) or not user.is_active:
        return []
    now = utcnow()
    return (
        secretariat_panels(user, now)
        + participant_panels(user, now)
        + facilitator_panels(user, now)
        + coordinator_panels(user, now)
        + alumnus_panels(user, now)
    )
