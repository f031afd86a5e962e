"""`flask people import`, `flask directory …`, `flask seed-scale`, and the directory's sync and demo hooks."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import force_locale
from flask.cli import AppGroup
from sqlalchemy import select

from core import dates, scale
from core.cli import register_demo, register_sync
from core.extensions import db
from directory import contributions, importing, jobs
from directory.demo import seed_directory
from directory.forms import ACTION_LABELS, problem_text
from directory.index import index_name, rebuild_grams
from directory.models import Profile
from people.models import User


def sync_index(session) -> str:  # type: ignore[no-untyped-def]
    """Profiles and name index for accounts created before the directory existed; contributions refreshed."""
    missing = list(session.execute(select(User.id, User.name, User.name_kana).outerjoin(
        Profile, Profile.user_id == User.id).where(Profile.user_id.is_(None), User.anonymized_at.is_(None))))
    conn = session.connection()
    for uid, name, kana in missing:
        index_name(conn, uid, name, kana or "")
    providers = contributions.providers_of(current_app)
    linked = 0
    if providers:
        ids = list(session.scalars(select(User.id).where(User.anonymized_at.is_(None))))
        for i in range(0, len(ids), 1000):
            linked += contributions.refresh(session, ids[i: i + 1000], providers)
    return f"{len(missing)} profiles created, {linked} people with contributions"


def _progress(label: str, total: int):  # type: ignore[no-untyped-def]
    return click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True, show_eta=True)


def init_app(app: Flask) -> None:
    register_sync(app, "directory", sync_index)
    register_demo(app, 30, "directory", seed_directory)
    from directory import scale as people_scale

    scale.register_scale(app, "people", people_scale.seed_people, order=10, sizes=("people",))

    people = AppGroup("people", help="The participant directory: import people from CSV.")

    @people.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
    def import_command(path: Path, dry_run: bool) -> None:
        """Import people from a CSV file (UTF-8 with or without BOM, or Shift_JIS/CP932)."""
        with force_locale("ja"):  # messages in the secretariat's language, outside any request
            _import(path, dry_run)

    def _import(path: Path, dry_run: bool) -> None:
        report = importing.check(db.session, path.read_bytes(), today=dates.tokyo_now().date())
        click.echo(f"encoding: {report.encoding or '?'}; rows: {len(report.rows)}")
        for problem in report.problems:
            where = f"line {problem.line}" if problem.line else "file"
            click.echo(f"{where}: {problem_text(problem.key, problem.params)}", err=True)
        if not report.ok:
            db.session.rollback()
            raise click.ClickException(f"{len(report.problems)} problem(s); nothing was imported")
        for row in report.rows:
            click.echo(f"line {row.line}: {row.email} {ACTION_LABELS[row.action]}")
        if dry_run:
            db.session.rollback()
            click.echo("dry run: nothing was written")
            return
        importing.apply(db.session, report, actor=None, now=dates.utcnow())
        db.session.commit()
        click.echo(f"imported: {report.count('create')} created, {report.count('update')} updated, "
                   f"{report.count('unchanged')} unchanged")

    app.cli.add_command(people)

    directory = AppGroup("directory", help="Directory upkeep.")

    @directory.command("open-confirmation")
    def open_confirmation_command() -> None:
        """Ask alumni to confirm their department and position (once per fiscal year)."""
        row = jobs.open_confirmation_round(db.session, now=dates.utcnow())
        db.session.commit()
        click.echo(f"FY{row.fiscal_year}: {row.recipients} alumni asked" if row else
                   "this fiscal year's confirmation round is already open")

    @directory.command("reindex")
    @click.option("--grams", is_flag=True, help="Also rewrite the whole gram table from the field keys.")
    def reindex_command(grams: bool) -> None:
        """Rebuild missing profiles and refresh contributions in the search index."""
        click.echo(sync_index(db.session))
        if grams:
            click.echo(f"{rebuild_grams(db.session.connection())} gram rows written")
        db.session.commit()

    app.cli.add_command(directory)

    @app.cli.command("seed-scale")
    @click.option("--people", default=100_000, show_default=True)
    @click.option("--proposals", default=5_000, show_default=True)
    @click.option("--pages", default=20_000, show_default=True)
    @click.option("--seed", default=2040, show_default=True)
    def seed_scale_command(people: int, proposals: int, pages: int, seed: int) -> None:
        """Fill the database with realistic synthetic data (benchmarks; never on production data)."""
        sizes = {"people": people, "proposals": proposals, "pages": pages}
        ctx = scale.ScaleContext(session=db.session, rng=random.Random(seed), sizes=sizes, progress=_progress)
        served: set[str] = set()
        for name, hook, consumes in scale.hooks(current_app):
            click.echo(f"{name}: {hook(ctx)}")
            served.update(consumes)
        db.session.commit()
        for key, n in sizes.items():
            if n and key not in served:
                click.echo(f"{key}: no area generates these yet (skipped)")
