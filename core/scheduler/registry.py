"""Jobs are defined in code: each area registers its jobs with ``register_job`` in its ``init_app``.

A trigger is given as APScheduler keyword arguments: cron keys (``{"hour": 7, "minute": 30}``,
``{"day_of_week": "mon", "hour": 7}``) or interval keys (``{"minutes": 1}``). Times are Japan
Standard Time. Interval grids start from one fixed moment, so every process computes the same fire
times (APScheduler's default start is "now + interval", different in each process).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from flask_babel import LazyString

from core.dates import TOKYO, UTC

if TYPE_CHECKING:
    from core.scheduler.guard import JobContext

CRON_KEYS = frozenset({"year", "month", "day", "week", "day_of_week", "hour", "minute", "second"})
INTERVAL_KEYS = frozenset({"weeks", "days", "hours", "minutes", "seconds"})
INTERVAL_ANCHOR = datetime(2020, 1, 1, tzinfo=TOKYO)
CRON_GRACE_SECONDS = 6 * 3600  # a daily job missed by less than this runs once when the process returns
EXTENSION_KEY = "renkei_jobs"

JobFunc = Callable[["JobContext"], "str | None"]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: JobFunc = field(compare=False)
    trigger: Mapping[str, Any]
    description: str | LazyString  # shown on /admin/jobs (a lazy Japanese msgid) and by `flask jobs list`
    grace_seconds: int

    @property
    def is_interval(self) -> bool:
        return bool(set(self.trigger) & INTERVAL_KEYS)

    def make_trigger(self) -> BaseTrigger:
        if self.is_interval:
            return IntervalTrigger(timezone=TOKYO, start_date=INTERVAL_ANCHOR, **dict(self.trigger))
        return CronTrigger(timezone=TOKYO, **dict(self.trigger))

    def trigger_text(self) -> str:
        kind = "every" if self.is_interval else "cron"
        return f"{kind} " + " ".join(f"{k}={v}" for k, v in self.trigger.items())

    def next_fire_time(self, now: datetime) -> datetime | None:
        """The first fire time after ``now`` (aware UTC)."""
        found = self.make_trigger().get_next_fire_time(None, now + timedelta(microseconds=1))
        return found.astimezone(UTC) if found else None

    def previous_fire_time(self, now: datetime, window_seconds: int | None = None) -> datetime | None:
        """The latest fire time at or before ``now`` within the window (default: the grace time)."""
        trigger = self.make_trigger()
        window = timedelta(seconds=self.grace_seconds if window_seconds is None else window_seconds)
        candidate = trigger.get_next_fire_time(None, now - window)
        latest = None
        while candidate is not None and candidate <= now:
            latest = candidate
            candidate = trigger.get_next_fire_time(candidate, candidate + timedelta(microseconds=1))
        return latest.astimezone(UTC) if latest else None


def _validate(trigger: Mapping[str, Any]) -> None:
    keys = set(trigger)
    if not keys:
        raise ValueError("a trigger needs at least one key")
    if keys & INTERVAL_KEYS and keys & CRON_KEYS:
        raise ValueError(f"mix of interval and cron keys: {sorted(keys)}")
    unknown = keys - INTERVAL_KEYS - CRON_KEYS
    if unknown:
        raise ValueError(f"unknown trigger keys: {sorted(unknown)}")


def register_job(app: Flask, name: str, func: JobFunc, trigger: Mapping[str, Any],
                 description: str | LazyString, *, grace_seconds: int | None = None) -> JobSpec:
    """Add a job to the app's schedule. ``func(ctx)`` gets a ``JobContext`` and returns a short report.

    The name is the job's identity in the run records: keep it stable.
    """
    _validate(trigger)
    jobs: dict[str, JobSpec] = app.extensions.setdefault(EXTENSION_KEY, {})
    if name in jobs:
        raise ValueError(f"job {name!r} is registered twice")
    if grace_seconds is None:
        if set(trigger) & INTERVAL_KEYS:
            grace_seconds = int(timedelta(**{k: v for k, v in trigger.items()}).total_seconds())
        else:
            grace_seconds = CRON_GRACE_SECONDS
    spec = JobSpec(name=name, func=func, trigger=dict(trigger), description=description,
                   grace_seconds=grace_seconds)
    # Fail at start-up, not at 3 a.m., when the keyword arguments do not make a trigger.
    spec.make_trigger()
    jobs[name] = spec
    return spec


def all_jobs(app: Flask) -> list[JobSpec]:
    return sorted(app.extensions.get(EXTENSION_KEY, {}).values(), key=lambda s: s.name)


def disabled_names(app: Flask) -> frozenset[str]:
    return frozenset(app.config.get("SCHEDULER_DISABLED_JOBS") or ())


def enabled_jobs(app: Flask) -> list[JobSpec]:
    off = disabled_names(app)
    return [spec for spec in all_jobs(app) if spec.name not in off]


def job_spec(app: Flask, name: str) -> JobSpec:
    try:
        return app.extensions.get(EXTENSION_KEY, {})[name]
    except KeyError:
        raise KeyError(f"no job named {name!r}") from None
