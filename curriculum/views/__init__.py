"""The curriculum blueprint; each module adds the routes of one part of the year."""

from __future__ import annotations

from curriculum.views import assignments, cohorts, modules, sessions, teams
from curriculum.views.common import bp

__all__ = ["bp", "assignments", "cohorts", "modules", "sessions", "teams"]
