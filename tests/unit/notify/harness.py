"""The app as a real `flask scheduler` process runs it in the two-process tests, with a fake area.

FLASK_APP=tests.unit.notify.harness:create_app; the fake area's assignments come from the JSON file
named by RENKEI_TEST_PLAN (test code may read the environment; the app itself never does).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from flask import Flask

from app import create_app as create_renkei_app
from core.scheduler import register_job
from tests.factories_notify import FakeArea, FakeAssignment

JOB = "test-assignment-reminders"


def create_app() -> Flask:
    app = create_renkei_app()
    plan = json.loads(Path(os.environ["RENKEI_TEST_PLAN"]).read_text())
    area = FakeArea([FakeAssignment.from_json(a) for a in plan["assignments"]])
    register_job(app, JOB, area.job, {"minute": 0}, "fake area: deadline reminders")
    return app
