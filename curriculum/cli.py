"""`flask curriculum …` commands, the module sync hook (`flask sync`, `make run`) and the demo hook."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from core.cli import register_demo, register_sync
from core.dates import utcnow
from core.extensions import db
from curriculum import jobs
from curriculum.moduletext import ModuleFileError
from curriculum.services.modules import sync_modules


def sync_hook(session: Session) -> str:
    return sync_modules(session, now=utcnow())


def init_app(app: Flask) -> None:
    from curriculum.demo import seed_curriculum

    register_sync(app, "curriculum modules", sync_hook)
    register_demo(app, 20, "curriculum", seed_curriculum)

    group = AppGroup("curriculum", help="Cohorts, modules and assignments.")

    @group.command("sync-modules")
    def sync_modules_command() -> None:
        """Bring curriculum/modules/*.md into the database (new, changed and removed files)."""
        try:
            result = sync_hook(db.session)
        except ModuleFileError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(result)

    @group.command("announce")
    def announce_command() -> None:
        """Tell participants about assignments whose publish time has come (once each)."""
        count = jobs.announce_assignments(db.session, now=utcnow())
        db.session.commit()
        click.echo(f"{count} assignment(s) announced")

    app.cli.add_command(group)
