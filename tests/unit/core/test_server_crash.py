"""The web server killed with SIGKILL right after it answered a save: the save is still there.

A real `flask run` process over a file database (SQLite; a scratch database on PostgreSQL). A
participant signs in, creates a wiki page and hands in an assignment; as soon as each answer (the
redirect after the save) arrives, the server is killed — no shutdown, no flush. A new process over
the same database shows both: the views commit before they answer.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from tests.conftest import make_app
from tests.factories_notify import free_port

ROOT = Path(__file__).resolve().parents[3]


def prepare(url: str, instance: Path) -> dict[str, object]:
    from flask_migrate import upgrade

    from core.extensions import db
    from tests import factories
    from tests import factories_curriculum as fc
    from tests import factories_wiki as fw

    app = make_app(url, instance)
    with app.app_context():
        upgrade()
        person = factories.participant(email="writer@example.jp", name="書き 手")
        cohort = fw.cohort()
        team = fw.team(cohort, person)
        assignment = fc.assignment(cohort, title="振り返り")
        ids = {"team": team.id, "assignment": assignment.id, "email": person.email, "user": person.id}
        db.session.remove()
        db.engine.dispose()
    return ids


class Server:
    def __init__(self, url: str, instance: Path) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RENKEI_", "FLASK_"))}
        env.update({"FLASK_APP": "app", "PYTHONPATH": str(ROOT), "RENKEI_ENV": "test", "RENKEI_INSTANCE": str(instance),
                    "DATABASE_URL": url, "SECRET_KEY": "server-crash-secret-key-0123456789abcdef-01",
                    "MAIL_BACKEND": "memory", "WTF_CSRF_ENABLED": "0", "RATELIMIT_ENABLED": "0"})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "run", "--no-reload", "--no-debugger", "--host", "127.0.0.1", "--port",
             str(self.port)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, self.process.communicate()[0]
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate(timeout=30)
        assert self.process.returncode == -signal.SIGKILL


def test_a_save_that_was_answered_survives_a_sigkill_of_the_server(scratch_url: str, tmp_path: Path) -> None:
    ids = prepare(scratch_url, tmp_path)
    from tests.factories import PASSWORD

    server = Server(scratch_url, tmp_path)
    try:
        web = requests.Session()
        signed_in = web.post(f"{server.base}/login", data={"email": ids["email"], "password": PASSWORD},
                             allow_redirects=False, timeout=30)
        assert signed_in.status_code == 302, signed_in.text[:500]
        saved = web.post(f"{server.base}/teams/{ids['team']}/wiki/-/new", allow_redirects=False, timeout=30,
                         data={"title": "停電時の連絡手順", "text": "# 手順\n\n1. 防災無線で知らせる\n", "save": "1"})
        assert saved.status_code == 302, saved.text[:500]
        server.kill()  # the moment the answer arrived
    finally:
        if server.process.poll() is None:
            server.kill()

    server = Server(scratch_url, tmp_path)  # a new process over the same database
    try:
        web = requests.Session()
        web.post(f"{server.base}/login", data={"email": ids["email"], "password": PASSWORD}, timeout=30)
        page = web.get(f"{server.base}{saved.headers['Location']}", timeout=30)
        assert page.status_code == 200 and "防災無線で知らせる" in page.text
        handed_in = web.post(f"{server.base}/assignments/{ids['assignment']}/submit", allow_redirects=False,
                             timeout=30, data={"text": "今回の学びのまとめ", "base_version": "0", "submit": "1"})
        assert handed_in.status_code == 302, handed_in.text[:500]
        server.kill()
    finally:
        if server.process.poll() is None:
            server.kill()

    engine = create_engine(scratch_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM wiki_revision r JOIN wiki_page p ON p.id = r.page_id "
                                 "WHERE p.title = '停電時の連絡手順'")).scalar() == 1
        assert conn.execute(text("SELECT text FROM submission_version")).scalars().all() == ["今回の学びのまとめ"]
    engine.dispose()
