"""Who may do what in a cohort. Deny by default; a coordinator's powers stop at their own city."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.extensions import db
from curriculum.models import Cohort, CohortFacilitator, Enrolment, EnrolmentStatus, Team, TeamMember
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
    if not user.has_role(Role.FACILITATOR):
        return False
    return db.session.scalar(select(CohortFacilitator.id).where(
        CohortFacilitator.cohort_id == cohort.id, CohortFacilitator.user_id == user.id)) is not None


def enrolment_of(actor: Any, cohort: Cohort) -> Enrolment | None:
    user = _user(actor)
    if user is None:
        return None
    return db.session.scalar(select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id))


def takes_part(actor: Any, cohort: Cohort) -> bool:
    """An enrolled (or completed) participant of this cohort."""
    enrolment = enrolment_of(actor, cohort)
    return enrolment is not None and enrolment.status is not EnrolmentStatus.WITHDRAWN


def coordinates(actor: Any, city_id: int) -> bool:
    user = _user(actor)
    return bool(user and city_id in user.coordinator_city_ids())


def in_team(actor: Any, team: Team) -> bool:
    user = _user(actor)
    if user is None:
        return False
    return db.session.scalar(select(TeamMember.id).where(TeamMember.team_id == team.id,
                                                         TeamMember.user_id == user.id)) is not None


def mentors(actor: Any, team: Team) -> bool:
    user = _user(actor)
    return bool(user and team.mentor_id == user.id)
