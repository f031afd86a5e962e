"""Routes of the wiki area, one module per role: workspace pages, history, page management, files,
the case library and search."""
from __future__ import annotations

from flask import Flask

from wiki.views.blueprints import bp, cases_bp, search_bp


def register(app: Flask) -> None:
    from wiki.views import cases, files, history, manage, pages, search  # noqa: F401  (attach the routes)

    for blueprint in (bp, cases_bp, search_bp):
        app.register_blueprint(blueprint)
