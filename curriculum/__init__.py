"""Cohorts, sessions, enrolment, attendance, curriculum modules, assignments and teams."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from core import policy as core_policy
    from curriculum import policy

    core_policy.register(app, "curriculum", policy)
