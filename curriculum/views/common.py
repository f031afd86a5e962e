"""The blueprint and the small helpers every curriculum view uses."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash
from flask_wtf import FlaskForm
from sqlalchemy import select

from core.dates import utcnow
from core.errors import DomainError
from core.extensions import db
from core.i18n import current_locale
from curriculum import messages
from curriculum.models import Cohort
from people.models import City, active_cities_query

bp = Blueprint("curriculum", __name__)


def now():  # type: ignore[no-untyped-def]
    return utcnow()


def locale() -> str:
    return current_locale()


def upload_dir() -> str:
    return str(current_app.config["UPLOAD_DIR"])


def get_cohort(cohort_id: int) -> Cohort:
    return db.get_or_404(Cohort, cohort_id)


def refuse(form: FlaskForm | None, error: DomainError, *, fallback: str | None = None) -> None:
    """Show a refusal at its field (keeping what was typed), else as a message at the top."""
    text = messages.for_error(error)
    field = _field(form, error.field or fallback) if form is not None else None
    if field is not None:
        field.errors = [*field.errors, text]
    else:
        flash(text, "error")


def _field(form: Any, name: str | None) -> Any:
    if not name:
        return None
    if name.startswith("city:") and hasattr(form, "place_field"):
        return form.place_field(int(name.split(":", 1)[1]))
    return getattr(form, name, None)


def cities() -> list[City]:
    return list(db.session.scalars(active_cities_query()))


def city_choices() -> list[tuple[str, str]]:
    return [(str(c.id), c.display_name(locale())) for c in cities()]


def get_or_404(model: Any, ident: int) -> Any:
    row = db.session.get(model, ident)
    if row is None:
        abort(404)
    return row


def one_or_404(query: Any) -> Any:
    row = db.session.scalar(query)
    if row is None:
        abort(404)
    return row


__all__ = [
    "bp",
    "now",
    "locale",
    "upload_dir",
    "get_cohort",
    "refuse",
    "cities",
    "city_choices",
    "get_or_404",
    "one_or_404",
    "select",
]
