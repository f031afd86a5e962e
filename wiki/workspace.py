"""A workspace as the routes see it: a team's or a cohort's space, which may not have been created yet.

Routes address workspaces as ``/teams/<team_id>/wiki/…`` and ``/cohorts/<cohort_id>/wiki/…``; the
``Space`` row appears with the first page or file. Proposal spaces are never workspaces.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.orm import Session

from curriculum.models import Cohort, Team
from wiki import revisions
from wiki.models import Space, SpaceKind

TEAMS, COHORTS = "teams", "cohorts"


@dataclass
class Workspace:
    kind: SpaceKind  # TEAM or COHORT
    cohort: Cohort
    team: Team | None
    space: Space | None

    @property
    def owner(self) -> str:
        return TEAMS if self.kind is SpaceKind.TEAM else COHORTS

    @property
    def owner_id(self) -> int:
        return self.team.id if self.team is not None else self.cohort.id

    @property
    def prefix(self) -> str:
        return f"/{self.owner}/{self.owner_id}/wiki"

    def page_path(self, slug: str) -> str:
        return f"{self.prefix}/{quote(slug)}"

    def ensure_space(self, session: Session) -> Space:
        if self.space is None:
            self.space = revisions.get_space(session, self.kind, team_id=self.team.id if self.team else None,
                                             cohort_id=None if self.team else self.cohort.id)
        assert self.space is not None
        return self.space


def load(session: Session, owner: str, owner_id: int) -> Workspace | None:
    """The workspace at ``/<owner>/<owner_id>/wiki`` or None when the team or cohort does not exist."""
    if owner == TEAMS:
        team = session.get(Team, owner_id)
        if team is None:
            return None
        space = revisions.get_space(session, SpaceKind.TEAM, team_id=team.id, create=False)
        return Workspace(SpaceKind.TEAM, team.cohort, team, space)
    if owner == COHORTS:
        cohort = session.get(Cohort, owner_id)
        if cohort is None:
            return None
        space = revisions.get_space(session, SpaceKind.COHORT, cohort_id=cohort.id, create=False)
        return Workspace(SpaceKind.COHORT, cohort, None, space)
    return None


def of_space(session: Session, space: Space) -> Workspace | None:
    """The workspace a space belongs to; None for proposal spaces (not served by the wiki)."""
    if space.kind is SpaceKind.TEAM and space.team is not None:
        return Workspace(SpaceKind.TEAM, space.team.cohort, space.team, space)
    if space.kind is SpaceKind.COHORT and space.cohort is not None:
        return Workspace(SpaceKind.COHORT, space.cohort, None, space)
    return None
