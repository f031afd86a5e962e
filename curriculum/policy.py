"""Who may do what in a cohort. Deny by default; a coordinator's powers stop at their own city.

Views call these through ``core.security.authorize``; templates as ``can.curriculum.<name>(user, …)``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.dates import utcnow
from core.extensions import db
from curriculum import standing
from curriculum.models import (
    Assignment,
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    StudySession,
    Submission,
    Team,
)
from people.models import Role, User


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) and actor.is_active else None


def is_admin(actor: Any) -> bool:
    user = _user(actor)
    return bool(user and user.has_role(Role.ADMIN))


def facilitates(actor: Any, cohort: Cohort) -> bool:
    """Named facilitator of this cohort (the secretariat counts as one everywhere)."""
    user = _user(actor)
    if user is None:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return cohort.id in standing.of(user).facilitated()


def enrolment_of(actor: Any, cohort: Cohort) -> Enrolment | None:
    user = _user(actor)
    if user is None:
        return None
    return standing.of(user).enrolments().get(cohort.id)


def takes_part(actor: Any, cohort: Cohort) -> bool:
    """An enrolled (or completed) participant of this cohort."""
    enrolment = enrolment_of(actor, cohort)
    return enrolment is not None and enrolment.status is not EnrolmentStatus.WITHDRAWN


def coordinates(actor: Any, city_id: int) -> bool:
    user = _user(actor)
    return bool(user and city_id in user.coordinator_city_ids())


def in_team(actor: Any, team: Team) -> bool:
    user = _user(actor)
    return user is not None and team.id in standing.of(user).teams()


def team_in(actor: Any, cohort: Cohort) -> Team | None:
    """The person's team in this cohort, if any."""
    user = _user(actor)
    if user is None:
        return None
    team_id = next((t for t, c in standing.of(user).teams().items() if c == cohort.id), None)
    return db.session.get(Team, team_id) if team_id is not None else None


def mentors(actor: Any, team: Team) -> bool:
    user = _user(actor)
    return bool(user and team.mentor_id == user.id)


# --- menus -----------------------------------------------------------------------------------------


def studies(actor: Any) -> bool:
    """Has a study record to open: a participant now, or an alumnus of an earlier year."""
    user = _user(actor)
    return bool(user and user.has_role(Role.PARTICIPANT, Role.ALUMNUS))


def runs_cohorts(actor: Any) -> bool:
    """The 期の運営 menu: facilitators and the secretariat."""
    user = _user(actor)
    return bool(user and user.has_role(Role.ADMIN, Role.FACILITATOR))


def coordinates_any(actor: Any) -> bool:
    user = _user(actor)
    return bool(user and user.coordinator_city_ids())


def list_cohorts(actor: Any) -> bool:
    user = _user(actor)
    return user is not None


# --- cohorts ---------------------------------------------------------------------------------------


def manage_cohorts(actor: Any) -> bool:
    """Open, edit and close cohorts; name facilitators; set places."""
    return is_admin(actor)


def coordinates_in(actor: Any, cohort: Cohort) -> bool:
    """A coordinator of a city that has places in this cohort."""
    user = _user(actor)
    return user is not None and cohort.id in standing.of(user).coordinated()


def view_cohort(actor: Any, cohort: Cohort) -> bool:
    return facilitates(actor, cohort) or takes_part(actor, cohort) or coordinates_in(actor, cohort)


def view_enrolment(actor: Any, cohort: Cohort) -> bool:
    """The enrolment overview (a coordinator sees their own city's people there)."""
    return facilitates(actor, cohort) or coordinates_in(actor, cohort)


def nominate(actor: Any, cohort: Cohort) -> bool:
    """Enrol participants: the secretariat for any city, a coordinator for their own."""
    if cohort.status is CohortStatus.CLOSED:
        return False
    return is_admin(actor) or coordinates_in(actor, cohort)


def nominate_for(actor: Any, cohort: Cohort, city_id: int) -> bool:
    return nominate(actor, cohort) and (is_admin(actor) or coordinates(actor, city_id))


