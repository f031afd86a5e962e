"""The scheduler's own jobs: a heartbeat row, and pruning old run records."""
from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
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


INTERRUPTED = "interrupted: the process stopped during the run"


def _process_gone(host: str, *, this_host: str = socket.gethostname()) -> bool:
    """True when ``host`` ("name:pid") names a process of this machine that no longer exists."""
    name, _, pid = host.rpartition(":")
    if name != this_host or not pid.isdecimal():
        return False  # another machine's process: only the age rule can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # exists, owned by someone else
        return False
    return False


def reap_dead_runs(session: Session, *, now: datetime) -> int:
    """Runs still "running" whose process on this machine is gone (killed, crashed): interrupted.

    Called when the scheduler starts, so the jobs page is right at once after a crash; runs of other
    machines are left to the age rule of ``prune_runs``."""
    dead = [run_id for run_id, host in session.execute(select(JobRun.id, JobRun.host).where(JobRun.status == RUNNING))
            if _process_gone(host)]
    if dead:
        session.execute(update(JobRun).where(JobRun.id.in_(dead), JobRun.status == RUNNING)
                        .values(status=ERROR, message=INTERRUPTED, finished_at=now))
        session.flush()
    return len(dead)


def prune_runs(session: Session, *, now: datetime, keep_days: int) -> tuple[int, int]:
    """Mark runs that never finished as interrupted; delete records older than ``keep_days``."""
    stale = now - timedelta(hours=STALE_RUN_HOURS)
    interrupted = reap_dead_runs(session, now=now) + (session.execute(
        update(JobRun).where(JobRun.status == RUNNING, JobRun.started_at < stale)
        .values(status=ERROR, message=INTERRUPTED, finished_at=now)
    ).rowcount or 0)
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
