"""The APScheduler side: one scheduler per installation, jobs from the registry, in a memory store.

Production runs ``flask scheduler`` (a BlockingScheduler) as its own process, one replica. ``make
run`` runs a BackgroundScheduler inside the development server instead. Web workers never start one.

Catching up: the memory job store forgets everything when the process stops, so at start each job
looks back over its grace time for the latest fire time without a run record; if there is one, the
job's first run is set to that moment. APScheduler then runs it once (``coalesce``), late but within
``misfire_grace_time``. Older misses are dropped, which is what "never flood" means here.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from threading import TIMEOUT_MAX
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy import select

from core.dates import TOKYO
from core.extensions import db
from core.scheduler.clock import Clock, clock_from_config
from core.scheduler.guard import Outcome, normalize_fire_time, run_job
from core.scheduler.models import JobRun
from core.scheduler.registry import JobSpec, enabled_jobs

log = logging.getLogger("renkei.scheduler")
SIMULATION_SLACK_REAL_SECONDS = 60  # with a fast clock, real delays are multiplied: widen the grace


class _FireTimeJob:
    """The APScheduler job as its executor sees it, with the scheduled moment passed to our function."""

    def __init__(self, job: Any, run_time: datetime) -> None:
        self._job = job
        self.kwargs = {**job.kwargs, "fire_time": run_time}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


class GuardedExecutor(ThreadPoolExecutor):
    """Passes the scheduled run time to the job, so the run record names the trigger's moment
    (not the moment a thread happened to start). Jobs coalesce, so only the latest time is run."""

    def _do_submit_job(self, job: Any, run_times: list[datetime]) -> None:
        super()._do_submit_job(_FireTimeJob(job, run_times[-1]), run_times[-1:])


class _SimulatedBlockingScheduler(BlockingScheduler):
    """Tests only: waits are divided by the simulated clock's speed."""

    speed = 1.0

    def _main_loop(self) -> None:
        wait_seconds: float | None = TIMEOUT_MAX
        while self.state != STATE_STOPPED:
            timeout = None if wait_seconds is None else min(wait_seconds / self.speed, TIMEOUT_MAX)
            self._event.wait(timeout)
            self._event.clear()
            wait_seconds = self._process_jobs()


def _install_clock(clock: Clock) -> None:
    """Tests only: make APScheduler read the simulated clock (it calls ``datetime.now`` directly)."""
    import apscheduler.executors.base as executors_base
    import apscheduler.schedulers.base as schedulers_base

    class _ClockDatetime(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
            current = clock.now()
            if tz is not None:
                return current.astimezone(tz)
            return current.astimezone(TOKYO).replace(tzinfo=None)

    schedulers_base.datetime = _ClockDatetime  # type: ignore[attr-defined,misc]
    executors_base.datetime = _ClockDatetime  # type: ignore[attr-defined,misc]


def missed_fire_time(app: Flask, spec: JobSpec, now: datetime) -> datetime | None:
    """The latest fire time within the job's grace that has no run record, if any."""
    previous = spec.previous_fire_time(now)
    if previous is None:
        return None
    with app.app_context():
        found = db.session.scalar(select(JobRun.id).where(JobRun.job_id == spec.name,
                                                          JobRun.fire_time == normalize_fire_time(previous)))
        db.session.remove()
    return None if found else previous


def _fire(app: Flask, name: str, clock: Clock, catch_up: dict[str, datetime],
          fire_time: datetime | None = None) -> Outcome:
    """What APScheduler calls; ``GuardedExecutor`` passes the scheduled moment as ``fire_time``."""
    fire_time = normalize_fire_time(fire_time or clock.now())
    source = "catch-up" if catch_up.pop(name, None) == fire_time else "scheduler"
    return run_job(app, name, fire_time=fire_time, now=clock.now(), source=source)


def build_scheduler(app: Flask, *, background: bool = False, clock: Clock | None = None) -> BaseScheduler:
    clock = clock or clock_from_config(app.config)
    executors = {"default": GuardedExecutor(max_workers=4)}
    defaults = {"coalesce": True, "max_instances": 1}
    scheduler: BaseScheduler
    if background:
        scheduler = BackgroundScheduler(timezone=TOKYO, executors=executors, job_defaults=defaults,
                                        daemon=True)
    elif clock.simulated:
        _install_clock(clock)
        scheduler = _SimulatedBlockingScheduler(timezone=TOKYO, executors=executors, job_defaults=defaults)
        scheduler.speed = clock.speed  # type: ignore[attr-defined]
    else:
        scheduler = BlockingScheduler(timezone=TOKYO, executors=executors, job_defaults=defaults)
    now = clock.now()
    catch_up: dict[str, datetime] = {}
    for spec in enabled_jobs(app):
        grace = spec.grace_seconds
        if clock.simulated:
            grace += int(SIMULATION_SLACK_REAL_SECONDS * clock.speed)
        options: dict[str, Any] = {}
        missed = missed_fire_time(app, spec, now)
        if missed is not None:
            catch_up[spec.name] = missed
            options["next_run_time"] = missed.astimezone(TOKYO)
            log.info("job %s missed %s while the scheduler was down: it runs once now", spec.name,
                     missed.astimezone(TOKYO).isoformat())
        scheduler.add_job(_fire, trigger=spec.make_trigger(), args=(app, spec.name, clock, catch_up),
                          id=spec.name, name=spec.name, misfire_grace_time=grace, coalesce=True,
                          max_instances=1, replace_existing=True, **options)
    return scheduler


# --- in the development server (make run) ---------------------------------------------------------

_in_process: dict[int, BaseScheduler] = {}
_in_process_lock = threading.Lock()


def in_process_allowed(app: Flask) -> bool:
    """Only `make run`: never in tests, never in production (there `flask scheduler` runs alone)."""
    config = app.config
    wanted = bool(config.get("RUN_SCHEDULER"))
    return wanted and not config.get("TESTING") and config.get("RENKEI_ENV") != "production"


def start_in_process(app: Flask) -> BaseScheduler | None:
    """Start the background scheduler once per process, from the first request the server handles.

    The reloader's parent process (and every CLI command) loads the app but never handles a request,
    so it never starts a scheduler: the double runs of flask-apscheduler #139 cannot happen.
    """
    if not in_process_allowed(app):
        return None
    if id(app) in _in_process:
        return _in_process[id(app)]
    with _in_process_lock:
        key = id(app)
        if key not in _in_process:
            scheduler = build_scheduler(app, background=True)
            scheduler.start()
            _in_process[key] = scheduler
            log.info("in-process scheduler started with %d jobs", len(scheduler.get_jobs()))
        return _in_process[key]


__all__ = ["GuardedExecutor", "build_scheduler", "missed_fire_time", "start_in_process", "in_process_allowed"]
