"""The home page ("this week"): panels contributed by each area, nothing of its own to decide."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from home import views

    app.register_blueprint(views.bp)
