"""Migrations: one head, upgrade and downgrade on a database with rows, and models == migrations."""
from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]


def test_single_head() -> None:
    cfg = Config(str(ROOT / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(cfg).get_heads()) == 1


def test_models_match_migrations(app) -> None:
    from core.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


def test_upgrade_downgrade_upgrade_with_rows(scratch_url: str, tmp_path: Path) -> None:
    from flask_migrate import downgrade, upgrade

    from core.cli import load_demo, run_sync

    app = make_app(scratch_url, tmp_path)
    with app.app_context():
        from core.extensions import db

        upgrade()
        run_sync(app)
        load_demo(app)
        users_before = db.session.execute(text('SELECT count(*) FROM "user"')).scalar()
        assert users_before and users_before > 0
        db.session.remove()
        downgrade(revision="base")
        upgrade()
        assert db.session.execute(text('SELECT count(*) FROM "user"')).scalar() == 0
        db.session.remove()
        db.engine.dispose()
