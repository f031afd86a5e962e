"""Commands every installation has: `flask sync`, `flask seed-demo`, `flask demo-logins`.

Areas plug in with ``register_sync`` (files → database, run at every `make run`) and
``register_demo`` (demo data, loaded once), so core stays ignorant of them.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy.orm import Session

from core import dates
from core.extensions import db
from core.state import get_state, set_state

DEMO_PASSWORD = "renkei-demo-2025"
DEMO_STATE_KEY = "demo_loaded_at"


@dataclass
class DemoContext:
    """Shared between demo seeders: a seeded random source, the clock, and what earlier steps made."""

    session: Session
    rng: random.Random
    now: Any
    password: str = DEMO_PASSWORD
    made: dict[str, Any] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, email, note)
    _password_hash: str | None = None

    @property
    def password_hash(self) -> str:
        """One argon2 hash of the demo password, shared by every demo account (hashing is slow on purpose)."""
        if self._password_hash is None:
            from argon2 import PasswordHasher

            self._password_hash = PasswordHasher().hash(self.password)
        return self._password_hash


SyncHook = Callable[[Session], str]
DemoHook = Callable[[DemoContext], None]


def register_sync(app: Flask, name: str, hook: SyncHook) -> None:
    app.extensions.setdefault("renkei_sync", []).append((name, hook))


def register_demo(app: Flask, order: int, name: str, hook: DemoHook) -> None:
    app.extensions.setdefault("renkei_demo", []).append((order, name, hook))


def run_sync(app: Flask) -> list[str]:
    messages = []
    for name, hook in app.extensions.get("renkei_sync", []):
        messages.append(f"{name}: {hook(db.session)}")
    db.session.commit()
    return messages


def load_demo(app: Flask, *, seed: int = 2025) -> DemoContext:
    ctx = DemoContext(session=db.session, rng=random.Random(seed), now=dates.utcnow())
    for _order, _name, hook in sorted(app.extensions.get("renkei_demo", []), key=lambda t: t[0]):
        hook(ctx)
        db.session.flush()
    set_state(db.session, DEMO_STATE_KEY, ctx.now.isoformat())
    for role, email, note in ctx.logins:
        set_state(db.session, f"demo_login:{role}", f"{email}|{note}")
    db.session.commit()
    return ctx


def init_app(app: Flask) -> None:
    @app.cli.command("sync")
    def sync_command() -> None:
        """Bring files into the database (curriculum modules, case library seed …)."""
        for line in run_sync(current_app):
            click.echo(line)

    @app.cli.command("seed-demo")
    @click.option("--first-time", is_flag=True, help="Do nothing if demo data was loaded before.")
    @click.option("--seed", default=2025, show_default=True, help="Random seed for the invented data.")
    def seed_demo_command(first_time: bool, seed: int) -> None:
        """Load the demo data: eight cities, past cohorts and alumni, the current year in progress."""
        if get_state(db.session, DEMO_STATE_KEY):
            click.echo("Demo data is already loaded." if first_time else
                       "Demo data was loaded before; nothing to do (it is loaded once).")
            return
        ctx = load_demo(current_app, seed=seed)
        click.echo(f"Demo data loaded ({len(ctx.made)} kinds of record).")

    @app.cli.command("demo-logins")
    def demo_logins_command() -> None:
        """Print the demo sign-ins, one per role."""
        from core.state import AppState

        rows = db.session.query(AppState).filter(AppState.key.like("demo_login:%")).all()
        if not rows:
            click.echo("No demo data loaded (run `flask seed-demo`).")
            return
        click.echo("")
        click.echo("Demo logins (password for all: %s)" % DEMO_PASSWORD)
        for row in sorted(rows, key=lambda r: r.created_at):
            email, _, note = row.value.partition("|")
            click.echo(f"  {row.key.split(':', 1)[1]:<22} {email:<40} {note}")
        click.echo("")
