"""A person's standing in the curriculum (cohorts they run, enrolments, teams, cities' places), read
once per request so that every policy question on a page costs no further query. Other areas
(proposals' ties, wiki policy) build on it rather than asking again."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import literal, select, union_all

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

    def _load_ties(self) -> None:
        """Teams, mentored teams and facilitated cohorts in one UNION (most pages ask about all three)."""
        parts = [
            select(literal("m"), TeamMember.team_id, TeamMember.cohort_id).where(TeamMember.user_id == self.user.id),
            select(literal("t"), Team.id, Team.cohort_id).where(Team.mentor_id == self.user.id),
        ]
        if self.user.has_role(Role.FACILITATOR):
            parts.append(select(literal("f"), CohortFacilitator.cohort_id, CohortFacilitator.cohort_id)
                         .where(CohortFacilitator.user_id == self.user.id))
        teams: dict[int, int] = {}
        mentored: dict[int, int] = {}
        facilitated: set[int] = set()
        for kind, key, cohort_id in db.session.execute(union_all(*parts)):
            if kind == "m":
                teams[key] = cohort_id
            elif kind == "t":
                mentored[key] = cohort_id
            else:
                facilitated.add(key)
        self._teams, self._mentored, self._facilitated = teams, mentored, frozenset(facilitated)

    def facilitated(self) -> frozenset[int]:
        """Ids of the cohorts this person is named facilitator of."""
        if self._facilitated is None:
            self._load_ties()
        assert self._facilitated is not None
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
            self._load_ties()
        assert self._teams is not None
        return self._teams

    def mentored(self) -> dict[int, int]:
        """Team id → cohort id, for the teams this person mentors (an alumnus, usually)."""
        if self._mentored is None:
            self._load_ties()
        assert self._mentored is not None
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


def forget(user: Any) -> None:
    """Drop the remembered standing (after a change of membership within the same request)."""
    if has_request_context() and getattr(user, "id", None) is not None:
        g.setdefault("curriculum_standing", {}).pop(user.id, None)
