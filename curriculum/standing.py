"""A person's standing in the curriculum (cohorts they run, enrolments, teams, cities' places), read
once per request so that every policy question on a page costs no further query."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import select

from core.extensions import db
from curriculum.models import CityQuota, CohortFacilitator, Enrolment, Team, TeamMember
from people.models import Role, User


class Standing:
    def __init__(self, user: User) -> None:
        self.user = user
        self._facilitated: frozenset[int] | None = None
        self._enrolments: dict[int, Enrolment] | None = None
        self._teams: dict[int, int] | None = None
        self._coordinated: frozenset[int] | None = None
        self._mentored: dict[int, int] | None = None

    def facilitated(self) -> frozenset[int]:
        """Ids of the cohorts this person is named facilitator of."""
        if self._facilitated is None:
            if not self.user.has_role(Role.FACILITATOR):
                self._facilitated = frozenset()
            else:
                self._facilitated = frozenset(
                    db.session.scalars(
                        select(CohortFacilitator.cohort_id).where(CohortFacilitator.user_id == self.user.id)
                    )
                )
        return self._facilitated

    def enrolments(self) -> dict[int, Enrolment]:
        """Cohort id → this person's enrolment (any status)."""
        if self._enrolments is None:
            rows = db.session.scalars(select(Enrolment).where(Enrolment.user_id == self.user.id))
            self._enrolments = {e.cohort_id: e for e in rows}
        return self._enrolments

    def teams(self) -> dict[int, int]:
        """Team id → cohort id, for the teams this person is a member of."""
        if self._teams is None:
            rows = db.session.execute(
                select(TeamMember.team_id, TeamMember.cohort_id).where(TeamMember.user_id == self.user.id)
            )
            self._teams = {team_id: cohort_id for team_id, cohort_id in rows}
        return self._teams

    def mentored(self) -> dict[int, int]:
        """Team id → cohort id, for the teams this person mentors (an alumnus, usually)."""
        if self._mentored is None:
            rows = db.session.execute(select(Team.id, Team.cohort_id).where(Team.mentor_id == self.user.id))
            self._mentored = {team_id: cohort_id for team_id, cohort_id in rows}
        return self._mentored

    def coordinated(self) -> frozenset[int]:
        """Ids of the cohorts in which one of this person's cities (as coordinator) has places."""
        if self._coordinated is None:
            cities = self.user.coordinator_city_ids()
            if not cities:
                self._coordinated = frozenset()
            else:
                self._coordinated = frozenset(
                    db.session.scalars(
                        select(CityQuota.cohort_id).where(CityQuota.city_id.in_(cities)).distinct()
                    )
                )
        return self._coordinated


def of(user: Any) -> Standing:
    """The standing of ``user``; kept for the rest of the request when there is one."""
    if not has_request_context():
        return Standing(user)
    cache: dict[int, Standing] = g.setdefault("curriculum_standing", {})
    if user.id not in cache:
        cache[user.id] = Standing(user)
    return cache[user.id]
