"""Locale selection (Japanese first, English on request) and the date/text filters templates use."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, request, session
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup

from core import dates, text
from core.config import ROOT
from core.extensions import babel

SUPPORTED = ("ja", "en")


def translation_directories() -> str:
    """One catalogue per area under translations/<area>/ (merged by Flask-Babel at load time)."""
    base = ROOT / "translations"
    dirs = sorted(str(p) for p in base.iterdir() if p.is_dir()) if base.exists() else []
    return ";".join(dirs) or str(base)


def select_locale() -> str:
    wanted = request.args.get("lang")
    if wanted in SUPPORTED:
        session["lang"] = wanted
    if session.get("lang") in SUPPORTED:
        return str(session["lang"])
    user_locale = getattr(current_user, "locale", None) if current_user else None
    if user_locale in SUPPORTED:
        return str(user_locale)
    return request.accept_languages.best_match(SUPPORTED) or "ja"


def current_locale() -> str:
    loc = get_locale()
    return loc.language if loc is not None else "ja"


def _jst(value: datetime | None) -> str:
    return dates.format_datetime_jst(value, current_locale()) if value else ""


def _date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = dates.to_tokyo(value).date()
    if current_locale() == "ja":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%-d %b %Y")


def _wareki(value: date | datetime | None, short: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = dates.to_tokyo(value).date()
    return dates.wareki(value, short=short)


def _fiscal_year(fy: int | None) -> str:
    return dates.fiscal_year_label(fy, current_locale()) if fy else ""


def _iso(value: datetime | None) -> str:
    return dates.to_tokyo(value).isoformat() if value else ""


def _markdown(source: str | None) -> Markup:
    return text.render_markdown(source)


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", translation_directories())
    babel.init_app(app, locale_selector=select_locale, timezone_selector=lambda: "Asia/Tokyo")
    app.jinja_env.filters.update(
        jst=_jst, date_jst=_date, wareki=_wareki, fiscal_year=_fiscal_year, iso_jst=_iso,
        markdown=_markdown,
    )
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["SUPPORTED_LOCALES"] = SUPPORTED
    app.jinja_env.add_extension("jinja2.ext.i18n")  # {% trans %} blocks, wired to Babel


__all__ = ["init_app", "select_locale", "current_locale", "translation_directories", "Path"]
