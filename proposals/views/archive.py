"""The proposals list: past proposals searchable by everyone signed in, one's own team's work in progress.

Search matches the normalised text of each proposal's latest snapshot (title, sections, cities,
field, directions, outcome), plus year, field, direction, city and outcome filters.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import joinedload

from core import search
from core.extensions import db
from core.security import authorize
from curriculum.models import Cohort, CohortStatus, Team
from people.models import active_cities_query
from proposals import policy
from proposals.models import Proposal, ProposalCity
from proposals.ties import ties
from proposals.views.base import bp
from proposals.vocab import PUBLISHED, Direction, PolicyField, ProposalStatus

PAGE_SIZE = 30
_DIRECTION_COLUMN = {Direction.THREATS: Proposal.dir_threats, Direction.OPPORTUNITIES: Proposal.dir_opportunities,
                     Direction.RESOURCES: Proposal.dir_resources}


@dataclass
class Filters:
    q: str = ""
    year: int | None = None
    field: PolicyField | None = None
    direction: Direction | None = None
    city: int | None = None
    status: ProposalStatus | None = None
    page: int = 1

    @classmethod
    def from_args(cls) -> Filters:
        args = request.args

        def pick(enum_type, value):  # type: ignore[no-untyped-def]
            try:
                return enum_type(value) if value else None
            except ValueError:
                return None

        return cls(q=args.get("q", "").strip()[:200], year=args.get("year", type=int),
                   field=pick(PolicyField, args.get("field")), direction=pick(Direction, args.get("direction")),
                   city=args.get("city", type=int), status=pick(ProposalStatus, args.get("status")),
                   page=max(1, min(args.get("page", 1, type=int) or 1, 10_000)))

    @property
    def active(self) -> bool:
        return bool(self.q or self.year or self.field or self.direction or self.city or self.status)


def _term_condition(word: str):  # type: ignore[no-untyped-def]
    variants = {search.normalize(word)}
    variants.update(search.query_terms(word))
    variants.discard("")
    clauses = []
    for v in variants:
        pattern = f"%{search.like_escape(v)}%"
        clauses.append(Proposal.search_key.like(pattern, escape="\\"))
        clauses.append(func.lower(Proposal.title).like(pattern, escape="\\"))
    return or_(*clauses) if clauses else None


def visible_query(actor: object) -> Select:  # type: ignore[type-arg]
    """Proposals this person may open: finished ones, plus their teams' and cohorts' work."""
    t = ties(actor)
    query = select(Proposal)
    if t.admin:
        return query
    teams = t.member_of | t.mentor_of | t.city_teams
    conditions = [Proposal.status.in_(PUBLISHED)]
    if teams:
        conditions.append(Proposal.team_id.in_(teams))
    if t.facilitates:
        conditions.append(Proposal.cohort_id.in_(t.facilitates))
    return query.where(or_(*conditions) if conditions else false())


def apply(query: Select, f: Filters) -> Select:  # type: ignore[type-arg]
    for word in f.q.split()[:8]:
        condition = _term_condition(word)
        if condition is not None:
            query = query.where(condition)
    if f.year:
        query = query.where(Proposal.cohort_id.in_(select(Cohort.id).where(Cohort.fiscal_year == f.year)))
    if f.field:
        query = query.where(Proposal.policy_field == f.field)
    if f.direction:
        query = query.where(_DIRECTION_COLUMN[f.direction].is_(True))
    if f.city:
        query = query.where(Proposal.id.in_(select(ProposalCity.proposal_id).where(ProposalCity.city_id == f.city)))
    if f.status:
        query = query.where(Proposal.status == f.status)
    return query


@bp.route("/proposals")
def index():  # type: ignore[no-untyped-def]
    authorize(policy.signed_in(current_user))
    f = Filters.from_args()
    query = apply(visible_query(current_user), f)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.join(Cohort, Cohort.id == Proposal.cohort_id)
        .options(joinedload(Proposal.team), joinedload(Proposal.cohort))
        .order_by(Cohort.fiscal_year.desc(), Proposal.team_id, Proposal.id)
        .limit(PAGE_SIZE).offset((f.page - 1) * PAGE_SIZE)).all()
    t = ties(current_user)
    my_teams = db.session.scalars(
        select(Team).join(Cohort).where(Team.id.in_(t.member_of | t.mentor_of), Cohort.status != CohortStatus.CLOSED)
        .options(joinedload(Team.cohort)).order_by(Cohort.fiscal_year.desc(), Team.number)).all() \
        if (t.member_of or t.mentor_of) else []
    years = list(db.session.scalars(select(Cohort.fiscal_year).order_by(Cohort.fiscal_year.desc())))
    cities = list(db.session.scalars(active_cities_query()))
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template("proposals/index.html", proposals=rows, total=total, filters=f, years=years,
                           cities=cities, my_teams=my_teams, pages=pages, fields=list(PolicyField),
                           directions=list(Direction), statuses=list(ProposalStatus))

