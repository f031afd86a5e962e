"""`flask review …` commands and the proposals part of the demo data.

``flask review simulate --teams N --reviewers-per-team K --reviews R --seed S`` prints, as JSON, the
statistics of an allocation for a synthetic cohort of that size (coverage per proposal, load per
reviewer, city spread, violations), so the allocation rules can be checked at any scale.
"""
from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from core.cli import register_demo
from core.extensions import db
from proposals import jobs
from proposals.review import allocation


def init_app(app: Flask) -> None:
    from core import scale
    from proposals import demo
    from proposals import scale as proposal_scale

    register_demo(app, 50, "proposals", demo.seed)
    scale.register_scale(app, "proposals", proposal_scale.seed_proposals, order=50, sizes=("proposals",))

    review = AppGroup("review", help="Peer review of proposals.")

    @review.command("simulate")
    @click.option("--teams", type=click.IntRange(min=1), required=True, help="Number of teams (one proposal each).")
    @click.option("--reviewers-per-team", type=click.IntRange(min=0), required=True, help="Reviewers in each team.")
    @click.option("--reviews", type=click.IntRange(min=0), default=3, show_default=True,
                  help="Reviews wanted per proposal.")
    @click.option("--seed", type=int, default=0, show_default=True, help="Allocation seed.")
    @click.option("--alumni", type=click.IntRange(min=0), default=0, show_default=True,
                  help="Invited alumni reviewers (in no team).")
    @click.option("--proposals-per-team", type=click.IntRange(min=0), default=1, show_default=True)
    @click.option("--cities", type=click.IntRange(min=1), default=8, show_default=True)
    @click.option("--compact", is_flag=True, help="Leave out the per-proposal and per-reviewer tables.")
    def simulate_command(teams: int, reviewers_per_team: int, reviews: int, seed: int, alumni: int,
                         proposals_per_team: int, cities: int, compact: bool) -> None:
        """Allocate reviewers for a synthetic cohort and print the statistics as JSON."""
        result = allocation.simulate(teams, reviewers_per_team, reviews, seed, alumni=alumni,
                                     proposals_per_team=proposals_per_team, cities=cities)
        if compact:
            for key in ("coverage", "load", "city_spread"):
                result[key] = {k: v for k, v in result[key].items() if k not in ("per_proposal", "per_reviewer",
                                                                                   "quota")}
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        if not result["ok"]:
            raise SystemExit(1)

    @review.command("release-due")
    def release_due_command() -> None:
        """Release the reviews of rounds whose deadline has passed (the scheduler runs this)."""
        count = jobs.release_due_reviews(db.session)
        click.echo(f"{count} round(s) released")

    app.cli.add_command(review)
