"""Run one job for one fire time, at most once, whatever the number of scheduler processes.

Each run is one transaction that first takes ``pg_try_advisory_xact_lock(hash of the job id)`` on
PostgreSQL (SQLite serialises writers, so it needs none), then inserts the unique ``JobRun(job_id,
fire_time)`` inside a savepoint. A second process at the same moment either fails to get the lock or
hits the unique row, and skips. APScheduler's job stores cannot give this guarantee: they must never
be shared between schedulers (tech.md §2).
"""
from __future__ import annotations

import hashlib
import logging
import os
import socket
import traceback
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from core import dates
from core.extensions import db
from core.scheduler.models import ERROR, OK, RUNNING, JobRun
from core.scheduler.registry import JobSpec, job_spec

log = logging.getLogger("renkei.scheduler")
HOST = f"{socket.gethostname()}:{os.getpid()}"[:120]

# The running job's clock, for code that reacts to what a job does (e.g. the notification listener).
_job_now: ContextVar[datetime | None] = ContextVar("renkei_job_now", default=None)

# Outcomes of one attempt
RAN_OK, FAILED, LOCKED, ALREADY_RAN = "ok", "error", "locked", "already-ran"


@dataclass(frozen=True)
class Outcome:
    status: str
    message: str = ""

    @property
    def ran(self) -> bool:
        return self.status in (RAN_OK, FAILED)


@dataclass
class JobContext:
    """What a job gets: the app, a session inside the run's transaction, and the clock."""

    app: Flask
    session: Session
    now: datetime  # aware UTC; the scheduler's clock (frozen or simulated in tests)
    fire_time: datetime  # aware UTC; the moment the trigger named
    run_id: int
    source: str

    @property
    def config(self) -> Mapping[str, Any]:
        return self.app.config

    def checkpoint(self) -> None:
        """Commit what the job did so far (e.g. a delivery claimed before sending its e-mail).

        The advisory lock ends with the first commit; the run record, committed with it, keeps
        the run unique."""
        self.session.commit()


def current_time() -> datetime:
    """Now, as the running job sees it (simulated or frozen in tests), else the real time."""
    return _job_now.get() or dates.utcnow()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_try_advisory_xact_lock``."""
    return int.from_bytes(hashlib.sha256(f"renkei-job:{name}".encode()).digest()[:8], "big", signed=True)


def normalize_fire_time(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("fire times must be aware datetimes")
    return value.astimezone(dates.UTC).replace(microsecond=0)


def _sqlite_busy(exc: OperationalError) -> bool:
    return "locked" in str(exc.orig).lower() or "busy" in str(exc.orig).lower()


def _claim(session: Session, spec: JobSpec, fire_time: datetime, source: str) -> JobRun | Outcome:
    """Take the lock and insert the run record; an Outcome means "skip"."""
    try:
        if session.get_bind().dialect.name == "postgresql":
            if not session.execute(select(func.pg_try_advisory_xact_lock(lock_key(spec.name)))).scalar():
                session.rollback()
                return Outcome(LOCKED, "another process is running this job right now")
        run = JobRun(job_id=spec.name, fire_time=fire_time, source=source, status=RUNNING,
                     started_at=dates.utcnow(), host=HOST)
        with session.begin_nested():
            session.add(run)
        return run
    except IntegrityError:
        session.rollback()
        return Outcome(ALREADY_RAN, f"already ran for {fire_time.isoformat()}")
    except OperationalError as exc:  # SQLite: another writer held the database past the busy timeout
        session.rollback()
        if _sqlite_busy(exc):
            return Outcome(LOCKED, "the database is busy with another run")
        raise


def _record_failure(session: Session, spec: JobSpec, fire_time: datetime, run_id: int | None, source: str,
                    started_at: datetime, error: str) -> None:
    """Keep the failure visible (admin page, `flask jobs list`) in a transaction of its own."""
    try:
        run = session.get(JobRun, run_id) if run_id is not None else None
        if run is None:
            run = JobRun(job_id=spec.name, fire_time=fire_time, source=source, started_at=started_at,
                         host=HOST)
            session.add(run)
        run.status = ERROR
        run.error = error[-8000:]
        run.message = error.strip().splitlines()[-1][:1000] if error.strip() else "error"
        run.finished_at = dates.utcnow()
        session.commit()
    except IntegrityError:  # another process recorded this slot meanwhile
        session.rollback()


def run_job(app: Flask, name: str, *, fire_time: datetime, now: datetime | None = None,
            source: str = "scheduler") -> Outcome:
    """Run job ``name`` for ``fire_time`` unless some process already did (or is doing) it."""
    spec = job_spec(app, name)
    fire_time = normalize_fire_time(fire_time)
    with app.app_context():
        session = db.session
        started_at = dates.utcnow()
        claimed = _claim(session, spec, fire_time, source)
        if isinstance(claimed, Outcome):
            log.info("job %s @ %s skipped: %s", name, fire_time.isoformat(), claimed.message)
            return claimed
        run_id = claimed.id
        ctx = JobContext(app=app, session=session, now=now or dates.utcnow(), fire_time=fire_time,
                         run_id=run_id, source=source)
        token = _job_now.set(ctx.now)
        try:
            message = (spec.func(ctx) or "").strip()
            run = session.get(JobRun, run_id)
            if run is None:  # the job rolled back its own transaction: record the run again
                run = JobRun(job_id=name, fire_time=fire_time, source=source, started_at=started_at,
                             host=HOST)
                session.add(run)
            run.status = OK
            run.message = message[:1000]
            run.finished_at = dates.utcnow()
            session.commit()
        except Exception:  # noqa: BLE001 - any failure of a job is recorded, never lost
            error = traceback.format_exc()
            session.rollback()
            log.error("job %s @ %s failed:\n%s", name, fire_time.isoformat(), error)
            _record_failure(session, spec, fire_time, run_id, source, started_at, error)
            return Outcome(FAILED, error.strip().splitlines()[-1])
        finally:
            _job_now.reset(token)
        log.info("job %s @ %s: %s", name, fire_time.isoformat(), message or "done")
        return Outcome(RAN_OK, message)


def last_runs(session: Session, names: list[str]) -> dict[str, JobRun]:
    """The most recent run of each job (by fire time)."""
    latest = (select(JobRun.job_id, func.max(JobRun.fire_time).label("fire_time"))
              .where(JobRun.job_id.in_(names)).group_by(JobRun.job_id).subquery())
    rows = session.scalars(select(JobRun).join(latest, (JobRun.job_id == latest.c.job_id)
                                               & (JobRun.fire_time == latest.c.fire_time)))
    return {row.job_id: row for row in rows}
