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


# --- the demo participant's own pages: their data is what grows -----------------------------------

# The home page gathers a panel from each of five areas (this week's sessions and assignments, the
# team's workspace, the proposal, reviews to write, notices). It stays constant, but above 15.
OVER_BUDGET = {"/": 25}


def _demo_pages(app: Flask) -> tuple[object, list[str]]:
    from sqlalchemy import select

    from core.extensions import db
    from curriculum.models import Assignment, AssignmentKind, TeamMember
    from people.models import User
    from proposals.models import Proposal
    from proposals.review.models import ReviewAssignment

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "participant@renkei.example.jp"))
        assert user is not None
        member = db.session.scalar(select(TeamMember).where(TeamMember.user_id == user.id)
                                   .order_by(TeamMember.cohort_id.desc()))
        assert member is not None
        assignment = db.session.scalar(select(Assignment).where(Assignment.cohort_id == member.cohort_id,
                                                                Assignment.kind == AssignmentKind.INDIVIDUAL))
        proposal = db.session.scalar(select(Proposal).where(Proposal.team_id == member.team_id))
        review = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == user.id))
        paths = ["/", f"/teams/{member.team_id}", f"/teams/{member.team_id}/wiki/",
                 f"/teams/{member.team_id}/wiki/提案の骨子", f"/teams/{member.team_id}/wiki/提案の骨子/history",
                 f"/cohorts/{member.cohort_id}/wiki/", "/wiki", "/reviews", "/directory?q=sato",
                 "/search?q=防災", "/proposals", "/cases"]
        if assignment is not None:
            paths.append(f"/assignments/{assignment.id}")
        if proposal is not None:
            paths.append(f"/proposals/{proposal.id}")
        if review is not None:
            paths.append(f"/reviews/{review.id}")
        return user, paths


def _count_pages(app: Flask, user: object, paths: list[str]) -> dict[str, int]:
    from core.extensions import db

    with app.app_context():
        engine = db.engine
    client = sign_in(app.test_client(), user)
    counts = {}
    for path in paths:
        client.get(path)  # warm: first-request work (a profile row, a space) is not the page's cost
        with counting(engine) as statements:
            response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        counts[path] = len(statements)
    return counts


def _grow_the_participants_world(app: Flask, user: object) -> None:
    """More of everything the participant's own pages list: pages, revisions, comments, cohorts, people."""
    from datetime import timedelta

    from sqlalchemy import select

    from core.dates import utcnow
    from core.extensions import db
    from curriculum.models import TeamMember
    from wiki import revisions, services
    from wiki.workspace import load

    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-scale", "--people", "300", "--proposals", "40", "--pages", "80"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        member = db.session.scalar(select(TeamMember).where(TeamMember.user_id == user.id)  # type: ignore[attr-defined]
                                   .order_by(TeamMember.cohort_id.desc()))
        ws = load(db.session, "teams", member.team_id)
        now = utcnow() - timedelta(hours=1)
        for n in range(8):
            page = services.create_page(db.session, ws, f"追加ページ{n}", f"本文 [[提案の骨子]] {n}", author=user,
                                        now=now)
            services.add_comment(db.session, page, f"コメント {n}", author=user, now=now)
        outline, _ = revisions.find_page(db.session, ws.space, "提案の骨子")
        for n in range(5):
            base = revisions.latest_revision(db.session, outline)
            services.save_page(db.session, outline, f"{outline.text}\n\n追記 {n}\n", author=user,
                               base_revision_id=base.id, now=now + timedelta(minutes=n))
            services.add_comment(db.session, outline, f"追記へのコメント {n}", author=user, now=now)
        db.session.commit()


def test_a_participants_own_pages_do_not_grow_with_their_data(app: Flask) -> None:
    from core.cli import load_demo, run_sync

    with app.app_context():
        run_sync(app)
        load_demo(app)
    user, paths = _demo_pages(app)
    before = _count_pages(app, user, paths)
    _grow_the_participants_world(app, user)
    after = _count_pages(app, user, paths)
    grew = {p: (before[p], after[p]) for p in paths if after[p] > before[p]}
    over = {p: n for p, n in after.items() if n > OVER_BUDGET.get(p, BUDGET)}
    assert not grew, f"statement count grows with the participant's data (before, after): {grew}"
    assert not over, f"pages over budget: {over}"
