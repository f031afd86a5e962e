from pathlib import Path

import pytest

from core.config import ConfigError, load_config


def test_production_refuses_missing_or_weak_secret(tmp_path: Path) -> None:
    for secret in ("", "dev", "short-secret"):
        with pytest.raises(ConfigError):
            load_config({"RENKEI_ENV": "production", "SECRET_KEY": secret, "RENKEI_INSTANCE": str(tmp_path)})


def test_production_with_real_secret_has_secure_cookies(tmp_path: Path) -> None:
    cfg = load_config({"RENKEI_ENV": "production", "SECRET_KEY": "x" * 48, "RENKEI_INSTANCE": str(tmp_path),
                       "DATABASE_URL": "postgresql+psycopg://db/renkei", "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["SESSION_COOKIE_HTTPONLY"] is True
    assert cfg["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert cfg["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
    assert cfg["MAIL_BACKEND"] == "smtp"


def test_development_defaults_work_without_any_setting(tmp_path: Path) -> None:
    cfg = load_config({"RENKEI_INSTANCE": str(tmp_path)})
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'renkei.sqlite3'}"
    assert cfg["MAIL_BACKEND"] == "console"
    assert cfg["RATELIMIT_STORAGE_URI"] == "memory://"
    assert cfg["SESSION_COOKIE_SECURE"] is False
    # the development secret is kept so sessions survive a restart
    assert load_config({"RENKEI_INSTANCE": str(tmp_path)})["SECRET_KEY"] == cfg["SECRET_KEY"]
    assert cfg["WTF_CSRF_TIME_LIMIT"] >= 8 * 3600


def test_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load_config({"RENKEI_ENV": "staging", "RENKEI_INSTANCE": str(tmp_path)})
