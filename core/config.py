"""Settings, read from the environment once, with typed defaults that make `make run` work.

Nothing else in the code base reads ``os.environ``: areas receive settings through ``app.config``.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_PLACEHOLDERS = {"", "dev", "change-me", "changeme", "secret"}


class ConfigError(RuntimeError):
    """The configuration cannot be used (e.g. production without a real SECRET_KEY)."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    return int(value) if value not in (None, "") else default


def _dev_secret(instance: Path) -> str:
    """A per-checkout secret for development, kept in instance/ so sessions survive restarts."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(",") if part.strip())


def _offsets(value: str | None, default: str) -> tuple[timedelta, ...]:
    """"3d,1d,2h" → (3 days, 1 day, 2 hours), largest first."""
    units = {"d": "days", "h": "hours", "m": "minutes"}
    found = []
    for part in _names(value or default):
        number, unit = part[:-1], part[-1:].lower()
        if unit not in units or not number.isdecimal() or int(number) <= 0:
            raise ConfigError(f"reminder offset {part!r}: use a positive number with d, h or m (e.g. 3d,1d)")
        found.append(timedelta(**{units[unit]: int(number)}))
    return tuple(sorted(set(found), reverse=True))


def load_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the configuration mapping from environment variables (see docs/configuration.md)."""
    env = os.environ if env is None else env
    mode = env.get("RENKEI_ENV", "development")
    if mode not in {"development", "production", "test"}:
        raise ConfigError(f"RENKEI_ENV must be development, production or test, not {mode!r}")
    production = mode == "production"
    instance = Path(env.get("RENKEI_INSTANCE", ROOT / "instance"))

    secret = env.get("SECRET_KEY", "")
    if production and (secret in DEV_SECRET_PLACEHOLDERS or len(secret) < 32):
        raise ConfigError("RENKEI_ENV=production needs a SECRET_KEY of at least 32 random characters")
    if not secret:
        secret = _dev_secret(instance) if mode == "development" else secrets.token_urlsafe(32)

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'renkei.sqlite3'}"
    redis_url = env.get("REDIS_URL", "")

    return {
        "RENKEI_ENV": mode,
        "TESTING": mode == "test",
        "SECRET_KEY": secret,
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SERVER_NAME": env.get("SERVER_NAME") or None,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000"),
        # Sessions and cookies
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int(env.get("SESSION_HOURS"), 12)),
        # CSRF: a long wiki edit must not lose its token (tech.md §5)
        "WTF_CSRF_TIME_LIMIT": _int(env.get("CSRF_TIME_LIMIT"), 8 * 3600),
        "WTF_CSRF_ENABLED": _bool(env.get("WTF_CSRF_ENABLED"), True),
        # i18n
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        "LANGUAGES": ("ja", "en"),
        # Rate limits: memory per process by default, Redis in production (tech.md §5)
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LOCKOUT_ATTEMPTS": _int(env.get("LOGIN_LOCKOUT_ATTEMPTS"), 5),
        "LOGIN_LOCKOUT_MINUTES": _int(env.get("LOGIN_LOCKOUT_MINUTES"), 15),
        # Tokens
        "INVITATION_DAYS": _int(env.get("INVITATION_DAYS"), 14),
        "PASSWORD_RESET_HOURS": _int(env.get("PASSWORD_RESET_HOURS"), 2),
        # Mail: "console" prints (make run), "memory" collects (tests), "smtp" sends
        "MAIL_BACKEND": env.get("MAIL_BACKEND") or ("smtp" if production else "console"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int(env.get("MAIL_PORT"), 25),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), False),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL"), False),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Renkei <no-reply@renkei.example.jp>"),
        # Files
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(instance / "uploads"),
        "MAX_CONTENT_LENGTH": _int(env.get("MAX_UPLOAD_MB"), 25) * 1024 * 1024,
        "BACKUP_DIR": env.get("BACKUP_DIR") or str(instance / "backups"),
        "BACKUP_KEEP": _int(env.get("BACKUP_KEEP"), 7),
        # Scheduler: in-process only when asked (make run); production runs `flask scheduler`
        "RUN_SCHEDULER": _bool(env.get("RENKEI_RUN_SCHEDULER"), False),
        "SCHEDULER_DISABLED_JOBS": _names(env.get("SCHEDULER_DISABLED_JOBS")),
        "SCHEDULER_CLOCK": env.get("RENKEI_SCHEDULER_CLOCK", ""),  # tests only: simulated time
        "JOB_RUN_RETENTION_DAYS": _int(env.get("JOB_RUN_RETENTION_DAYS"), 30),
        "TOKEN_RETENTION_DAYS": _int(env.get("TOKEN_RETENTION_DAYS"), 30),
        # Notifications
        "NOTIFY_DELIVER_SECONDS": _int(env.get("NOTIFY_DELIVER_SECONDS"), 60),
        "NOTIFY_MAX_ATTEMPTS": _int(env.get("NOTIFY_MAX_ATTEMPTS"), 6),
        "REMINDER_OFFSETS": _offsets(env.get("REMINDER_OFFSETS"), "3d,1d"),
        "PROXY_FIX": _int(env.get("PROXY_FIX"), 0),
    }
