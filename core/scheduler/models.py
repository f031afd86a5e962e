"""The run record that makes every scheduled run happen at most once per job and fire time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.extensions import db
from core.models import UTCDateTime, intpk

RUNNING, OK, ERROR = "running", "ok", "error"


class JobRun(db.Model):  # type: ignore[name-defined]
    """One run of one job for one fire time. The unique pair is the guard: a second process that
    reaches the same moment finds the row and skips."""

    __tablename__ = "job_run"

    id: Mapped[intpk]
    job_id: Mapped[str] = mapped_column(String(80))
    fire_time: Mapped[datetime] = mapped_column(UTCDateTime())  # the moment the trigger named (UTC)
    source: Mapped[str] = mapped_column(String(20), default="scheduler")  # scheduler | manual | catch-up
    status: Mapped[str] = mapped_column(String(20), default=RUNNING)  # running | ok | error
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message: Mapped[str] = mapped_column(String(1000), default="")  # what the job reported
    error: Mapped[str] = mapped_column(Text, default="")  # the exception, when status is error
    host: Mapped[str] = mapped_column(String(120), default="")  # host:pid of the process that ran it

    __table_args__ = (
        UniqueConstraint("job_id", "fire_time"),
        Index("ix_job_run_job_id_started_at", "job_id", "started_at"),
    )

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    def __repr__(self) -> str:
        return f"<JobRun {self.job_id} {self.fire_time:%Y-%m-%d %H:%M} {self.status}>"
