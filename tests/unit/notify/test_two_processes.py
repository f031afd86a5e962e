"""Two real scheduler processes at once: every reminder arrives exactly once.

The first test starts two `flask scheduler` processes against one PostgreSQL database with a
simulated clock (one real second = two simulated hours) and lets a week go by: a fake area's hourly
reminder job, the delivery job and the digests all run in both processes, and an SMTP server in
this test counts what arrives. The second starts two `flask jobs run` for the same fire time at once.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, func, select, text

from core.dates import TOKYO
from tests.conftest import make_app
from tests.factories_notify import CountingHandler, FakeAssignment, free_port

ROOT = Path(__file__).resolve().parents[3]
JOB = "test-assignment-reminders"
SPEED = 7200  # simulated seconds per real second
START = datetime(2026, 11, 30, 0, 0, tzinfo=TOKYO)  # Monday
END = datetime(2026, 12, 5, 22, 0, tzinfo=TOKYO)  # Saturday night: the last reminder is long delivered


def jst(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=TOKYO)


@pytest.fixture()
def smtp_counter() -> Iterator[tuple[CountingHandler, int]]:
    handler, port = CountingHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def prepare(url: str, instance: Path) -> dict[str, int]:
    """Migrate the scratch database and create the people (u4 reads reminders in the daily digest)."""
    from flask_migrate import upgrade

    from core.extensions import db
    from notify.models import Channel
    from notify.services import set_preferences
    from tests import factories

    app = make_app(url, instance)
    with app.app_context():
        upgrade()
        people = {f"u{n}": factories.participant(email=f"u{n}@example.jp", name=f"参加 {n}") for n in range(1, 5)}
        set_preferences(db.session, people["u4"], {"deadline.near": Channel.DAILY})
        db.session.commit()
        ids = {key: user.id for key, user in people.items()}
        db.session.remove()
        db.engine.dispose()
    return ids


def plan(ids: dict[str, int]) -> list[FakeAssignment]:
    u1, u2, u3, u4 = (ids[f"u{n}"] for n in range(1, 5))
    return [
        FakeAssignment(1, "課題A", jst(12, 2, 17), [u1, u2, u3, u4]),  # Wed 17:00
        FakeAssignment(2, "課題B", jst(12, 4, 9), [u1, u2, u3, u4], submitted={u2: jst(12, 2, 12)}),  # Fri 09:00
        FakeAssignment(3, "課題C", jst(12, 6, 20), [u1, u2, u3], submitted={u3: jst(11, 1, 9)}),  # Sun 20:00
    ]


def environment(url: str, instance: Path, plan_path: Path, smtp_port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RENKEI_", "FLASK_"))}
    env.update({
        "FLASK_APP": "tests.unit.notify.harness:create_app",
        "PYTHONPATH": str(ROOT),
        "RENKEI_ENV": "test",
        "RENKEI_INSTANCE": str(instance),
        "DATABASE_URL": url,
        "SECRET_KEY": "two-process-test-secret-key-0123456789abcdef",
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
        "RENKEI_TEST_PLAN": str(plan_path),
        "NOTIFY_DELIVER_SECONDS": "1800",
        "SCHEDULER_DISABLED_JOBS": "backup,heartbeat,prune-job-runs,token-cleanup",
    })
    env.update(extra)
    return env


@pytest.mark.postgres_only
@pytest.mark.slow
def test_two_scheduler_processes_for_a_simulated_week(scratch_url: str, tmp_path: Path, smtp_counter) -> None:
    handler, smtp_port = smtp_counter
    ids = prepare(scratch_url, tmp_path)
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps({"assignments": [a.to_json() for a in plan(ids)]}))
    anchor = time.time() + 2.0  # both clocks read START at the same real moment
    env = environment(scratch_url, tmp_path, plan_path, smtp_port,
                      RENKEI_SCHEDULER_CLOCK=f"{START.isoformat()}*{SPEED}@{anchor}")
    logs = [open(tmp_path / f"scheduler{n}.log", "w") for n in (1, 2)]  # noqa: SIM115
    processes = [subprocess.Popen([sys.executable, "-m", "flask", "scheduler"], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT) for log in logs]
    try:
        time.sleep(max(anchor + (END - START).total_seconds() / SPEED - time.time(), 0))
        for process in processes:
            assert process.poll() is None, "a scheduler process died early"
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=180) for process in processes]  # slow on a loaded machine
        for log in logs:
            log.close()
    output = "\n".join((tmp_path / f"scheduler{n}.log").read_text() for n in (1, 2))
    assert codes == [0, 0], output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    assert output.count("scheduler: stopped") == 2

    u = {key: f"{key}@example.jp" for key in ids}
    by_person = Counter(m["To"] for m in handler.messages)
    # u1: A (3 days, 1 day), B (3, 1), C (3, 1); u2 submitted B before its 1-day reminder; u3 had
    # submitted C long before; u4 reads reminders in the daily digest: Mon, Wed and Fri mornings.
    assert by_person == {u["u1"]: 6, u["u2"]: 5, u["u3"]: 4, u["u4"]: 3}, by_person
    deliveries = [m["X-Renkei-Delivery"] for m in handler.messages]
    assert len(deliveries) == len(set(deliveries)) == 18  # no e-mail twice
    subjects = Counter((m["To"], m["Subject"].split("」")[0].split("「")[-1]) for m in handler.messages
                       if m["X-Renkei-Kind"] == "deadline.near")
    assert subjects == {(u["u1"], "課題A"): 2, (u["u1"], "課題B"): 2, (u["u1"], "課題C"): 2,
                        (u["u2"], "課題A"): 2, (u["u2"], "課題B"): 1, (u["u2"], "課題C"): 2,
                        (u["u3"], "課題A"): 2, (u["u3"], "課題B"): 2}
    digests = [m for m in handler.messages if m["X-Renkei-Kind"] == "digest"]
    assert sorted(m["To"] for m in digests) == [u["u4"]] * 3

    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        reminders = conn.execute(text("SELECT key, user_id, offset_minutes FROM reminder")).all()
        assert len(reminders) == len(set(reminders)) == 8 + 7 + 4  # A: 4 people × 2; B: 3 × 2 + u2; C: 2 × 2
        runs = conn.execute(select(text("fire_time"), text("host")).select_from(text("job_run"))
                            .where(text("job_id = :job")), {"job": JOB}).all()
        fire_times = [r[0] for r in runs]
        assert len(fire_times) == len(set(fire_times))  # never twice for one moment
        # about one run per simulated hour; a process that falls behind coalesces the hours it missed
        assert len(fire_times) >= 72
        assert len({r[1] for r in runs}) == 2  # both processes took turns
        sent = conn.execute(text("SELECT count(*) FROM delivery WHERE status = 'sent'")).scalar()
        assert sent == 18
        assert conn.execute(select(func.count()).select_from(text("job_run"))
                            .where(text("status = 'error'"))).scalar() == 0
    engine.dispose()


def test_two_processes_running_the_same_fire_time_run_it_once(scratch_url: str, tmp_path: Path) -> None:
    ids = prepare(scratch_url, tmp_path)
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(json.dumps({"assignments": [a.to_json() for a in plan(ids)]}))
    env = environment(scratch_url, tmp_path, plan_path, free_port(), MAIL_BACKEND="memory")
    command = [sys.executable, "-m", "flask", "jobs", "run", JOB, "--at", "2026-11-30T18:00"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    results = sorted(line.split(": ", 1)[1].split(" ")[0] for out in outputs for line in out.splitlines()
                     if line.startswith(f"{JOB} @"))
    assert results[0] in ("already-ran", "locked") and results[1] == "ok", outputs
    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM job_run")).scalar() == 1
        # A due Wed 17:00: at Mon 18:00 its 3-day reminder is due for all four, exactly once each
        assert conn.execute(text("SELECT count(*) FROM reminder")).scalar() == 4
        assert conn.execute(text("SELECT count(*) FROM notification")).scalar() == 4
    engine.dispose()
