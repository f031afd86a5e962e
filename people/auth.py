"""Flask-Login wiring: sessions carry the user id and a version that a password change bumps."""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.extensions import db, login_manager
from people.models import User


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "people.login"
    login_manager.login_message = _l("ログインしてください。")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(user_id: str) -> User | None:
        try:
            ident, version = (int(part) for part in user_id.split(":", 1))
        except ValueError:
            return None
        user = db.session.get(User, ident)
        if user is None or user.session_version != version or not user.is_active or user.anonymized_at:
            return None
        return user