def withdraw(actor: Any, enrolment: Enrolment) -> bool:
    """The participant themself, their city's coordinator, or the secretariat (the service refuses
    when there is nothing to withdraw: already withdrawn, or the year has ended)."""
    user = _user(actor)
    if user is None:
        return False
    return user.id == enrolment.user_id or coordinates(user, enrolment.city_id) or is_admin(user)


def can_withdraw_now(actor: Any, enrolment: Enrolment) -> bool:
    """Show the withdraw button: allowed, and still taking part in a running year."""
    return (
        withdraw(actor, enrolment)
        and enrolment.status is EnrolmentStatus.ENROLLED
        and not enrolment.cohort.is_closed
    )


def edit_interests(actor: Any, enrolment: Enrolment) -> bool:
    user = _user(actor)
    return bool(
        user
        and user.id == enrolment.user_id
        and enrolment.status is EnrolmentStatus.ENROLLED
        and not enrolment.cohort.is_closed
    )


def see_person_in(actor: Any, cohort: Cohort, city_id: int) -> bool:
    """Names and progress of a city's participants: staff of the cohort or that city's coordinator."""
    return facilitates(actor, cohort) or coordinates(actor, city_id)


# --- sessions, modules, assignments ---------------------------------------------------------------


def run_cohort(actor: Any, cohort: Cohort) -> bool:
    """Schedule sessions, take attendance, adapt modules, post assignments, form teams."""
    return facilitates(actor, cohort) and not cohort.is_closed


def view_session(actor: Any, row: StudySession) -> bool:
    return view_cohort(actor, row.cohort)


def learn(actor: Any, cohort: Cohort) -> bool:
    """Mark modules done: an enrolled participant while the year runs."""
    enrolment = enrolment_of(actor, cohort)
    return bool(enrolment and enrolment.status is EnrolmentStatus.ENROLLED and not cohort.is_closed)


def view_progress(actor: Any, cohort: Cohort) -> bool:
    return facilitates(actor, cohort) or coordinates_in(actor, cohort)


def view_assignment(actor: Any, assignment: Assignment, now: datetime | None = None) -> bool:
    """Facilitators always; once published, the participants and the coordinators of the cohort."""
    if facilitates(actor, assignment.cohort):
        return True
    published = assignment.is_published(now or utcnow())
    return published and (takes_part(actor, assignment.cohort) or coordinates_in(actor, assignment.cohort))


def submit(actor: Any, assignment: Assignment, now: datetime | None = None) -> bool:
    """Hand in work (the service also checks the deadline and the team)."""
    enrolment = enrolment_of(actor, assignment.cohort)
    return bool(
        enrolment
        and enrolment.status is EnrolmentStatus.ENROLLED
        and not assignment.cohort.is_closed
        and assignment.is_published(now or utcnow())
    )


def view_submission(actor: Any, submission: Submission) -> bool:
    """Facilitators of the cohort, the person, or a member of the team — never another team."""
    user = _user(actor)
    if user is None:
        return False
    if facilitates(user, submission.assignment.cohort):
        return True
    if submission.user_id is not None:
        return submission.user_id == user.id
    return submission.team is not None and in_team(user, submission.team)


def give_feedback(actor: Any, submission: Submission) -> bool:
    return run_cohort(actor, submission.assignment.cohort)


def view_submissions(actor: Any, cohort: Cohort) -> bool:
    """The matrix, its CSV and the zip archives."""
    return facilitates(actor, cohort)


# --- teams -----------------------------------------------------------------------------------------


def view_teams(actor: Any, cohort: Cohort) -> bool:
    if facilitates(actor, cohort):
        return True
    return cohort.teams_published and takes_part(actor, cohort)


def view_team(actor: Any, team: Team) -> bool:
    """Staff of the cohort, the members, the mentor, and (once published) the cohort's participants."""
    if facilitates(actor, team.cohort) or in_team(actor, team) or mentors(actor, team):
        return True
    return team.cohort.teams_published and takes_part(actor, team.cohort)


def form_teams(actor: Any, cohort: Cohort) -> bool:
    return run_cohort(actor, cohort)


def edit_team(actor: Any, team: Team) -> bool:
    return run_cohort(actor, team.cohort)


# --- calendar --------------------------------------------------------------------------------------


def own_calendar(actor: Any) -> bool:
    return _user(actor) is not None
