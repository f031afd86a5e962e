"""Who may do what in peer review. Deny by default.

* the cohort's facilitators and the secretariat run rounds and see everything, names included;
* a reviewer sees their own assignments once the round is published;
* the authors (team and mentor) see reviews only after release, under the reviewers' aliases when
  the round hides reviewers.
"""
from __future__ import annotations

from typing import Any

from core.dates import utcnow
from curriculum.models import Cohort
from people.models import Role
from proposals.models import Proposal
from proposals.review import services
from proposals.review.models import ReviewAssignment, ReviewRound, RoundStatus
from proposals.ties import active_user, ties


def runs_rounds(actor: Any) -> bool:
    """For the menu: the secretariat and facilitators."""
    user = active_user(actor)
    return bool(user and user.has_role(Role.ADMIN, Role.FACILITATOR))


def reviews_menu(actor: Any) -> bool:
    """For the menu: people who may be asked to review (participants and alumni)."""
    user = active_user(actor)
    return bool(user and user.has_role(Role.PARTICIPANT, Role.ALUMNUS))


def my_reviews(actor: Any) -> bool:
    return active_user(actor) is not None


def manage(actor: Any, cohort: Cohort) -> bool:
    return ties(actor).staff_for(cohort.id)


def manage_round(actor: Any, rnd: ReviewRound) -> bool:
    return ties(actor).staff_for(rnd.cohort_id)


def read_assignment(actor: Any, assignment: ReviewAssignment) -> bool:
    """The reviewer, on a published round, while the assignment is theirs."""
    user = active_user(actor)
    return bool(user and assignment.reviewer_id == user.id and assignment.active
                and assignment.round.status is not RoundStatus.DRAFT)


def write(actor: Any, assignment: ReviewAssignment) -> bool:
    return read_assignment(actor, assignment) and services.can_write(assignment, utcnow())


def authors_see(actor: Any, proposal: Proposal, rnd: ReviewRound) -> bool:
    """The team and its mentor, once the round's reviews are released."""
    t = ties(actor)
    return (proposal.team_id in t.member_of or proposal.team_id in t.mentor_of) and rnd.is_released(utcnow())


def read_reviews(actor: Any, proposal: Proposal, rnd: ReviewRound) -> bool:
    return manage_round(actor, rnd) or authors_see(actor, proposal, rnd)


def see_reviewer_names(actor: Any, rnd: ReviewRound) -> bool:
    """Names are shown to staff always, to authors only when the round does not hide reviewers."""
    return manage_round(actor, rnd) or not rnd.hide_reviewers


def see_authors(actor: Any, rnd: ReviewRound) -> bool:
    return manage_round(actor, rnd) or not rnd.hide_authors


def answer(actor: Any, assignment: ReviewAssignment) -> bool:
    """The team answers and rates a released review."""
    proposal = assignment.round_proposal.proposal
    return proposal.team_id in ties(actor).member_of and services.can_answer(assignment, utcnow())
