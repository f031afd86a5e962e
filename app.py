"""Renkei application factory: configuration, extensions, areas. Thin on purpose."""
from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from core import backup, cli, errors, i18n, nav, scheduler, security
from core import searchindex as _searchindex  # noqa: F401  (registers the search index models)
from core import storage as _storage  # noqa: F401  (registers the StoredFile model)
from core.config import load_config
from core.extensions import csrf, db, limiter, migrate

# Each area package exposes ``init_app(app)`` (blueprints, CLI, panels, jobs). Order follows the
# direction of dependencies in docs/architecture.md.
AREAS = ("people", "curriculum", "wiki", "directory", "proposals", "notify", "home")

MAX_ID = 2**31 - 1  # PostgreSQL's integer: every id and number in a URL fits in one


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route matches at most ``MAX_ID``: /people/99999999999999999999 is a 404,
    not a database error (SQLite overflows, PostgreSQL says "integer out of range") shown as a 500."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None,  # noqa: A002 (werkzeug's names)
                 max: int | None = None, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_ID if max is None else max, signed=signed)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    settings = load_config()
    if config:
        settings.update(config)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"], instance_relative_config=False)
    app.config.update(settings)
    app.url_map.converters["int"] = IdConverter  # before any route is added
    if app.config.get("PROXY_FIX"):
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.INFO if app.config["RENKEI_ENV"] != "test" else logging.WARNING)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path) + "/migrations", compare_type=True,
                     render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    nav.init_app(app)
    scheduler.init_app(app)
    backup.init_app(app)

    for name in AREAS:
        importlib.import_module(name).init_app(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers, a busy timeout instead of instant failures, and a
    page cache and memory map big enough for the search index (bench/directory_search.py: at
    100,000 people the default 2 MB cache re-reads index pages through system calls on every query)."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA cache_size=-65536")  # KiB: up to 64 MB per connection, allocated as used
        cursor.execute("PRAGMA mmap_size=1073741824")  # reads map the file (up to 1 GB) instead of copying
        cursor.close()
    elif module.startswith("psycopg"):
        # No JIT: the planner over-estimates the correlated visibility subqueries of the directory
        # search, which made PostgreSQL compile every search (0.4–0.6 s) to run it in 10 ms.
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off")
        cursor.close()
        dbapi_connection.commit()
