"""The wiki migration goes down and up again with pages in it (wiki_page and wiki_revision point at each other)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.conftest import make_app


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
