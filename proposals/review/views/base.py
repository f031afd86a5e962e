"""The review blueprint and shared loaders."""
from __future__ import annotations

from flask import Blueprint, abort, flash
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from core.errors import DomainError
from core.extensions import db
from people.models import User
from proposals.models import Proposal
from proposals.review.forms import MESSAGES
from proposals.review.models import ReviewAssignment, ReviewRound, RoundProposal, RoundReviewer

bp = Blueprint("review", __name__)


def load_round(round_id: int, *, with_scores: bool = False) -> ReviewRound:
    """A round with everything its pages show, in a fixed number of queries."""
    options = [
        joinedload(ReviewRound.cohort),
        selectinload(ReviewRound.criteria),
        selectinload(ReviewRound.proposals).joinedload(RoundProposal.proposal).joinedload(Proposal.team),
        selectinload(ReviewRound.proposals).joinedload(RoundProposal.proposal).lazyload(Proposal.cities),
        selectinload(ReviewRound.reviewers).joinedload(RoundReviewer.user).lazyload(User.grants),
        selectinload(ReviewRound.reviewers).joinedload(RoundReviewer.city),
        selectinload(ReviewRound.assignments).lazyload(ReviewAssignment.reviewer),
    ]
    if with_scores:
        options.append(selectinload(ReviewRound.assignments).selectinload(ReviewAssignment.scores))
    rnd = db.session.scalar(select(ReviewRound).where(ReviewRound.id == round_id).options(*options))
    if rnd is None:
        abort(404)
    return rnd


def load_assignment(assignment_id: int) -> ReviewAssignment:
    assignment = db.session.scalar(
        select(ReviewAssignment).where(ReviewAssignment.id == assignment_id)
        .options(joinedload(ReviewAssignment.round).selectinload(ReviewRound.criteria),
                 joinedload(ReviewAssignment.round_proposal).joinedload(RoundProposal.proposal)
                 .joinedload(Proposal.team),
                 selectinload(ReviewAssignment.scores),
                 lazyload(ReviewAssignment.reviewer)))
    if assignment is None:
        abort(404)
    return assignment


def message(error: DomainError) -> str:
    return str(MESSAGES.get(error.message, MESSAGES["round_not_open"]))


def flash_error(error: DomainError) -> None:
    flash(message(error), "error")


def field_error(form: object, error: DomainError) -> None:
    target = getattr(form, error.field or "", None)
    if target is not None:
        target.errors = [*target.errors, message(error)]
    else:
        flash_error(error)

