"""Query budget: no page issues more than 15 SQL statements, and the count does not grow with data.

Every GET route of the access matrix is opened by one role allowed to see it, on the small test world,
then again after the whole demo data set (a hundred people, past cohorts …) has been added.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from tests.access import (ADMIN, ALUMNUS, ANONYMOUS, COORDINATOR, FACILITATOR, PARTICIPANT, Rule)
from tests.conftest import sign_in
from tests.web.test_access_matrix import ALL_RULES, build_world

BUDGET = 15
PREFERENCE = (PARTICIPANT, FACILITATOR, COORDINATOR, ALUMNUS, ADMIN, ANONYMOUS)


@contextmanager
def counting(engine) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    statements: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)


def _role_for(rule: Rule) -> str | None:
    return next((r for r in PREFERENCE if r in rule.allow), None)


def _measure(app: Flask, world, rules: list[Rule]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from core.extensions import db

    counts = {}
    with app.app_context():
        engine = db.engine
    for rule in rules:
        role = _role_for(rule)
        client = app.test_client()
        if role != ANONYMOUS:
            sign_in(client, world.users[role])
        url = rule.url(world)
        with counting(engine) as statements:
            response = client.get(url)
        assert response.status_code in rule.ok, f"{url} as {role}: {response.status_code}"
        counts[f"{rule.endpoint} {url} ({role})"] = len(statements)
    return counts


def test_pages_stay_within_the_query_budget_and_do_not_grow(app: Flask) -> None:
    from core.cli import load_demo, run_sync

    rules = [r for r in ALL_RULES if r.method == "GET" and _role_for(r) is not None]
    with app.app_context():
        world = build_world()
    small = _measure(app, world, rules)
    with app.app_context():
        run_sync(app)
        load_demo(app)
    large = _measure(app, world, rules)
    assert max(small.values()) > 0  # the counter sees the queries
    over = {k: v for k, v in large.items() if v > BUDGET}
    grew = {k: (small[k], large[k]) for k in small if large[k] > small[k]}
    assert not over, f"pages over {BUDGET} statements: {over}"
    assert not grew, f"statement count grows with the data (small, large): {grew}"
