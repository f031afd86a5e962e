"""Database backups: SQLite through its online backup API, PostgreSQL through pg_dump (custom format).

`flask backup` writes one file into BACKUP_DIR and keeps the newest BACKUP_KEEP; the scheduler does
the same every night. `flask restore FILE` first saves the current database (``pre-restore-…``, never
pruned), then restores FILE into the configured database. Stop the web workers and the scheduler
before restoring.
"""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core import dates
from core.extensions import db
from core.scheduler import JobContext, register_job

NAME_RE = re.compile(r"^renkei-\d{8}-\d{6}\.(sqlite3|dump)$")


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    pruned: tuple[Path, ...]


def _kind(url: str) -> str:
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and an environment that carries it."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    conninfo = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    return found


def client_major(tool: str = "pg_dump") -> int:
    out = subprocess.run([_tool(tool), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    if not match:
        raise BackupError(f"cannot read the version of {tool}: {out!r}")
    return int(match.group(1))


def server_major(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()


def check_pg_versions(url: str) -> None:
    """pg_dump refuses a newer server; say so plainly before trying."""
    client, server = client_major("pg_dump"), server_major(url)
    if client < server:
        raise BackupError(f"pg_dump {client} cannot dump PostgreSQL {server}: install "
                          f"postgresql-client-{server} (the client must be as new as the server)")


def backup_file_name(now: datetime, kind: str) -> str:
    return f"renkei-{dates.to_tokyo(now):%Y%m%d-%H%M%S}.{'sqlite3' if kind == 'sqlite' else 'dump'}"


def list_backups(directory: Path) -> list[Path]:
    """Rotated backups, newest first (pre-restore copies are not listed: they are never pruned)."""
    if not directory.exists():
        return []
    found = (p for p in directory.iterdir() if NAME_RE.match(p.name))
    return sorted(found, key=lambda p: p.name, reverse=True)


def prune(directory: Path, keep: int) -> tuple[Path, ...]:
    old = tuple(list_backups(directory)[max(keep, 1):])
    for path in old:
        path.unlink()
    return old


def _dump(url: str, target: Path) -> None:
    kind = _kind(url)
    partial = target.with_name(target.name + ".partial")
    try:
        if kind == "sqlite":
            source = sqlite3.connect(_sqlite_path(url))
            dest = sqlite3.connect(partial)
            try:
                with dest:
                    source.backup(dest)
            finally:
                dest.close()
                source.close()
        else:
            check_pg_versions(url)
            conninfo, env = _libpq(url)
            command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                       f"--file={partial}", f"--dbname={conninfo}"]
            result = subprocess.run(command, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        partial.replace(target)  # a file with the final name is always complete
    finally:
        partial.unlink(missing_ok=True)


def backup(url: str, directory: Path, *, now: datetime, keep: int) -> BackupResult:
    """Write a new backup into ``directory`` and keep the newest ``keep``."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / backup_file_name(now, _kind(url))
    _dump(url, target)
    target.chmod(0o600)  # personal data of public servants
    return BackupResult(path=target, pruned=prune(directory, keep))


def restore(url: str, path: Path) -> None:
    """Replace the database's content with the backup in ``path`` (same schema version)."""
    kind = _kind(url)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    expected = ".sqlite3" if kind == "sqlite" else ".dump"
    if path.suffix != expected:
        raise BackupError(f"{path.name} is not a {kind} backup (expected a {expected} file)")
    if kind == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        dest = sqlite3.connect(_sqlite_path(url))
        try:
            with dest:
                source.backup(dest)
        finally:
            dest.close()
            source.close()
        return
    conninfo, env = _libpq(url)
    result = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                             "--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(path)],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def nightly_backup_job(ctx: JobContext) -> str:
    result = backup(str(ctx.config["SQLALCHEMY_DATABASE_URI"]), Path(ctx.config["BACKUP_DIR"]), now=ctx.now,
                    keep=int(ctx.config["BACKUP_KEEP"]))
    size = result.path.stat().st_size
    return f"{result.path.name} ({size // 1024} KiB), {len(result.pruned)} old backups removed"


def init_app(app: Flask) -> None:
    register_job(app, "backup", nightly_backup_job, {"hour": 3, "minute": 0},
                 _l("データベースをバックアップする（新しい順に BACKUP_KEEP 個を残す）"), grace_seconds=12 * 3600)

    @app.cli.command("backup")
    @click.option("--dir", "directory", default=None, help="Folder for the backup (default: BACKUP_DIR).")
    def backup_command(directory: str | None) -> None:
        """Back up the database now (SQLite backup API or pg_dump custom format)."""
        config = current_app.config
        try:
            result = backup(config["SQLALCHEMY_DATABASE_URI"], Path(directory or config["BACKUP_DIR"]),
                            now=dates.utcnow(), keep=int(config["BACKUP_KEEP"]))
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"backup written: {result.path}")
        for path in result.pruned:
            click.echo(f"removed old backup: {path.name}")

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
    def restore_command(file: Path, yes: bool) -> None:
        """Restore the database from FILE (stop the web workers and the scheduler first)."""
        config = current_app.config
        url = config["SQLALCHEMY_DATABASE_URI"]
        if not yes:
            where = make_url(url).render_as_string()
            click.confirm(f"Replace everything in {where} with {file.name}?", abort=True)
        directory = Path(config["BACKUP_DIR"])
        directory.mkdir(parents=True, exist_ok=True)
        try:
            kind = _kind(url)
            safety = directory / ("pre-restore-" + backup_file_name(dates.utcnow(), kind))
            _dump(url, safety)
            db.session.remove()
            db.engine.dispose()
            restore(url, file)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        finally:
            db.engine.dispose()
        click.echo(f"the database before the restore was saved as {safety}")
        click.echo(f"restored from {file}")
