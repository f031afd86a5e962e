"""`flask scheduler` (the one scheduler process) and `flask jobs list|run`."""
from __future__ import annotations

import signal
import threading
import time
from datetime import datetime
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from core import dates
from core.extensions import db
from core.scheduler.clock import clock_from_config
from core.scheduler.guard import FAILED, last_runs, run_job
from core.scheduler.housekeeping import reap_dead_runs
from core.scheduler.process import build_scheduler
from core.scheduler.registry import all_jobs, disabled_names, job_spec


def _jst(value: datetime | None) -> str:
    return dates.to_tokyo(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def parse_at(value: str) -> datetime:
    """An ISO time; without an offset it is Japan Standard Time."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dates.TOKYO)
    return parsed.astimezone(dates.UTC)


def init_app(app: Flask) -> None:
    @app.cli.command("scheduler")
    def scheduler_command() -> None:
        """Run the scheduler in the foreground (production: one systemd unit, one replica)."""
        application = current_app._get_current_object()  # type: ignore[attr-defined]
        clock = clock_from_config(application.config)
        reaped = reap_dead_runs(db.session, now=dates.utcnow())  # runs of a scheduler that was killed
        db.session.commit()
        if reaped:
            click.echo(f"scheduler: {reaped} run(s) of a stopped process marked interrupted")
        scheduler = build_scheduler(application, clock=clock)

        def _stop(signum: int, frame: Any) -> None:
            # Nothing but starting a thread here: the handler may have interrupted the main thread
            # inside APScheduler (holding a non re-entrant executor lock) or in the middle of a write.
            threading.Thread(target=_shutdown, args=(signum,), daemon=True).start()

        def _shutdown(signum: int) -> None:
            while not scheduler.running:  # a signal during start-up: stop as soon as it runs
                time.sleep(0.05)
            click.echo(f"scheduler: signal {signum}, stopping after the running jobs")
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        names = ", ".join(job.id for job in scheduler.get_jobs())
        mode = (f"simulated clock x{clock.speed:g} from {_jst(clock.now())}" if clock.simulated
                else "real clock")
        click.echo(f"scheduler: started ({mode}); jobs: {names}", err=False)
        scheduler.start()  # blocks until a signal stops it
        click.echo("scheduler: stopped")

    jobs = AppGroup("jobs", help="Scheduled jobs: list them, or run one now.")

    @jobs.command("list")
    def list_command() -> None:
        """Every job with its trigger, last run and next run (Japan time)."""
        application = current_app._get_current_object()  # type: ignore[attr-defined]
        specs = all_jobs(application)
        off = disabled_names(application)
        runs = last_runs(db.session, [s.name for s in specs])
        now = clock_from_config(application.config).now()
        click.echo(f"{'job':<20} {'trigger':<32} {'last run':<17} {'status':<8} {'next run':<17} description")
        with force_locale("en"):  # the terminal speaks English; descriptions are translated msgids
            descriptions = {spec.name: str(spec.description) for spec in specs}
        for spec in specs:
            last = runs.get(spec.name)
            nxt = "disabled" if spec.name in off else _jst(spec.next_fire_time(now))
            status = last.status if last else "never"
            last_at = _jst(last.fire_time if last else None)
            click.echo(f"{spec.name:<20} {spec.trigger_text():<32} {last_at:<17} {status:<8} {nxt:<17} "
                       f"{descriptions[spec.name]}")
            if last is not None and last.status == FAILED and last.message:
                click.echo(f"{'':<20}   last error: {last.message}")

    @jobs.command("run")
    @click.argument("name")
    @click.option("--at", "at", default=None,
                  help="Fire time to run for (ISO; Japan time without an offset). Default: now.")
    def run_command(name: str, at: str | None) -> None:
        """Run one job now (or for a given fire time), with the same once-only guard."""
        application = current_app._get_current_object()  # type: ignore[attr-defined]
        try:
            job_spec(application, name)
        except KeyError:
            known = ", ".join(s.name for s in all_jobs(application))
            raise click.BadParameter(f"unknown job {name!r}; known: {known}", param_hint="NAME") from None
        when = parse_at(at) if at else clock_from_config(application.config).now()
        outcome = run_job(application, name, fire_time=when, now=when, source="manual")
        detail = f" — {outcome.message}" if outcome.message else ""
        click.echo(f"{name} @ {_jst(when)}: {outcome.status}{detail}")
        if outcome.status == FAILED:
            raise SystemExit(1)

    app.cli.add_command(jobs)
