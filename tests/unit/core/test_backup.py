"""Backups: a round trip through backup and restore gives back exactly the data, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, create_engine, select, text

from core import backup as backups
from core.dates import TOKYO
from tests.conftest import IS_POSTGRES, TEST_DB, make_app


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        data = {name: sorted((tuple(map(repr, row)) for row in conn.execute(select(table))), key=repr)
                for name, table in meta.tables.items()}
    engine.dispose()
    return data


def seeded_app(url: str, instance: Path):  # type: ignore[no-untyped-def]
    from flask_migrate import upgrade

    from core.cli import load_demo, run_sync

    app = make_app(url, instance, BACKUP_DIR=str(instance / "backups"), BACKUP_KEEP=2)
    with app.app_context():
        upgrade()
        run_sync(app)
        load_demo(app)
    return app


def test_round_trip_restores_exactly_what_was_saved(scratch_url: str, tmp_path: Path) -> None:
    app = seeded_app(scratch_url, tmp_path)
    before = snapshot(scratch_url)
    assert len(before["user"]) >= 5 and before["notification"]

    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup"])
    assert result.exit_code == 0, result.output
    [saved] = backups.list_backups(tmp_path / "backups")
    assert saved.suffix == (".dump" if IS_POSTGRES else ".sqlite3") and saved.stat().st_mode & 0o777 == 0o600

    with app.app_context():
        from core.extensions import db

        db.session.execute(text("DELETE FROM notification"))
        db.session.execute(text("UPDATE \"user\" SET name = '書き換え 済み'"))
        db.session.commit()
        db.session.remove()
    assert snapshot(scratch_url) != before

    restored = runner.invoke(args=["restore", str(saved), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert snapshot(scratch_url) == before
    assert "pre-restore-" in restored.output  # what was there before the restore is kept too
    pre = [p for p in (tmp_path / "backups").iterdir() if p.name.startswith("pre-restore-")]
    assert len(pre) == 1
    with app.app_context():  # the app works on the restored database
        from core.extensions import db

        assert db.session.execute(text("SELECT count(*) FROM notification")).scalar()
        db.engine.dispose()


def test_only_the_newest_backups_are_kept(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'small.sqlite3'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    engine.dispose()
    folder = tmp_path / "b"
    start = datetime(2026, 12, 1, 3, 0, tzinfo=TOKYO)
    for n in range(4):
        result = backups.backup(url, folder, now=start + timedelta(days=n), keep=2)
    assert [p.name for p in backups.list_backups(folder)] == ["renkei-20261204-030000.sqlite3",
                                                            "renkei-20261203-030000.sqlite3"]
    assert [p.name for p in result.pruned] == ["renkei-20261202-030000.sqlite3"]
    assert not list(folder.glob("*.partial"))


def test_restore_refuses_the_wrong_kind_of_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    dump = tmp_path / "renkei-20261201-030000.dump"
    dump.write_bytes(b"PGDMP")
    with pytest.raises(backups.BackupError, match="not a sqlite backup"):
        backups.restore(url, dump)
    with pytest.raises(backups.BackupError, match="no backup file"):
        backups.restore(url, tmp_path / "missing.sqlite3")
    with pytest.raises(backups.BackupError):
        backups.backup("mysql://x/y", tmp_path, now=datetime(2026, 12, 1, tzinfo=TOKYO), keep=1)


def test_an_older_pg_dump_than_the_server_is_named_plainly(monkeypatch) -> None:
    monkeypatch.setattr(backups, "client_major", lambda tool="pg_dump": 15)
    monkeypatch.setattr(backups, "server_major", lambda url: 16)
    with pytest.raises(backups.BackupError, match="pg_dump 15 cannot dump PostgreSQL 16: install postgresql-client-16"):
        backups.check_pg_versions("postgresql+psycopg://x@127.0.0.1/y")


@pytest.mark.postgres_only
def test_installed_pg_dump_matches_the_server() -> None:
    backups.check_pg_versions(TEST_DB)  # raises with the reason when the client is older
    assert backups.client_major() >= backups.server_major(TEST_DB)


def test_the_nightly_job_writes_a_backup(app, ctx, tmp_path: Path, monkeypatch) -> None:
    from core.scheduler import run_job

    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "nightly"))
    outcome = run_job(app, "backup", fire_time=datetime(2026, 12, 2, 3, 0, tzinfo=TOKYO),
                      now=datetime(2026, 12, 2, 3, 0, tzinfo=TOKYO))
    assert outcome.status == "ok", outcome.message
    assert outcome.message.startswith("renkei-20261202-030000.")
    assert len(backups.list_backups(tmp_path / "nightly")) == 1
