"""The scheduler's own jobs: a heartbeat row, and pruning old run records."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from core.scheduler.guard import HOST, JobContext
from core.scheduler.models import ERROR, RUNNING, JobRun
from core.state import get_state, set_state

HEARTBEAT_KEY = "scheduler.heartbeat"
STALE_RUN_HOURS = 6  # a run still "running" after this long died with its process


def beat(session: Session, *, now: datetime, host: str = HOST) -> None:
    set_state(session, HEARTBEAT_KEY, f"{now.isoformat()}|{host}")


def last_heartbeat(session: Session) -> tuple[datetime, str] | None:
    value = get_state(session, HEARTBEAT_KEY)
    if not value:
        return None
    at, _, host = value.partition("|")
    return datetime.fromisoformat(at), host


def prune_runs(session: Session, *, now: datetime, keep_days: int) -> tuple[int, int]:
    """Mark runs that never finished as interrupted; delete records older than ``keep_days``."""
    stale = now - timedelta(hours=STALE_RUN_HOURS)
    interrupted = session.execute(
        update(JobRun).where(JobRun.status == RUNNING, JobRun.started_at < stale)
        .values(status=ERROR, message="interrupted: the process stopped during the run", finished_at=now)
    ).rowcount
    old = now - timedelta(days=keep_days)
    deleted = session.execute(delete(JobRun).where(JobRun.started_at < old)).rowcount
    session.flush()
    return interrupted or 0, deleted or 0


def heartbeat_job(ctx: JobContext) -> str:
    beat(ctx.session, now=ctx.now)
    return "alive"


def prune_job(ctx: JobContext) -> str:
    keep_days = int(ctx.config["JOB_RUN_RETENTION_DAYS"])
    interrupted, deleted = prune_runs(ctx.session, now=ctx.now, keep_days=keep_days)
    return f"{deleted} old run records deleted, {interrupted} interrupted runs marked"
