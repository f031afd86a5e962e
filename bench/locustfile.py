"""Locust users for `python -m bench.load` (never imported by the app or the tests).

RENKEI_LOAD_SCENARIO chooses what every virtual user does:

* ``hello``          — GET / on the bare Flask app (the ceiling on the same gunicorn settings);
* ``page:<name>``    — signs in, then reads one main page over and over (home, directory, wiki,
  proposal, reviews);
* ``mix``            — the deadline peak: signs in, then two reads for every write, the writes being
  real form posts (their own submission, their own wiki page, a review draft) with the CSRF token
  and version fields the page gave, exactly as a browser sends them.

RENKEI_LOAD_PLAN names the JSON written by ``bench.load_plan``. A response that is not 2xx/3xx,
or a save that comes back with the form's error page, counts as a failure.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import threading
from typing import Any

import lxml.html
from locust import FastHttpUser, between, task

SCENARIO = os.environ.get("RENKEI_LOAD_SCENARIO", "hello")
PLAN: dict[str, Any] = {}
if SCENARIO != "hello":
    with open(os.environ["RENKEI_LOAD_PLAN"], encoding="utf-8") as fh:
        PLAN = json.load(fh)
_next = itertools.count()
_lock = threading.Lock()


def _form(html: str, action: str | None) -> tuple[str | None, dict[str, str]]:
    """The action and the values a browser would send for the form posting to ``action`` (or the
    first form that is not the logout form)."""
    doc = lxml.html.fromstring(html)
    for form in doc.forms:
        if form.action == "/logout":
            continue
        if action is None or form.action == action:
            return form.action, dict(form.form_values())
    return None, {}


class Hello(FastHttpUser):
    wait_time = between(0, 0)
    weight = 1 if SCENARIO == "hello" else 0

    @task
    def hello(self) -> None:
        self.client.get("/", name="hello")


class Member(FastHttpUser):
    wait_time = between(0, 0) if SCENARIO.startswith("page:") else between(0.2, 0.8)
    weight = 0 if SCENARIO == "hello" else 1

    def on_start(self) -> None:
        with _lock:
            me = PLAN["users"][next(_next) % len(PLAN["users"])]
        self.me = me
        page = self.client.get("/login", name="sign-in")
        _action, values = _form(page.text, None)
        values.update(email=me["email"], password=PLAN["password"])
        with self.client.post("/login", data=values, name="sign-in", catch_response=True,
                              allow_redirects=False) as resp:
            if resp.status_code != 302:
                resp.failure(f"sign-in as {me['email']} gave {resp.status_code}")

    def _read(self, name: str) -> None:
        if name == "directory":
            q = random.choice(PLAN["directory_queries"])
            self.client.get(f"/directory?q={q}", name="directory")
        else:
            self.client.get(self.me["reads"][name], name=name)

    def _write(self) -> None:
        write = random.choice(self.me["writes"])
        page = self.client.get(write["page"], name=f"{write['kind']} (form)")
        action, values = _form(page.text, write.get("action"))
        if not values:
            return
        target = action or write["page"]
        stamp = random.randint(0, 10**9)
        values[write["field"]] = (values.get(write["field"]) or "").rstrip() + f"\n\n追記 {stamp}\n"
        with self.client.post(target, data=values, name=f"{write['kind']} (save)", catch_response=True,
                              allow_redirects=False) as resp:
            if resp.status_code not in (302, 303):
                resp.failure(f"save of {write['page']} gave {resp.status_code}")

    @task
    def work(self) -> None:
        if SCENARIO.startswith("page:"):
            self._read(SCENARIO.split(":", 1)[1])
            return
        # the deadline mix: two reads for each write
        if random.random() < 1 / 3:
            self._write()
        else:
            self._read(random.choice(["home", "assignment", "wiki", "reviews", "directory", "proposal"]))
