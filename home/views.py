"""The signed-in home page and the health check."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from core import panels
from core.extensions import db
from core.security import public

bp = Blueprint("home", __name__)


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    return render_template("home/index.html", panels=panels.panels_for(current_app, current_user))


@bp.route("/healthz")
@public
def healthz():  # type: ignore[no-untyped-def]
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # noqa: BLE001 - any failure means "not ok"; the details stay in the log
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        database = "error"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database,
                   dialect=db.engine.dialect.name), status
