"""Fixtures shared by every test: one app per run, a clean database per test, signed-in clients.

The suite runs on SQLite by default and on PostgreSQL when RENKEI_TEST_DB holds a URL
(`make test` does both when TEST_DATABASE_URL is set). The schema is built by the real Alembic
migrations, so a model without its migration fails here first.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from core import mail

TEST_DB = os.environ.get("RENKEI_TEST_DB", "")
IS_POSTGRES = TEST_DB.startswith("postgresql")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1" … under pytest-xdist


def _worker_database(url: str, worker: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (``test`` → ``test_gw0``),
    created the first time, so workers never see each other's rows, locks or scratch databases."""
    base, name = url.rsplit("/", 1)
    own = f"{name}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own}):
                conn.execute(text(f'CREATE DATABASE "{own}" TEMPLATE template0 ENCODING \'UTF8\''))
    finally:
        admin.dispose()
    return f"{base}/{own}"


if IS_POSTGRES and WORKER:
    TEST_DB = _worker_database(TEST_DB, WORKER)


def pytest_report_header(config: pytest.Config) -> str:
    return f"renkei database: {'PostgreSQL ' + TEST_DB if IS_POSTGRES else 'SQLite (temporary file)'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (runs in the PostgreSQL pass of make test)")
    for item in items:
        if "postgres_only" in item.keywords and not IS_POSTGRES:
            item.add_marker(skip_pg)


def reset_postgres_schema(url: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture()
def scratch_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the test's own, for migrations, backups and other processes: a SQLite file,
    or on PostgreSQL a database beside this worker's own (dropped afterwards). The suite's database is
    never migrated down or restored over."""
    if not IS_POSTGRES:
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    base, name = TEST_DB.rsplit("/", 1)
    scratch = f"{name}_scratch"
    admin = create_engine(TEST_DB, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{scratch}" TEMPLATE template0 ENCODING \'UTF8\''))
    url = f"{base}/{scratch}"
    reset_postgres_schema(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def instance_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="renkei-test-") as path:
        yield Path(path)


@pytest.fixture(scope="session")
def database_url(instance_dir: Path) -> str:
    if IS_POSTGRES:
        reset_postgres_schema(TEST_DB)
        return TEST_DB
    return f"sqlite:///{instance_dir / 'test.sqlite3'}"


def make_app(database_url: str, instance_dir: Path, **overrides: Any) -> Flask:
    from app import create_app

    config: dict[str, Any] = {
        "RENKEI_ENV": "test",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(instance_dir),
        "UPLOAD_DIR": str(instance_dir / "uploads"),
        "BACKUP_DIR": str(instance_dir / "backups"),
        "MAIL_BACKEND": "memory",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return create_app(config)


@pytest.fixture(scope="session")
def app(database_url: str, instance_dir: Path) -> Iterator[Flask]:
    from flask_migrate import upgrade

    application = make_app(database_url, instance_dir)
    with application.app_context():
        upgrade()
    yield application


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that touched the app: empty every table and the mail outbox."""
    yield
    mail.outbox.clear()
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    from core.extensions import db

    with application.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                _empty_postgres(conn, tables)
            else:
                for table in tables:
                    conn.execute(table.delete())


_SEQUENCES: list[str] = []


def _empty_postgres(conn: Any, tables: list[Any]) -> None:
    """Empty every table and restart every id sequence, in three round trips.

    TRUNCATE of a hundred tables costs seconds (new files for each table and index); deleting the
    rows of the few tables a test filled costs milliseconds. Sequences restart so ids begin at 1.
    """
    probe = " UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\")" for t in tables)
    filled = set(conn.execute(text(probe)).scalars())
    if filled:
        statements = ";".join(f'DELETE FROM "{t.name}"' for t in tables if t.name in filled)
        try:
            with conn.begin_nested():
                conn.exec_driver_sql(statements)
        except Exception:  # a foreign-key cycle the order cannot satisfy: the slow, sure way
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} CASCADE"))
    if not _SEQUENCES:
        _SEQUENCES.extend(conn.execute(text(
            "SELECT quote_ident(sequence_schema) || '.' || quote_ident(sequence_name) "
            "FROM information_schema.sequences WHERE sequence_schema = current_schema()")).scalars())
    if _SEQUENCES:
        conn.execute(text("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in _SEQUENCES)))


@pytest.fixture()
def ctx(app: Flask) -> Iterator[None]:
    """An application context for tests that call services directly."""
    with app.app_context():
        yield
        from core.extensions import db

        db.session.remove()


@pytest.fixture()
def session(ctx: None) -> Any:
    from core.extensions import db

    return db.session


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture()
def outbox() -> list[Any]:
    return mail.outbox


def sign_in(client: FlaskClient, user: Any) -> FlaskClient:
    """Sign a test client in as ``user`` without the cost of a password check."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return client


@pytest.fixture()
def login(app: Flask):  # type: ignore[no-untyped-def]
    """``login(user)`` returns a new test client signed in as that user."""

    def _login(user: Any) -> FlaskClient:
        return sign_in(app.test_client(), user)

    return _login
