"""Scheduled work of the curriculum area.

``announce_assignments`` tells participants about assignments whose publish time has come
(``assignment.posted``). It selects what is due and not yet announced, announces, and marks it
announced in the same transaction, so running it twice (or in two processes) announces once.
Run it every few minutes from the scheduler process, or with ``flask curriculum announce``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from curriculum.services import assignments

def announce_assignments(session: Session, *, now: datetime) -> int:
    """Announce every published, not yet announced assignment; returns how many. The caller commits."""
    return assignments.announce_due(session, now=now)


def enrolled_ids(session: Session, cohort_id: int) -> list[int]:
    from sqlalchemy import select

    from curriculum.models import Enrolment, EnrolmentStatus

    return list(session.scalars(select(Enrolment.user_id).where(
        Enrolment.cohort_id == cohort_id, Enrolment.status == EnrolmentStatus.ENROLLED)))


def missing_ids(session: Session, assignment) -> list[int]:  # type: ignore[no-untyped-def]
    """Enrolled people who have not submitted (for a team assignment: members of teams without a submission)."""
    from sqlalchemy import select

    from curriculum.models import AssignmentKind, Submission, TeamMember

    enrolled = set(enrolled_ids(session, assignment.cohort_id))
    if assignment.kind is AssignmentKind.TEAM:
        done_teams = set(session.scalars(select(Submission.team_id).where(
            Submission.assignment_id == assignment.id, Submission.team_id.is_not(None))))
        members = session.execute(select(TeamMember.user_id, TeamMember.team_id).where(
            TeamMember.cohort_id == assignment.cohort_id)).all()
        return sorted(uid for uid, team_id in members if team_id not in done_teams and uid in enrolled)
    done = set(session.scalars(select(Submission.user_id).where(
        Submission.assignment_id == assignment.id, Submission.user_id.is_not(None))))
    return sorted(enrolled - done)


def remind_assignments(session: Session, *, now: datetime, offsets) -> int:  # type: ignore[no-untyped-def]
    """Remind those who have not submitted, 3 days and 1 day before each due date (once each)."""
    from sqlalchemy import select

    from curriculum.models import Assignment
    from notify.reminders import remind_once

    horizon = max(offsets)
    rows = session.scalars(select(Assignment).where(Assignment.publish_at <= now, Assignment.due_at > now,
                                                    Assignment.due_at <= now + horizon))
    sent = 0
    for a in rows:
        result = remind_once(session, key=f"assignment:{a.id}@{a.due_at:%Y%m%d%H%M}", user_ids=missing_ids(session, a),
                             kind="deadline.near", target_type="assignment", target_id=a.id,
                             url=f"/assignments/{a.id}", params={"title": a.title}, due_at=a.due_at,
                             offsets=offsets, now=now)
        sent += len(result.user_ids)
    return sent


def remind_sessions(session: Session, *, now: datetime) -> int:
    """Tell every enrolled participant about a session the day before (once)."""
    from datetime import timedelta

    from sqlalchemy import select

    from curriculum.models import StudySession
    from notify.reminders import remind_once

    sent = 0
    for row in session.scalars(select(StudySession).where(StudySession.starts_at > now,
                                                          StudySession.starts_at <= now + timedelta(days=1))):
        result = remind_once(session, key=f"session:{row.id}@{row.starts_at:%Y%m%d%H%M}",
                             user_ids=enrolled_ids(session, row.cohort_id), kind="session.reminder",
                             target_type="session", target_id=row.id, url=f"/sessions/{row.id}",
                             params={"title": row.title},
                             due_at=row.starts_at, offsets=(timedelta(days=1),), now=now)
        sent += len(result.user_ids)
    return sent


def register(app) -> None:  # type: ignore[no-untyped-def]
    """Register the curriculum's periodic work with the scheduler process (core.scheduler)."""
    from flask_babel import lazy_gettext as _l

    from core.scheduler import JobContext, register_job

    def _announce(ctx: JobContext) -> str:
        return f"{announce_assignments(ctx.session, now=ctx.now)} announced"

    def _assignments(ctx: JobContext) -> str:
        return f"{remind_assignments(ctx.session, now=ctx.now, offsets=ctx.config['REMINDER_OFFSETS'])} reminded"

    def _sessions(ctx: JobContext) -> str:
        return f"{remind_sessions(ctx.session, now=ctx.now)} reminded"

    register_job(app, "assignment-announcements", _announce, {"minutes": 5}, _l("公開時刻が来た課題を知らせる"))
    register_job(app, "assignment-reminders", _assignments, {"minute": 5}, _l("課題の締切前のお知らせを送る"))
    register_job(app, "session-reminders", _sessions, {"minute": 10}, _l("前日に回のお知らせを送る"))
