"""Cohorts, sessions, enrolment, attendance, curriculum modules, assignments and teams."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core import nav
from core import panels as core_panels
from core.nav import NavItem


def _coordinator_menu(user: object) -> bool:
    from curriculum import policy

    return policy.coordinates_any(user) and not policy.runs_cohorts(user)


def init_app(app: Flask) -> None:
    from core import policy as core_policy
    from curriculum import caselinks, cli, forms, policy
    from curriculum import panels as home_panels
    from curriculum.views import bp

    app.register_blueprint(bp)
    cli.init_app(app)
    core_policy.register(app, "curriculum", policy)
    from curriculum import jobs

    jobs.register(app)
    core_panels.register(app, home_panels.provider)
    nav.register_stylesheet(app, "css/curriculum.css")
    app.jinja_env.globals.update(
        interest_label=forms.interest_label,
        attendance_labels=forms.ATTENDANCE_LABELS,
        submission_status_labels=forms.STATUS_LABELS,
        assignment_kind_labels=forms.KIND_LABELS,
        case_links=caselinks.case_links,
    )
    nav.register(
        app,
        NavItem("curriculum.study", _l("研修"), policy.studies, order=20, match="/study"),
        NavItem("curriculum.cohorts", _l("期の運営"), policy.runs_cohorts, order=30, match="/cohorts"),
        NavItem("curriculum.cohorts", _l("参加者の推薦"), _coordinator_menu, order=30, match="/cohorts"),
        NavItem("curriculum.library", _l("モジュール"), policy.list_cohorts, order=40, match="/modules"),
        NavItem("curriculum.cohorts", _l("期と参加枠"), policy.manage_cohorts, order=30, section="admin"),
    )
