"""Notifications: events become in-app notifications and e-mails (immediate or in digests), with
preferences per kind, quiet hours, one-click unsubscribe; plus the scheduler's jobs page."""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from core import events, nav
from core.nav import NavItem


def _on_event(session: Session, event: events.Event, **_: Any) -> None:
    """Listener for core.events: writes rows in the publisher's session (same transaction)."""
    from core.scheduler import current_time
    from notify import services

    services.record_event(session, event, now=current_time())


def init_app(app: Flask) -> None:
    from core import policy as core_policy
    from notify import cli, jobs, policy, views

    app.register_blueprint(views.bp)
    core_policy.register(app, "notify", policy)
    events.happened.connect(_on_event, weak=False)
    jobs.register(app)
    cli.init_app(app)
    nav.register_stylesheet(app, "css/notify.css")
    nav.register(app, NavItem("notify.admin_jobs", _l("ジョブと配信"), policy.view_jobs, order=60,
                              section="admin"))
