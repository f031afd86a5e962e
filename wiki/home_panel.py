"""The home page panel: my team's workspace and what changed there lately."""
from __future__ import annotations

from typing import Any

from core.extensions import db
from core.panels import Panel
from curriculum import standing
from wiki import policy, services

MAX_WORKSPACES = 3


def workspace_panels(user: Any) -> list[Panel]:
    if not policy.has_workspace(user):
        return []
    own_teams = standing.of(user).teams()
    mine = []
    for group in services.workspaces_for(db.session, user):
        if group.cohort.status.value == "closed":
            continue
        for ws, insider in group.teams:
            if insider and ws.team is not None and (ws.team.mentor_id == user.id or ws.team.id in own_teams):
                mine.append((ws, services.recent_changes(db.session, ws.space, limit=4)))
        if not mine and group.shared.space is not None:
            mine.append((group.shared, services.recent_changes(db.session, group.shared.space, limit=4)))
    if not mine:
        return []
    return [Panel("wiki/panel.html", order=30, context={"workspaces": mine[:MAX_WORKSPACES]})]
