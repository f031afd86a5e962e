"""The directory's pages (search, profiles, own profile, secretariat tools) and its JSON API."""
from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user

from core import dates
from directory import contributions
from directory.visibility import Viewer

bp = Blueprint("directory", __name__)
api = Blueprint("directory_api", __name__, url_prefix="/api/v1")


def viewer() -> Viewer:
    return Viewer.of(current_user._get_current_object())


def today():  # type: ignore[no-untyped-def]
    return dates.tokyo_now().date()


def providers() -> list[contributions.Provider]:
    return contributions.providers_of(current_app)


from directory.views import admin, api_views, profiles  # noqa: E402,F401  (routes register on import)
