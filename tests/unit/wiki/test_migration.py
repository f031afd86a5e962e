"""The wiki migration goes down and up again with pages in it (wiki_page and wiki_revision point at each other)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import IS_POSTGRES, TEST_DB, make_app, reset_postgres_schema


@pytest.fixture()
def scratch_url(tmp_path: Path) -> str:
    if IS_POSTGRES:  # a scratch database named after this run's own test database
        base, name = TEST_DB.rsplit("/", 1)
        url = f"{base}/{name}_scratch"
        admin = create_engine(TEST_DB, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}_scratch"'))
            conn.execute(text(f'CREATE DATABASE "{name}_scratch" TEMPLATE template0 ENCODING \'UTF8\''))
        admin.dispose()
        reset_postgres_schema(url)
        return url
    return f"sqlite:///{tmp_path / 'wiki-migration.sqlite3'}"


def test_downgrade_and_upgrade_with_pages_revisions_and_search_entries(scratch_url: str, tmp_path: Path) -> None:
    from flask_migrate import downgrade, upgrade

    app = make_app(scratch_url, tmp_path)
    with app.app_context():
        from core.extensions import db
        from tests import factories
        from tests import factories_wiki as fw

        upgrade()
        author = factories.participant()
        team = fw.team(fw.cohort(), author)
        fw.page(fw.team_space(team), "議事録", "第1回", author=author, history=("第1回と第2回",))
        assert db.session.execute(text("SELECT count(*) FROM wiki_revision")).scalar() == 2
        db.session.remove()
        downgrade(revision="0002")
        upgrade()
        assert db.session.execute(text("SELECT count(*) FROM wiki_page")).scalar() == 0
        assert db.session.execute(text("SELECT count(*) FROM search_entry")).scalar() == 0
        db.session.remove()
        db.engine.dispose()
