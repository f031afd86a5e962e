"""Many people pressing the same button at once: threads with their own sessions (and connections).

``crowd(app, n, load, write)`` runs ``load(i)`` in each thread's own application context (read the
objects as the form did), gives the connection back, waits until every thread is ready, then runs
``write(i, loaded)`` and commits if it returned, rolls back if it raised. The outcome per thread is
``("ok", value)`` or ``("refused", exception)``; any other failure of the harness fails the test.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

Outcome = tuple[str, Any]


def crowd(app: Flask, n: int, load: Callable[[int], Any], write: Callable[[int, Any], Any],
          refusals: tuple[type[BaseException], ...], timeout: float = 60) -> dict[int, Outcome]:
    barrier = threading.Barrier(n)
    outcome: dict[int, Outcome] = {}
    errors: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            with app.app_context():
                from core.extensions import db

                try:
                    loaded = load(i)
                    db.session.commit()  # give the connection back: the pool (15) is smaller than the crowd
                    barrier.wait(timeout=timeout)
                    try:
                        value = write(i, loaded)
                        db.session.commit()
                        outcome[i] = ("ok", value)
                    except refusals as refused:
                        db.session.rollback()
                        outcome[i] = ("refused", refused)
                finally:
                    db.session.remove()
        except BaseException as error:  # noqa: BLE001 - reported below with the thread's number
            barrier.abort()
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,), name=f"writer-{i}") for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout * 2)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert not errors, errors
    assert len(outcome) == n
    return outcome
