"""Home-page panels: my team's proposals and their next step, my reviews to write, rounds I run."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from core import dates
from core.extensions import db
from core.panels import Panel
from curriculum.models import Cohort, CohortStatus, Team
from proposals.models import Proposal
from proposals.review.models import AssignmentStatus, ReviewAssignment, ReviewRound, RoundProposal, RoundStatus
from proposals.ties import active_user, ties


def provider(actor: Any) -> list[Panel]:
    user = active_user(actor)
    if user is None:
        return []
    t = ties(user)
    found: list[Panel] = []
    if t.member_of:
        teams = db.session.scalars(select(Team).join(Cohort).where(Team.id.in_(t.member_of),
                                                                   Cohort.status != CohortStatus.CLOSED)
                                   .order_by(Team.id)).all()
        if teams:
            proposals = db.session.scalars(select(Proposal).where(Proposal.team_id.in_([team.id for team in teams]))
                                           .options(lazyload(Proposal.cities)).order_by(Proposal.id)).all()
            found.append(Panel("proposals/_panel_team.html", order=30, context={
                "teams": [(team, [p for p in proposals if p.team_id == team.id]) for team in teams]}))
    pending = db.session.scalars(
        select(ReviewAssignment).join(ReviewRound)
        .where(ReviewAssignment.reviewer_id == user.id, ReviewRound.status == RoundStatus.OPEN,
               ReviewAssignment.status.in_((AssignmentStatus.ASSIGNED, AssignmentStatus.DRAFT)))
        .options(joinedload(ReviewAssignment.round), joinedload(ReviewAssignment.round_proposal)
                 .joinedload(RoundProposal.proposal).lazyload(Proposal.cities), lazyload(ReviewAssignment.reviewer))
        .order_by(ReviewRound.deadline, ReviewAssignment.id)).all()
    if pending:
        found.append(Panel("proposals/review/_panel_reviews.html", order=25,
                           context={"assignments": pending, "now": dates.utcnow()}))
    if t.admin or t.facilitates:
        query = (select(ReviewRound, func.count(ReviewAssignment.id),
                        func.count(ReviewAssignment.submitted_at))
                 .outerjoin(ReviewAssignment, (ReviewAssignment.round_id == ReviewRound.id)
                            & (ReviewAssignment.withdrawn_at.is_(None)))
                 .where(ReviewRound.status != RoundStatus.CLOSED).group_by(ReviewRound.id)
                 .order_by(ReviewRound.deadline))
        if not t.admin:
            query = query.where(ReviewRound.cohort_id.in_(t.facilitates))
        rounds = [(r, total, done) for r, total, done in db.session.execute(query)]
        if rounds:
            found.append(Panel("proposals/review/_panel_rounds.html", order=35,
                               context={"rounds": rounds, "now": dates.utcnow()}))
    return found
