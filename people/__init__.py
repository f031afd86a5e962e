"""Accounts, roles, cities, invitations, password reset (and later the directory)."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core import nav
from core.nav import NavItem


def init_app(app: Flask) -> None:
    from core import policy as core_policy
    from people import cli, policy, views
    from people.auth import init_login

    from people.forms import ROLE_LABELS

    init_login(app)
    app.jinja_env.globals["role_label"] = lambda role: str(ROLE_LABELS[role])
    app.register_blueprint(views.bp)
    cli.init_app(app)
    core_policy.register(app, "people", policy)
    nav.register(
        app,
        NavItem("people.invitations", _l("招待"), policy.invite_any, order=80),
        NavItem("people.admin_people", _l("アカウント一覧"), policy.view_admin, order=10, section="admin"),
        NavItem("people.admin_cities", _l("連携市"), policy.manage_cities, order=20, section="admin"),
        NavItem("people.admin_audit", _l("監査ログ"), policy.view_audit, order=90, section="admin"),
    )
