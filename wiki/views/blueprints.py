"""The area's three blueprints; route modules attach their views to them."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("wiki", __name__)  # /wiki, /teams/<id>/wiki/…, /cohorts/<id>/wiki/…
cases_bp = Blueprint("cases", __name__)  # /cases …
search_bp = Blueprint("search", __name__)  # /search
