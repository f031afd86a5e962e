"""The cumulative participant directory: profiles, privacy per field, search in any script, upkeep.

It needs cohorts and teams (curriculum), so it sits above curriculum; proposals link their work
to profiles through ``directory.contributions``.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core import nav, panels
from core.nav import NavItem


def init_app(app: Flask) -> None:
    from core import policy as core_policy
    from core.scheduler import register_job
    from directory import cli, index, jobs, policy
    from directory.home_panels import confirmation_panel
    from directory.views import api, bp

    from core.search import highlight
    from directory.forms import VISIBILITY_LABELS

    index.listen()
    app.jinja_env.globals["highlight"] = highlight
    app.jinja_env.globals["visibility_label"] = lambda v: str(VISIBILITY_LABELS[v])
    app.register_blueprint(bp)
    app.register_blueprint(api)
    cli.init_app(app)
    core_policy.register(app, "directory", policy)
    nav.register_stylesheet(app, "css/directory.css")
    panels.register(app, confirmation_panel)
    register_job(app, "directory-confirmation", jobs.confirmation_round_job, {"month": 4, "day": 1, "hour": 9},
                 _l("年度初めの所属・役職の確認を始める"), grace_seconds=14 * 86400)
    nav.register(
        app,
        NavItem("directory.index", _l("名簿"), policy.view_directory, order=30, match="/directory"),
        NavItem("directory.me", _l("プロフィール"), policy.edit_own_profile, order=35, match="/me/"),
        NavItem("directory.unconfirmed", _l("所属の確認状況"), policy.view_unconfirmed, order=70),
        NavItem("directory.import_people", _l("名簿の取り込み"), policy.manage_directory, order=41, section="admin"),
        NavItem("directory.erasure_requests", _l("削除依頼"), policy.manage_directory, order=42, section="admin"),
    )
