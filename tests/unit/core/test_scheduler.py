"""The scheduler: jobs from the registry, each run at most once per fire time, errors kept, catch-up
after downtime, and the commands. (Two real processes: tests/unit/notify/test_two_processes.py.)"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from apscheduler.events import EVENT_JOB_EXECUTED
from apscheduler.executors.base import run_job as apscheduler_run_job
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, select, text

from core.config import ConfigError, load_config
from core.dates import TOKYO, UTC
from core.extensions import db
from core.scheduler import (ALREADY_RAN, FAILED, LOCKED, RAN_OK, JobRun, build_scheduler, clock_from_config,
                            in_process_allowed, parse_clock, register_job, run_job, start_in_process)
from core.scheduler.guard import lock_key
from core.scheduler.housekeeping import last_heartbeat, prune_runs, reap_dead_runs
from core.scheduler.process import _FireTimeJob, missed_fire_time
from core.scheduler.registry import EXTENSION_KEY, JobSpec
from tests.conftest import IS_POSTGRES, TEST_DB


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TOKYO)


@pytest.fixture()
def jobs(app):  # type: ignore[no-untyped-def]
    """Register test jobs for one test; they are removed afterwards."""
    added: list[str] = []

    def _add(name, func, trigger, **kw):  # type: ignore[no-untyped-def]
        added.append(name)
        return register_job(app, name, func, trigger, f"test job {name}", **kw)

    yield _add
    for name in added:
        app.extensions[EXTENSION_KEY].pop(name, None)


def spec(trigger: dict, grace: int = 3600) -> JobSpec:
    return JobSpec(name="x", func=lambda ctx: None, trigger=trigger, description="x", grace_seconds=grace)


def test_triggers_are_japan_time_cron_or_fixed_grid_intervals() -> None:
    daily = spec({"hour": 7, "minute": 30})
    assert daily.next_fire_time(jst(1, 7, 30)) == jst(2, 7, 30).astimezone(UTC)
    assert daily.previous_fire_time(jst(1, 8)) == jst(1, 7, 30).astimezone(UTC)
    assert daily.previous_fire_time(jst(1, 9)) is None  # 07:30 is outside the 1-hour window by 09:00
    weekly = spec({"day_of_week": "mon", "hour": 7, "minute": 30})
    assert weekly.next_fire_time(jst(1, 12)) == jst(7, 7, 30).astimezone(UTC)
    every = spec({"minutes": 5}, grace=300)
    # the same grid in every process, whenever it starts
    assert every.next_fire_time(jst(1, 10, 2)) == jst(1, 10, 5).astimezone(UTC)
    assert every.previous_fire_time(jst(1, 10, 7)) == jst(1, 10, 5).astimezone(UTC)


def test_register_job_refuses_bad_triggers_and_duplicates(app, jobs) -> None:
    with pytest.raises(ValueError):
        jobs("t-mixed", lambda ctx: None, {"minutes": 1, "hour": 3})
    with pytest.raises(ValueError):
        jobs("t-unknown", lambda ctx: None, {"every": 3})
    with pytest.raises(ValueError):
        jobs("t-empty", lambda ctx: None, {})
    jobs("t-once", lambda ctx: None, {"hour": 1})
    with pytest.raises(ValueError):
        register_job(app, "t-once", lambda ctx: None, {"hour": 2}, "again")
    assert {"deliver", "daily-digest", "weekly-digest", "backup", "heartbeat", "prune-job-runs",
            "token-cleanup"} <= set(app.extensions[EXTENSION_KEY])


def test_a_fire_time_runs_once_and_the_job_sees_its_clock(app, ctx, jobs) -> None:
    seen: list[tuple[datetime, datetime]] = []

    def work(job_ctx):  # type: ignore[no-untyped-def]
        seen.append((job_ctx.fire_time, job_ctx.now))
        return "did it"

    jobs("t-count", work, {"hour": 7})
    first = run_job(app, "t-count", fire_time=jst(1, 7), now=jst(1, 7, 0) + timedelta(seconds=3))
    again = run_job(app, "t-count", fire_time=jst(1, 7))
    assert (first.status, first.message) == (RAN_OK, "did it")
    assert again.status == ALREADY_RAN
    assert seen == [(jst(1, 7).astimezone(UTC), jst(1, 7) + timedelta(seconds=3))]
    [row] = db.session.scalars(select(JobRun).where(JobRun.job_id == "t-count")).all()
    assert row.status == "ok" and row.message == "did it" and row.fire_time == jst(1, 7)
    assert row.finished_at is not None and row.host


def test_a_failing_job_is_recorded_with_its_error_and_rolled_back(app, ctx, jobs) -> None:
    from core.state import AppState, get_state

    def broken(job_ctx):  # type: ignore[no-untyped-def]
        job_ctx.session.add(AppState(key="half-done", value="x"))
        job_ctx.session.flush()
        raise RuntimeError("SMTP設定がありません")

    jobs("t-broken", broken, {"hour": 7})
    outcome = run_job(app, "t-broken", fire_time=jst(1, 7))
    assert outcome.status == FAILED and "SMTP設定がありません" in outcome.message
    db.session.expire_all()
    assert get_state(db.session, "half-done") is None
    [row] = db.session.scalars(select(JobRun).where(JobRun.job_id == "t-broken")).all()
    assert row.status == "error" and "RuntimeError: SMTP設定がありません" in row.error
    assert run_job(app, "t-broken", fire_time=jst(1, 7)).status == ALREADY_RAN  # not retried in a loop


def test_work_committed_by_a_checkpoint_survives_a_later_error(app, ctx, jobs) -> None:
    from core.state import get_state, set_state

    def partly(job_ctx):  # type: ignore[no-untyped-def]
        set_state(job_ctx.session, "claimed", "yes")
        job_ctx.checkpoint()
        raise RuntimeError("after the claim")

    jobs("t-partly", partly, {"hour": 7})
    assert run_job(app, "t-partly", fire_time=jst(1, 7)).status == FAILED
    db.session.expire_all()
    assert get_state(db.session, "claimed") == "yes"
    [row] = db.session.scalars(select(JobRun).where(JobRun.job_id == "t-partly")).all()
    assert row.status == "error"


@pytest.mark.postgres_only
def test_on_postgresql_a_held_advisory_lock_means_skip(app, ctx, jobs) -> None:
    ran: list[int] = []
    jobs("t-locked", lambda job_ctx: ran.append(1), {"hour": 7})
    other = create_engine(TEST_DB)
    with other.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": lock_key("t-locked")})
        assert run_job(app, "t-locked", fire_time=jst(1, 7)).status == LOCKED
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": lock_key("t-locked")})
    other.dispose()
    assert ran == []
    assert run_job(app, "t-locked", fire_time=jst(1, 7)).status == RAN_OK and ran == [1]


def test_concurrent_runs_of_the_same_moment_in_threads_run_once(app, ctx, jobs) -> None:
    ran: list[str] = []
    barrier = threading.Barrier(4)

    def work(job_ctx):  # type: ignore[no-untyped-def]
        ran.append(threading.current_thread().name)

    jobs("t-race", work, {"hour": 7})
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        outcomes.append(run_job(app, "t-race", fire_time=jst(1, 7)).status)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ran) == 1 and outcomes.count(RAN_OK) == 1
    assert set(outcomes) <= {RAN_OK, ALREADY_RAN, LOCKED}


def test_the_executor_hands_the_scheduled_moment_to_the_job(app) -> None:
    received: list[datetime] = []
    scheduler = BackgroundScheduler(timezone=TOKYO)
    scheduler.start(paused=True)  # jobs get their defaults (grace time …) without ever running
    try:
        job = scheduler.add_job(lambda fire_time=None: received.append(fire_time), "cron", hour=7, id="probe",
                                misfire_grace_time=None)
        moment = jst(1, 7)
        events = apscheduler_run_job(_FireTimeJob(job, moment), "default", [moment], "test")
    finally:
        scheduler.shutdown(wait=False)
    assert received == [moment] and events[0].code == EVENT_JOB_EXECUTED


def test_catch_up_after_downtime_runs_the_missed_moment_once(app, ctx, jobs) -> None:
    daily = jobs("t-daily", lambda job_ctx: "ok", {"hour": 7, "minute": 30}, grace_seconds=12 * 3600)
    # down since yesterday evening; back at 09:00: today's 07:30 was missed
    assert missed_fire_time(app, daily, jst(2, 9)) == jst(2, 7, 30).astimezone(UTC)
    run_job(app, "t-daily", fire_time=jst(2, 7, 30))
    assert missed_fire_time(app, daily, jst(2, 9)) is None  # it ran: nothing to catch up
    other = jobs("t-daily-2", lambda job_ctx: "ok", {"hour": 7, "minute": 30}, grace_seconds=12 * 3600)
    assert missed_fire_time(app, other, jst(2, 19)) == jst(2, 7, 30).astimezone(UTC)
    assert missed_fire_time(app, other, jst(2, 20)) is None  # 12.5 hours late: dropped, not run late


def test_build_scheduler_schedules_enabled_jobs_and_the_catch_up(app, ctx, jobs, monkeypatch) -> None:
    jobs("t-catch", lambda job_ctx: "ok", {"hour": 7, "minute": 30}, grace_seconds=12 * 3600)
    monkeypatch.setitem(app.config, "SCHEDULER_DISABLED_JOBS", ("backup",))
    with time_machine.travel(jst(2, 9), tick=False):
        scheduler = build_scheduler(app, background=True)
    by_id = {job.id: job for job in scheduler.get_jobs()}
    assert "backup" not in by_id and {"deliver", "daily-digest", "heartbeat", "t-catch"} <= set(by_id)
    # Every area's jobs are registered under the names `flask jobs run` and docs/scheduler.md use.
    assert {"weekly-digest", "token-cleanup", "prune-job-runs", "directory-confirmation",
            "assignment-announcements", "assignment-reminders", "session-reminders",
            "review-open", "review-release", "review-reminders"} <= set(by_id)
    catch = by_id["t-catch"]
    assert catch.next_run_time == jst(2, 7, 30)  # runs once as soon as the scheduler starts
    assert catch.coalesce and catch.max_instances == 1 and catch.misfire_grace_time == 12 * 3600


def test_scheduler_is_never_started_in_tests_or_production(app, monkeypatch) -> None:
    assert not in_process_allowed(app)
    assert start_in_process(app) is None
    monkeypatch.setitem(app.config, "RUN_SCHEDULER", True)
    monkeypatch.setitem(app.config, "TESTING", False)
    monkeypatch.setitem(app.config, "RENKEI_ENV", "production")
    assert not in_process_allowed(app)  # production: only the `flask scheduler` process runs jobs
    monkeypatch.setitem(app.config, "RENKEI_ENV", "development")
    assert in_process_allowed(app)
    monkeypatch.setitem(app.config, "RUN_SCHEDULER", False)
    assert not in_process_allowed(app)


def test_the_in_process_scheduler_starts_once_per_app(app, monkeypatch) -> None:
    from core.scheduler import process

    started: list[object] = []

    class Recording:
        def start(self) -> None:
            started.append(self)

        def get_jobs(self) -> list[object]:
            return []

    monkeypatch.setattr(process, "build_scheduler", lambda app_, background: Recording())
    monkeypatch.setattr(process, "in_process_allowed", lambda app_: True)
    monkeypatch.setattr(process, "_in_process", {})
    threads = [threading.Thread(target=start_in_process, args=(app,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    first = start_in_process(app)
    assert len(started) == 1 and first is started[0]  # eight first requests at once: one scheduler


def test_simulated_clock_for_tests_only() -> None:
    clock = parse_clock("2026-12-07T00:00:00+09:00*3600@1000.0")
    assert clock.simulated and clock.speed == 3600
    assert clock.start == jst(7, 0)
    assert clock_from_config({"SCHEDULER_CLOCK": ""}).simulated is False
    with pytest.raises(ConfigError):
        clock_from_config({"SCHEDULER_CLOCK": "2026-12-07T00:00*60", "RENKEI_ENV": "production"})


def test_reminder_offsets_and_disabled_jobs_from_the_environment() -> None:
    config = load_config({"RENKEI_ENV": "test", "REMINDER_OFFSETS": "1d,3d,6h",
                          "SCHEDULER_DISABLED_JOBS": "backup, heartbeat"})
    assert config["REMINDER_OFFSETS"] == (timedelta(days=3), timedelta(days=1), timedelta(hours=6))
    assert config["SCHEDULER_DISABLED_JOBS"] == ("backup", "heartbeat")
    with pytest.raises(ConfigError):
        load_config({"RENKEI_ENV": "test", "REMINDER_OFFSETS": "3 days"})


def test_heartbeat_and_pruning(app, ctx) -> None:
    run_job(app, "heartbeat", fire_time=jst(1, 10), now=jst(1, 10))
    at, host = last_heartbeat(db.session)
    assert at == jst(1, 10) and host
    db.session.add_all([
        JobRun(job_id="old", fire_time=jst(1, 1) - timedelta(days=40), started_at=jst(1, 1) - timedelta(days=40),
               status="ok"),
        JobRun(job_id="stuck", fire_time=jst(1, 1), started_at=jst(1, 1), status="running"),
    ])
    db.session.commit()
    assert prune_runs(db.session, now=jst(1, 12), keep_days=30) == (1, 1)
    db.session.commit()
    stuck = db.session.scalar(select(JobRun).where(JobRun.job_id == "stuck"))
    assert stuck.status == "error" and "interrupted" in stuck.message


def test_runs_of_a_killed_process_are_marked_interrupted_when_the_scheduler_starts(app, ctx) -> None:
    import os
    import socket
    import subprocess

    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that existed and is no longer there
    here = socket.gethostname()
    db.session.add_all([
        JobRun(job_id="killed", fire_time=jst(2, 1), started_at=jst(2, 1), status="running", host=f"{here}:{gone.pid}"),
        JobRun(job_id="alive", fire_time=jst(2, 1), started_at=jst(2, 1), status="running",
               host=f"{here}:{os.getpid()}"),
        JobRun(job_id="elsewhere", fire_time=jst(2, 1), started_at=jst(2, 1), status="running", host="other-host:1"),
    ])
    db.session.commit()
    assert reap_dead_runs(db.session, now=jst(2, 2)) == 1
    db.session.commit()
    status = {r.job_id: (r.status, r.message) for r in db.session.scalars(select(JobRun))}
    assert status["killed"][0] == "error" and "interrupted" in status["killed"][1]
    assert status["alive"][0] == "running" and status["elsewhere"][0] == "running"


def test_cli_lists_jobs_and_runs_one(app, ctx) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run", "heartbeat", "--at", "2026-12-01T10:00"])
    assert result.exit_code == 0 and "heartbeat @ 2026-12-01 10:00: ok" in result.output
    again = runner.invoke(args=["jobs", "run", "heartbeat", "--at", "2026-12-01T10:00"])
    assert "already-ran" in again.output
    listing = runner.invoke(args=["jobs", "list"]).output
    line = next(row for row in listing.splitlines() if row.startswith("heartbeat"))
    assert "2026-12-01 10:00" in line and "ok" in line
    assert "deliver" in listing and "daily-digest" in listing and "weekly-digest" in listing
    unknown = runner.invoke(args=["jobs", "run", "nope"])
    assert unknown.exit_code != 0 and "unknown job" in unknown.output


def test_cli_run_of_a_failing_job_exits_non_zero(app, ctx, jobs) -> None:
    def broken(job_ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("壊れています")

    jobs("t-cli-broken", broken, {"hour": 1})
    result = app.test_cli_runner().invoke(args=["jobs", "run", "t-cli-broken"])
    assert result.exit_code == 1 and "error" in result.output and "壊れています" in result.output
    listing = app.test_cli_runner().invoke(args=["jobs", "list"]).output
    assert "last error: RuntimeError: 壊れています" in listing


def test_is_postgres_flag_matches_the_engine(app, ctx) -> None:
    assert (db.engine.dialect.name == "postgresql") is IS_POSTGRES
