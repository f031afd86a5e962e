"""A job runner killed with SIGKILL in the middle of its work, then started again.

`flask jobs run` is a real process over a file database (SQLite; a scratch database on PostgreSQL).
It is killed at known points — after reminding 12 of 30 people (10 committed, 2 only flushed), and
while the SMTP server holds its reply to the 8th e-mail — and run again as the scheduler would (the
next fire time). Afterwards every person has exactly one reminder and one e-mail; what was committed
before the kill is still there; the e-mail whose fate the runner could not know is not sent again but
marked failed ("interrupted") for the secretariat.
"""
from __future__ import annotations

import asyncio
import email
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from core.dates import TOKYO
from tests.conftest import make_app
from tests.factories_notify import free_port
from tests.unit.notify.crash_harness import JOB

ROOT = Path(__file__).resolve().parents[3]
PEOPLE = 30
FIRE = datetime(2026, 12, 1, 10, 0, tzinfo=TOKYO)  # Tuesday morning: outside quiet hours
DUE = FIRE + timedelta(days=2, hours=12)  # the 3-day reminder is due, the 1-day one not yet


class StallingHandler:
    """Accepts e-mail; the ``stall_at``-th message is kept but its reply is held until ``release``."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.stall_at = 0
        self.reached = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd API)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        if len(self.messages) == self.stall_at:
            self.reached.set()
            while not self.release.is_set():  # the sender is killed while it waits for this reply
                await asyncio.sleep(0.02)
            return "451 4.3.0 too late"
        return "250 2.0.0 Accepted"


@pytest.fixture()
def smtp() -> Iterator[tuple[StallingHandler, int]]:
    handler, port = StallingHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    handler.release.set()
    controller.stop()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def prepare(url: str, instance: Path) -> list[int]:
    from flask_migrate import upgrade

    from core.extensions import db
    from tests import factories

    app = make_app(url, instance)
    with app.app_context():
        upgrade()
        ids = [factories.participant(email=f"p{n:02d}@example.jp", name=f"参加 {n}", commit=False).id
               for n in range(PEOPLE)]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return ids


def runner(url: str, instance: Path, smtp_port: int, ids: list[int], **extra: str):  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RENKEI_", "FLASK_"))}
    env.update({
        "FLASK_APP": "tests.unit.notify.crash_harness:create_app",
        "PYTHONPATH": str(ROOT),
        "RENKEI_ENV": "test",
        "RENKEI_INSTANCE": str(instance),
        "DATABASE_URL": url,
        "SECRET_KEY": "crash-test-secret-key-0123456789abcdef-0123",
        "MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port),
        "RENKEI_TEST_PEOPLE": ",".join(map(str, ids)),
        "RENKEI_TEST_DUE": DUE.isoformat(),
        "RENKEI_TEST_MARKER": str(instance / "paused"),
        **extra,
    })

    def start(job: str, at: datetime) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, "-m", "flask", "jobs", "run", job, "--at", at.isoformat()],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    return start


def kill(process: subprocess.Popen[str]) -> None:
    assert process.poll() is None, process.communicate()[0]
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def finish(process: subprocess.Popen[str]) -> str:
    output = process.communicate(timeout=120)[0]
    assert process.returncode == 0 and "Traceback" not in output, output
    return output


def test_a_job_runner_killed_mid_job_reminds_and_mails_everyone_exactly_once(scratch_url: str, tmp_path: Path,
                                                                             smtp) -> None:
    handler, smtp_port = smtp
    ids = prepare(scratch_url, tmp_path)
    engine = create_engine(scratch_url)

    def count(sql: str) -> int:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar() or 0)

    # 1. the reminder job dies after 12 people: two batches of five were committed, two people only flushed
    start = runner(scratch_url, tmp_path, smtp_port, ids, RENKEI_TEST_PAUSE_AFTER="12")
    first = start(JOB, FIRE)
    wait_for(lambda: (tmp_path / "paused").exists() or first.poll() is not None, "the job to reach person 12")
    kill(first)
    assert count("SELECT count(*) FROM reminder") == 10  # committed work survives, the rest left no trace
    assert count("SELECT count(*) FROM notification") == 10

    # 2. the scheduler's next fire time runs it again: the other twenty, nobody twice
    start = runner(scratch_url, tmp_path, smtp_port, ids)
    out = finish(start(JOB, FIRE + timedelta(hours=1)))
    assert "20 reminders" in out, out
    with engine.connect() as conn:
        per_person = Counter(r[0] for r in conn.execute(text("SELECT user_id FROM reminder")))
        notified = Counter(r[0] for r in conn.execute(text("SELECT user_id FROM notification")))
    assert per_person == Counter(ids) and notified == Counter(ids)
    assert count("SELECT count(*) FROM delivery WHERE status = 'pending'") == PEOPLE

    # 3. the delivery job dies while the SMTP server holds its reply to the 8th e-mail
    handler.stall_at = 8
    sending = start("deliver", FIRE + timedelta(hours=1, minutes=1))
    wait_for(lambda: handler.reached.is_set() or sending.poll() is not None, "the 8th e-mail")
    kill(sending)
    handler.release.set()
    assert count("SELECT count(*) FROM delivery WHERE status = 'sent'") == 7  # each recorded as it went
    assert count("SELECT count(*) FROM delivery WHERE status = 'sending'") == 1

    # 4. a later run sends the rest; the interrupted claim is not sent again but marked failed
    out = finish(start("deliver", FIRE + timedelta(hours=1, minutes=30)))
    assert "22 sent" in out and "1 interrupted" in out, out
    received = Counter(m["To"] for m in handler.messages)
    assert received == Counter(f"p{n:02d}@example.jp" for n in range(PEOPLE)), received  # each exactly once
    with engine.connect() as conn:
        statuses = Counter(r[0] for r in conn.execute(text("SELECT status FROM delivery")))
        failed = conn.execute(text("SELECT last_error FROM delivery WHERE status = 'failed'")).scalars().all()
        runs = Counter((r[0], r[1]) for r in conn.execute(text("SELECT job_id, status FROM job_run")))
    assert statuses == {"sent": PEOPLE - 1, "failed": 1}, statuses
    assert failed and "interrupted" in failed[0]  # shown on /admin/jobs: it may or may not have arrived
    assert runs[(JOB, "ok")] == 1 and runs[("deliver", "ok")] == 1
    engine.dispose()
