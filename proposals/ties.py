"""How a person is tied to teams and cohorts, read once and remembered for the request.

Policy predicates ask these questions many times per page (menu, buttons, each row of a list). The
teams, mentored teams and facilitated cohorts come from ``curriculum.standing`` (one UNION query
shared with every other area); a coordinator's cities' teams take one more. A page's statement count
does not grow with what it shows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context
from sqlalchemy import select

from core.extensions import db
from curriculum import standing
from curriculum.models import Enrolment, EnrolmentStatus, TeamMember
from people.models import Role, User


@dataclass(frozen=True)
class Ties:
    user_id: int
    admin: bool
    member_of: frozenset[int]  # team ids
    mentor_of: frozenset[int]  # team ids
    facilitates: frozenset[int]  # cohort ids
    city_teams: frozenset[int]  # teams with a member nominated by a city the person coordinates

    def staff_for(self, cohort_id: int) -> bool:
        return self.admin or cohort_id in self.facilitates


NOBODY = Ties(0, False, frozenset(), frozenset(), frozenset(), frozenset())


def active_user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) and actor.is_active else None


def _load(user: User) -> Ties:
    mine = standing.of(user)  # teams, mentored teams, facilitated cohorts: one query shared with curriculum
    city_teams: set[int] = set()
    cities = user.coordinator_city_ids()
    if cities:
        city_teams = set(db.session.scalars(
            select(TeamMember.team_id)
            .join(Enrolment, (Enrolment.user_id == TeamMember.user_id) & (Enrolment.cohort_id == TeamMember.cohort_id))
            .where(Enrolment.city_id.in_(cities), Enrolment.status != EnrolmentStatus.WITHDRAWN)))
    return Ties(user.id, user.has_role(Role.ADMIN), frozenset(mine.teams()), frozenset(mine.mentored()),
                frozenset(mine.facilitated()), frozenset(city_teams))


def ties(actor: Any) -> Ties:
    """The person's ties (cached on ``g`` for the rest of the request)."""
    user = active_user(actor)
    if user is None:
        return NOBODY
    if not has_request_context():
        return _load(user)
    cache: dict[int, Ties] = g.setdefault("proposal_ties", {})
    if user.id not in cache:
        cache[user.id] = _load(user)
    return cache[user.id]


def forget(actor: Any) -> None:
    """Drop the cached ties (after a change of membership within the same request)."""
    if has_request_context() and isinstance(actor, User):
        g.setdefault("proposal_ties", {}).pop(actor.id, None)
        standing.forget(actor)
