"""Scheduled jobs: defined in code by each area, run by one scheduler process, at most once per moment.

Areas call ``register_job(app, name, func, trigger, description)`` in their ``init_app``; ``func(ctx)``
receives a ``JobContext`` (``ctx.session``, ``ctx.now``, ``ctx.fire_time``, ``ctx.config``) and returns
a short report. Web requests never add jobs: they write rows that jobs pick up. See docs/scheduler.md.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from core.scheduler import cli, housekeeping
from core.scheduler.clock import Clock, RealClock, SimulatedClock, clock_from_config, parse_clock
from core.scheduler.guard import (ALREADY_RAN, FAILED, LOCKED, RAN_OK, JobContext, Outcome, current_time,
                                  last_runs, run_job)
from core.scheduler.models import JobRun
from core.scheduler.process import build_scheduler, in_process_allowed, start_in_process
from core.scheduler.registry import JobSpec, all_jobs, enabled_jobs, job_spec, register_job

__all__ = [
    "ALREADY_RAN", "FAILED", "LOCKED", "RAN_OK", "Clock", "JobContext", "JobRun", "JobSpec", "Outcome",
    "RealClock", "SimulatedClock", "all_jobs", "build_scheduler", "clock_from_config", "current_time",
    "enabled_jobs", "in_process_allowed", "init_app", "job_spec", "last_runs", "parse_clock",
    "register_job", "run_job", "start_in_process",
]


def init_app(app: Flask) -> None:
    register_job(app, "heartbeat", housekeeping.heartbeat_job, {"minutes": 5},
                 _l("スケジューラーが動いていることを記録する"))
    register_job(app, "prune-job-runs", housekeeping.prune_job, {"hour": 4, "minute": 20},
                 _l("古い実行記録を消し、途中で止まった実行に印をつける"))
    cli.init_app(app)

    if in_process_allowed(app):
        @app.before_request
        def _start_scheduler() -> None:
            start_in_process(app)
