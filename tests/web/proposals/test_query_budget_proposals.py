"""The proposal pages keep within the query budget and do not grow with proposals, rounds and reviews.

The platform-wide budget test adds the whole demo data set; until the curriculum's demo teams exist,
this one adds the proposals demo itself (four current teams in review, eight past proposals).
"""
from __future__ import annotations

from flask import Flask

from tests.web.test_access_matrix import build_world
from tests.web.test_query_budget import BUDGET, _measure, _role_for

from tests.web.proposals.access import RULES


def test_proposal_pages_do_not_grow_with_the_demo(app: Flask) -> None:
    from core.extensions import db
    from proposals import demo
    from tests.unit.proposals.test_demo import _context

    rules = [r for r in RULES if r.method == "GET" and _role_for(r) is not None]
    with app.app_context():
        world = build_world()
    small = _measure(app, world, rules)
    with app.app_context():
        demo.seed(_context(db.session, current_year=2090, past_years=(2086, 2087, 2088, 2089)))
        db.session.commit()
    large = _measure(app, world, rules)
    over = {k: v for k, v in large.items() if v > BUDGET}
    grew = {k: (small[k], large[k]) for k in small if large[k] > small[k]}
    assert not over, f"pages over {BUDGET} statements: {over}"
    assert not grew, f"statement count grows with the data (small, large): {grew}"
