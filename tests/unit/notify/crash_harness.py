"""The app as a `flask jobs run` process runs it in the crash tests, with a reminder job that can stop
dead in the middle (so the test can SIGKILL it at a known point).

FLASK_APP=tests.unit.notify.crash_harness:create_app. Test code may read the environment (the app never
does): RENKEI_TEST_PEOPLE (comma-separated user ids to remind), RENKEI_TEST_DUE (ISO deadline),
RENKEI_TEST_PAUSE_AFTER (stop after that many people, with their reminders flushed but not committed,
write RENKEI_TEST_MARKER and wait to be killed).
"""
from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

from flask import Flask

from app import create_app as create_renkei_app
from core.scheduler import JobContext, register_job
from notify.reminders import remind_once

JOB = "test-crash-reminders"
BATCH = 5  # people per commit, as a long job would checkpoint its progress


def reminder_job(ctx: JobContext) -> str:
    people = [int(x) for x in os.environ["RENKEI_TEST_PEOPLE"].split(",")]
    due = datetime.fromisoformat(os.environ["RENKEI_TEST_DUE"])
    pause_after = int(os.environ.get("RENKEI_TEST_PAUSE_AFTER") or 0)
    reminded = 0
    for start in range(0, len(people), BATCH):
        for user_id in people[start:start + BATCH]:
            sent = remind_once(ctx.session, key="assignment:1", user_ids=[user_id], kind="deadline.near",
                               target_type="assignment", target_id=1, url="/assignments/1",
                               params={"title": "課題A"}, due_at=due, offsets=ctx.config["REMINDER_OFFSETS"],
                               now=ctx.now)
            reminded += len(sent.user_ids)
            if pause_after and reminded == pause_after:
                ctx.session.flush()  # written, not committed: a kill now must leave no trace of them
                Path(os.environ["RENKEI_TEST_MARKER"]).write_text(str(os.getpid()))
                while True:  # the test kills this process here
                    time.sleep(0.2)
        ctx.checkpoint()
    return f"{reminded} reminders"


def create_app() -> Flask:
    app = create_renkei_app()
    register_job(app, JOB, reminder_job, {"minute": 0}, "crash test: deadline reminders")
    return app
