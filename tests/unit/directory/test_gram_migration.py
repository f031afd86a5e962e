"""Migration 0009 puts each gram's person into the gram table: down and up again, nothing is lost."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from tests.conftest import make_app

WITH_PERSON = ("SELECT g.gram, g.user_id, g.field_id, f.user_id FROM directory_gram g "
               "JOIN directory_field f ON f.id = g.field_id")


def test_the_person_of_every_gram_survives_down_and_up(scratch_url: str, tmp_path: Path) -> None:
    from flask_migrate import downgrade, upgrade

    app = make_app(scratch_url, tmp_path)
    with app.app_context():
        from core.extensions import db
        from directory.search import matching_ids
        from directory.visibility import Viewer
        from people.models import Role, User
        from tests import factories
        from tests import factories_directory as fd

        upgrade()
        people = [factories.user(Role.ALUMNUS, name=n, name_kana=k) for n, k in
                  (("加藤 太郎", "かとう たろう"), ("佐藤 花子", "さとう はなこ"), ("髙橋 一郎", "たかはし いちろう"))]
        fd.affiliation(people[0], "経済局 観光振興課")
        fd.affiliation(people[1], "危機管理部 防災課")
        rows = db.session.execute(text(WITH_PERSON)).all()
        assert len(rows) > 30 and all(r[1] == r[3] for r in rows)
        written = {(r[0], r[1], r[2]) for r in rows}
        assert {r[1] for r in rows} == {p.id for p in people}
        db.session.remove()

        downgrade(revision="0008_directory_speed")
        assert {tuple(r) for r in db.session.execute(text("SELECT gram, field_id FROM directory_gram"))} == \
            {(g, f) for g, _u, f in written}
        db.session.remove()

        upgrade()
        assert {(r[0], r[1], r[2]) for r in db.session.execute(text(WITH_PERSON))} == written
        viewer = Viewer.of(db.session.get(User, people[2].id))
        assert matching_ids(db.session, viewer, "加藤 観光") == {people[0].id}
        assert matching_ids(db.session, viewer, "佐藤 観光") == set()
        db.session.remove()
        db.engine.dispose()
