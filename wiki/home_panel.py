"""The home page panel: my team's workspace and what changed there lately.

Read from the per-request standing (teams, mentored teams, enrolments) and one query for the spaces,
so the home page costs the same whatever the number of cohorts, teams and pages.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from core.extensions import db
from core.panels import Panel
from curriculum import standing
from curriculum.models import Cohort, CohortStatus, EnrolmentStatus, Team
from people.models import Role
from wiki import policy, services
from wiki.models import Space, SpaceKind
from wiki.workspace import Workspace

MAX_WORKSPACES = 3


def _own_team_workspaces(user: Any) -> list[Workspace]:
    mine = standing.of(user)
    team_ids = set(mine.teams()) | set(mine.mentored())
    if not team_ids:
        return []
    rows = db.session.execute(
        select(Space, Team).join(Team, Space.team_id == Team.id).join(Cohort, Team.cohort_id == Cohort.id)
        .where(Space.kind == SpaceKind.TEAM, Team.id.in_(team_ids), Cohort.status != CohortStatus.CLOSED)
        .options(contains_eager(Space.team).contains_eager(Team.cohort))
        .order_by(Cohort.fiscal_year.desc(), Team.number)).all()
    return [Workspace(SpaceKind.TEAM, team.cohort, team, space) for space, team in rows]


def _cohort_workspace(user: Any) -> Workspace | None:
    """The shared space of the newest running cohort the person is in (when they have no team yet)."""
    query = (select(Space, Cohort).join(Cohort, Space.cohort_id == Cohort.id)
             .where(Space.kind == SpaceKind.COHORT, Cohort.status != CohortStatus.CLOSED)
             .order_by(Cohort.fiscal_year.desc()).limit(1))
    if not user.has_role(Role.ADMIN):  # the secretariat is at home in every cohort
        mine = standing.of(user)
        cohort_ids = set(mine.facilitated()) | {c for c, e in mine.enrolments().items()
                                                if e.status is not EnrolmentStatus.WITHDRAWN}
        if not cohort_ids:
            return None
        query = query.where(Cohort.id.in_(cohort_ids))
    row = db.session.execute(query).first()
    return Workspace(SpaceKind.COHORT, row[1], None, row[0]) if row else None


def workspace_panels(user: Any) -> list[Panel]:
    if not policy.has_workspace(user):
        return []
    spaces = [ws for ws in _own_team_workspaces(user) if policy.insider(user, ws)][:MAX_WORKSPACES]
    if not spaces:
        shared = _cohort_workspace(user)
        spaces = [shared] if shared is not None else []
    if not spaces:
        return []
    mine = [(ws, services.recent_changes(db.session, ws.space, limit=4)) for ws in spaces]
    return [Panel("wiki/panel.html", order=30, context={"workspaces": mine})]
