"""Migrations: one head, upgrade and downgrade on a database with rows, and models == migrations."""
from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from tests.conftest import IS_POSTGRES, TEST_DB, make_app, reset_postgres_schema

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


@pytest.fixture()
def scratch_url(tmp_path: Path) -> str:
    if IS_POSTGRES:
        base, name = TEST_DB.rsplit("/", 1)
        scratch = f"{name}_migrations"  # beside the test database (one per xdist worker)
        url = f"{base}/{scratch}"
        admin = create_engine(TEST_DB, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}"'))
            conn.execute(text(f'CREATE DATABASE "{scratch}" TEMPLATE template0 ENCODING \'UTF8\''))
        admin.dispose()
        reset_postgres_schema(url)
        return url
    return f"sqlite:///{tmp_path / 'migrations.sqlite3'}"


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
