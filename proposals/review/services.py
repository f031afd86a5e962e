"""Review rounds: open, allocate, adjust, publish, write, release, answer, rate, extend, reassign, close.

Plain functions: a session, plain values, keyword ``actor`` and ``now``; they flush, never commit.
Anonymity: events that reach authors are published with ``hide_actor=True`` and carry no reviewer
name; events that reach reviewers carry no team name when the round hides the authors.
"""
from __future__ import annotations

import logging
import string
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, joinedload

from core.errors import ConflictError, DomainError
from core.events import Event, publish
from curriculum.models import Cohort, Enrolment, EnrolmentStatus, Team, TeamMember
from people import services as people_services
from people.models import AuditEntry, Role, User
from proposals import services as proposal_services
from proposals.models import Proposal
from proposals.review import allocation
from proposals.review.models import (AssignmentStatus, ResponseLink, ReviewAssignment, ReviewerSource,
                                     ReviewResponse, ReviewRound, ReviewScore, RoundCriterion, RoundProposal,
                                     RoundReviewer, RoundStatus)
from proposals.template import ensure_template
from proposals.vocab import ProposalStatus

log = logging.getLogger(__name__)

REVIEWABLE = (ProposalStatus.SUBMITTED, ProposalStatus.REVISED)
MAX_REVIEWS = 10


class ReviewIncomplete(DomainError):
    """Submitting a review refused; ``problems`` maps form field names to message keys."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("review_incomplete")
        self.problems = dict(problems)


@dataclass(frozen=True)
class ScoreInput:
    criterion_id: int
    score: int | None
    comment: str


# --- the pool and the allocation ----------------------------------------------------------------

def _aliases() -> Iterable[str]:
    yield from string.ascii_uppercase
    n = 2
    while True:
        for letter in string.ascii_uppercase:
            yield f"{letter}{n}"
        n += 1


def _next_alias(used: set[str]) -> str:
    return next(a for a in _aliases() if a not in used)


def open_proposals_in_rounds(session: Session, cohort_id: int) -> set[int]:
    """Proposals already in a round that is not closed (a proposal is in one open round at a time)."""
    return set(session.scalars(
        select(RoundProposal.proposal_id).join(ReviewRound)
        .where(ReviewRound.cohort_id == cohort_id, ReviewRound.status != RoundStatus.CLOSED)))


def reviewable_proposals(session: Session, cohort_id: int) -> list[Proposal]:
    busy = open_proposals_in_rounds(session, cohort_id)
    found = session.scalars(select(Proposal).where(Proposal.cohort_id == cohort_id,
                                                   Proposal.status.in_(REVIEWABLE)).order_by(Proposal.id))
    return [p for p in found if p.id not in busy]


def _participant_pool(session: Session, cohort_id: int) -> list[tuple[int, int | None, int | None]]:
    """(user id, team id, city id) of everyone taking part in the cohort."""
    rows = session.execute(
        select(Enrolment.user_id, TeamMember.team_id, Enrolment.city_id)
        .outerjoin(TeamMember, (TeamMember.user_id == Enrolment.user_id) & (TeamMember.cohort_id == cohort_id))
        .where(Enrolment.cohort_id == cohort_id, Enrolment.status == EnrolmentStatus.ENROLLED)
        .order_by(Enrolment.user_id))
    return [(u, t, c) for u, t, c in rows]


def mentored_teams(session: Session, cohort_id: int) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for team_id, mentor_id in session.execute(select(Team.id, Team.mentor_id).where(
            Team.cohort_id == cohort_id, Team.mentor_id.is_not(None))):
        out.setdefault(mentor_id, set()).add(team_id)
    return out


def allocation_input(session: Session, rnd: ReviewRound) -> tuple[list[allocation.Item], list[allocation.Reviewer]]:
    """The round's proposals and reviewer pool, as the pure allocation sees them."""
    mentored = mentored_teams(session, rnd.cohort_id)
    author_cities: dict[int, set[int]] = {}
    for team_id, city_id in session.execute(
            select(TeamMember.team_id, Enrolment.city_id)
            .join(Enrolment, (Enrolment.user_id == TeamMember.user_id) & (Enrolment.cohort_id == TeamMember.cohort_id))
            .where(TeamMember.cohort_id == rnd.cohort_id)):
        author_cities.setdefault(team_id, set()).add(city_id)
    items = [allocation.Item(rp.proposal_id, rp.proposal.team_id, frozenset(author_cities.get(rp.proposal.team_id, ())))
             for rp in rnd.proposals]
    reviewers = []
    for rr in rnd.reviewers:
        teams = set(mentored.get(rr.user_id, set()))
        if rr.team_id is not None:
            teams.add(rr.team_id)
        reviewers.append(allocation.Reviewer(rr.user_id, rr.city_id, frozenset(teams)))
    return items, reviewers


def _eligible(session: Session, rnd: ReviewRound, rp: RoundProposal, user_id: int) -> bool:
    items, reviewers = allocation_input(session, rnd)
    item = next(i for i in items if i.id == rp.proposal_id)
    reviewer = next((r for r in reviewers if r.id == user_id), None)
    return reviewer is not None and allocation.eligible(item, reviewer)


def create_round(session: Session, cohort: Cohort, *, title: str, deadline: datetime, reviews_per_proposal: int,
                 hide_reviewers: bool, hide_authors: bool, include_alumni: bool, alumni_ids: Sequence[int],
                 proposal_ids: Sequence[int], instructions: str, seed: int, actor: User,
                 now: datetime, opens_at: datetime | None = None) -> ReviewRound:
    """A round in preparation: frozen rubric, chosen snapshots, the pool, and a first allocation."""
    if deadline <= now:
        raise DomainError("deadline_past", field="deadline")
    if opens_at is not None and opens_at <= now:
        raise DomainError("opens_past", field="opens_at")
    if opens_at is not None and opens_at >= deadline:
        raise DomainError("opens_after_deadline", field="opens_at")
    if not 1 <= reviews_per_proposal <= MAX_REVIEWS:
        raise DomainError("reviews_range", field="reviews_per_proposal")
    candidates = {p.id: p for p in reviewable_proposals(session, cohort.id)}
    chosen = [candidates[pid] for pid in proposal_ids if pid in candidates]
    if not chosen or len(chosen) != len(set(proposal_ids)):
        raise DomainError("no_proposals", field="proposals")
    template = ensure_template(session, cohort, actor=actor)
    rnd = ReviewRound(cohort_id=cohort.id, title=title.strip(), instructions=instructions.strip(), deadline=deadline,
                      reviews_per_proposal=reviews_per_proposal, hide_reviewers=hide_reviewers,
                      hide_authors=hide_authors, include_alumni=include_alumni, seed=seed, status=RoundStatus.DRAFT, opens_at=opens_at,
                      created_by_id=actor.id, created_at=now, updated_at=now)
    for c in template.active_criteria:
        rnd.criteria.append(RoundCriterion(**c.text()))
    if not rnd.criteria:
        raise DomainError("no_criteria")
    for p in chosen:
        latest = p.latest_snapshot
        if latest is None:
            raise DomainError("no_snapshot", field="proposals")
        rnd.proposals.append(RoundProposal(proposal_id=p.id, snapshot_id=latest.id))
    for user_id, team_id, city_id in _participant_pool(session, cohort.id):
        rnd.reviewers.append(RoundReviewer(user_id=user_id, source=ReviewerSource.PARTICIPANT, team_id=team_id,
                                           city_id=city_id))
    session.add(rnd)
    session.flush()
    if include_alumni:
        add_alumni(session, rnd, alumni_ids)
    allocate(session, rnd, seed=seed)
    return rnd


def add_alumni(session: Session, rnd: ReviewRound, user_ids: Iterable[int]) -> list[RoundReviewer]:
    """Invite alumni (修了生) into the pool of a round that is not closed."""
    if rnd.status is RoundStatus.CLOSED:
        raise DomainError("round_closed")
    present = {rr.user_id for rr in rnd.reviewers}
    added = []
    for user in session.scalars(select(User).where(User.id.in_(set(user_ids)))):
        if user.id in present:
            continue
        if not user.is_active or not user.has_role(Role.ALUMNUS):
            raise DomainError("not_alumnus", field="alumni")
        rr = RoundReviewer(user_id=user.id, source=ReviewerSource.ALUMNUS, team_id=None, city_id=user.city_id)
        rnd.reviewers.append(rr)
        added.append(rr)
    rnd.include_alumni = rnd.include_alumni or bool(added)
    session.flush()
    return added


def allocate(session: Session, rnd: ReviewRound, *, seed: int) -> None:
    """(Re)compute the whole allocation of a round in preparation."""
    if rnd.status is not RoundStatus.DRAFT:
        raise DomainError("round_published")
    for a in list(rnd.assignments):
        rnd.assignments.remove(a)
    session.flush()
    items, reviewers = allocation_input(session, rnd)
    result = allocation.allocate(items, reviewers, rnd.reviews_per_proposal, seed)
    by_proposal = {rp.proposal_id: rp for rp in rnd.proposals}
    for pid, reviewer_ids in result.items():
        for alias, reviewer_id in zip(_aliases(), reviewer_ids, strict=False):
            rnd.assignments.append(ReviewAssignment(round_proposal_id=by_proposal[pid].id, reviewer_id=reviewer_id,
                                                    alias=alias))
    rnd.seed = seed
    rnd.version += 1
    session.flush()


def current_stats(session: Session, rnd: ReviewRound) -> dict:
    items, reviewers = allocation_input(session, rnd)
    pid_of = {rp.id: rp.proposal_id for rp in rnd.proposals}
    pairs = [(pid_of[a.round_proposal_id], a.reviewer_id) for a in rnd.assignments if a.active]
    return allocation.stats(items, reviewers, pairs, rnd.reviews_per_proposal)


def _assignment_for(session: Session, rnd: ReviewRound, rp: RoundProposal, reviewer_id: int, *,
                    now: datetime) -> ReviewAssignment:
    """Give ``rp`` to a reviewer (reusing their earlier, withdrawn assignment if there is one)."""
    if rnd.status is RoundStatus.CLOSED:
        raise DomainError("round_closed")
    if reviewer_id not in {rr.user_id for rr in rnd.reviewers}:
        raise DomainError("not_in_pool", field="reviewer")
    if not _eligible(session, rnd, rp, reviewer_id):
        raise DomainError("own_team", field="reviewer")
    existing = session.scalar(select(ReviewAssignment).where(ReviewAssignment.round_proposal_id == rp.id,
                                                             ReviewAssignment.reviewer_id == reviewer_id))
    if existing is not None:
        if existing.active:
            raise DomainError("duplicate", field="reviewer")
        existing.status = AssignmentStatus.DRAFT if (existing.overall_comment or existing.scores) else \
            AssignmentStatus.ASSIGNED
        existing.withdrawn_at = None
        existing.updated_at = now
        return existing
    used = set(session.scalars(select(ReviewAssignment.alias).where(ReviewAssignment.round_proposal_id == rp.id)))
    assignment = ReviewAssignment(round_id=rnd.id, round_proposal_id=rp.id, reviewer_id=reviewer_id,
                                  alias=_next_alias(used), created_at=now, updated_at=now)
    session.add(assignment)
    session.flush()
    return assignment


def add_assignment(session: Session, rnd: ReviewRound, rp: RoundProposal, reviewer_id: int, *, actor: User,
                   now: datetime) -> ReviewAssignment:
    assignment = _assignment_for(session, rnd, rp, reviewer_id, now=now)
    rnd.version += 1
    if rnd.status is RoundStatus.OPEN:
        _tell_assigned(session, rnd, [reviewer_id], actor=actor)
    session.flush()
    return assignment


def reassign(session: Session, assignment: ReviewAssignment, reviewer_id: int, *, actor: User,
             now: datetime) -> ReviewAssignment:
    """Hand a review to someone else. In a published round the old one is kept as withdrawn."""
    rnd = assignment.round
    if assignment.reviewer_id == reviewer_id:
        raise DomainError("same_reviewer", field="reviewer")
    if assignment.status is AssignmentStatus.SUBMITTED:
        raise DomainError("already_submitted", field="reviewer")
    if not assignment.active:
        raise DomainError("withdrawn", field="reviewer")
    if rnd.status is RoundStatus.DRAFT:
        if not _eligible(session, rnd, assignment.round_proposal, reviewer_id):
            raise DomainError("own_team", field="reviewer")
        if reviewer_id not in {rr.user_id for rr in rnd.reviewers}:
            raise DomainError("not_in_pool", field="reviewer")
        if any(a.reviewer_id == reviewer_id for a in rnd.assignments
               if a.round_proposal_id == assignment.round_proposal_id):
            raise DomainError("duplicate", field="reviewer")
        assignment.reviewer_id = reviewer_id
        rnd.version += 1
        session.flush()
        return assignment
    new = _assignment_for(session, rnd, assignment.round_proposal, reviewer_id, now=now)
    assignment.status = AssignmentStatus.WITHDRAWN
    assignment.withdrawn_at = now
    rnd.version += 1
    _tell_assigned(session, rnd, [reviewer_id], actor=actor)
    session.flush()
    return new


def remove_assignment(session: Session, assignment: ReviewAssignment) -> None:
    if assignment.round.status is not RoundStatus.DRAFT:
        raise DomainError("round_published")
    assignment.round.version += 1
    assignment.round.assignments.remove(assignment)
    session.flush()


def reviewer_loads(rnd: ReviewRound) -> Counter[int]:
    return Counter(a.reviewer_id for a in rnd.assignments if a.active)


def suggest(session: Session, rnd: ReviewRound, rp: RoundProposal, *, exclude: Iterable[int] = ()) -> int | None:
    """The reviewer the allocation rules would pick to add to (or replace on) ``rp``."""
    items, reviewers = allocation_input(session, rnd)
    item = next(i for i in items if i.id == rp.proposal_id)
    current = [a.reviewer_id for a in rnd.assignments if a.active and a.round_proposal_id == rp.id]
    best = allocation.best_replacement(item, reviewers, current, reviewer_loads(rnd), exclude=exclude)
    return best.id if best else None


# --- publishing, deadlines, release, closing -----------------------------------------------------

def publish_round(session: Session, rnd: ReviewRound, *, actor: User | None, now: datetime) -> None:
    """Reviewers get their assignments; the proposals go into review.

    ``actor`` is None when the "review-open" job publishes a round at its ``opens_at``.
    """
    _lock_round(session, rnd)  # once only, even when the facilitator and the job publish together
    if rnd.status is not RoundStatus.DRAFT:
        raise ConflictError("already_published")
    if rnd.deadline <= now:
        raise DomainError("deadline_past", field="deadline")
    covered = {a.round_proposal_id for a in rnd.assignments if a.active}
    if any(rp.id not in covered for rp in rnd.proposals):
        raise DomainError("uncovered")
    rnd.status = RoundStatus.OPEN
    rnd.published_at, rnd.published_by_id = now, actor.id if actor else None
    rnd.version += 1
    for rp in rnd.proposals:
        latest = rp.proposal.latest_snapshot
        if latest is not None and latest.id != rp.snapshot_id:  # corrected 提出版 handed in meanwhile
            rp.snapshot = latest
        proposal_services.start_review(session, rp.proposal, rp.snapshot, actor=actor, now=now)
    _tell_assigned(session, rnd, sorted({a.reviewer_id for a in rnd.assignments if a.active}), actor=actor)
    session.flush()


def _tell_assigned(session: Session, rnd: ReviewRound, reviewer_ids: Sequence[int], *, actor: User | None) -> None:
    """Tell each reviewer the round, how many proposals they now review in it, and the deadline.

    The params name no proposal and no team (the round may hide the authors). The count is read from
    the database: an assignment just added by ``_assignment_for`` is not in ``rnd.assignments`` yet.
    """
    loads = dict(session.execute(
        select(ReviewAssignment.reviewer_id, func.count(ReviewAssignment.id))
        .where(ReviewAssignment.round_id == rnd.id, ReviewAssignment.status != AssignmentStatus.WITHDRAWN,
               ReviewAssignment.reviewer_id.in_(set(reviewer_ids)))
        .group_by(ReviewAssignment.reviewer_id)).all())
    for reviewer_id in reviewer_ids:
        publish(session, Event(kind="review.assigned", recipient_ids=(reviewer_id,), target_type="review_round",
                               target_id=rnd.id, url="/reviews",
                               params={"round": rnd.title, "count": loads.get(reviewer_id, 0),
                                       "due_at": rnd.deadline},
                               actor_id=actor.id if actor else None))


DEADLINE_EXTENDED = "review_round.extend_deadline"  # the audit entry of each extension


def _lock_round(session: Session, rnd: ReviewRound) -> None:
    """Lock the round's row until the transaction ends, then read its deadline and release afresh.

    The facilitator extending the deadline and the release job ("review-release", every 15 minutes)
    queue here: the job sees an extension committed before it got the row and leaves the round
    unreleased; an extension that comes after sees ``released_at`` and is refused.
    """
    session.execute(update(ReviewRound).where(ReviewRound.id == rnd.id)
                    .values(version=ReviewRound.version).execution_options(synchronize_session=False))
    session.refresh(rnd, ["status", "deadline", "opens_at", "released_at", "released_by_id", "version"])


def schedule_opening(session: Session, rnd: ReviewRound, opens_at: datetime | None, *, now: datetime) -> None:
    """Set (or clear, with None) the moment at which the "review-open" job publishes a draft round."""
    _lock_round(session, rnd)
    if rnd.status is not RoundStatus.DRAFT:
        raise DomainError("round_published")
    if opens_at is not None:
        if opens_at <= now:
            raise DomainError("opens_past", field="opens_at")
        if opens_at >= rnd.deadline:
            raise DomainError("opens_after_deadline", field="opens_at")
    rnd.opens_at = opens_at
    rnd.version += 1
    session.flush()


@dataclass
class OpenResult:
    opened: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)  # round id -> DomainError code


def open_due(session: Session, *, now: datetime) -> OpenResult:
    """The job: draft rounds whose ``opens_at`` has passed are published, as by the facilitator.

    Each round is published in a savepoint: one whose allocation is not ready (``publish_round``
    raises a DomainError, e.g. a proposal without reviewers) stays a draft, is logged and reported,
    and the others still open. The job tries it again on its next run; the round page tells the
    facilitator that the time has passed without the round opening.
    """
    due = session.scalars(select(ReviewRound).where(ReviewRound.status == RoundStatus.DRAFT,
                                                    ReviewRound.opens_at.is_not(None), ReviewRound.opens_at <= now)
                          .order_by(ReviewRound.id))
    result = OpenResult()
    for rnd in list(due):
        _lock_round(session, rnd)
        if rnd.status is not RoundStatus.DRAFT or rnd.opens_at is None or rnd.opens_at > now:
            continue  # published by hand, or rescheduled, since the select
        try:
            with session.begin_nested():
                publish_round(session, rnd, actor=None, now=now)
        except DomainError as error:
            log.warning("review round %s was not opened at %s: %s", rnd.id, rnd.opens_at.isoformat(), error.message)
            result.failed[rnd.id] = error.message
            continue
        result.opened.append(rnd.id)
    return result


def extend_deadline(session: Session, rnd: ReviewRound, deadline: datetime, *, actor: User, now: datetime) -> None:
    """A later deadline, also once the old one has passed (late reviewers are when it is needed).

    Allowed until the reviews are released, by the facilitator or by the release job (``released_at``).
    Between the deadline and the job's next run the authors could already read them; extending then
    takes them back until the new deadline. Released reviews stay released. Recorded in the audit log.
    """
    _lock_round(session, rnd)
    if rnd.status is RoundStatus.CLOSED:
        raise DomainError("round_closed")
    if rnd.released_at is not None:
        raise DomainError("already_released", field="deadline")
    if deadline <= max(now, rnd.deadline):
        raise DomainError("not_later", field="deadline")
    before = rnd.deadline
    rnd.deadline = deadline
    rnd.version += 1
    entry = people_services.audit(session, actor, DEADLINE_EXTENDED, rnd,
                                  f"{before.isoformat()} -> {deadline.isoformat()}")
    entry.at = now
    session.flush()


def deadline_extensions(session: Session, rnd: ReviewRound) -> list[tuple[AuditEntry, datetime | None]]:
    """Each extension of the round's deadline, oldest first, with the deadline it replaced."""
    entries = session.scalars(select(AuditEntry).options(joinedload(AuditEntry.actor))
                              .where(AuditEntry.action == DEADLINE_EXTENDED, AuditEntry.subject_id == rnd.id,
                                     AuditEntry.subject_type == "reviewround")
                              .order_by(AuditEntry.at, AuditEntry.id))
    out = []
    for entry in entries:
        before = entry.detail.partition(" -> ")[0]
        try:
            out.append((entry, datetime.fromisoformat(before)))
        except ValueError:
            out.append((entry, None))
    return out


def extend_assignment(session: Session, assignment: ReviewAssignment, due_at: datetime, *, now: datetime) -> None:
    if assignment.round.status is not RoundStatus.OPEN or not assignment.active:
        raise DomainError("round_not_open")
    if due_at <= now:
        raise DomainError("not_later", field="due_at")
    assignment.due_at = due_at
    session.flush()


def release(session: Session, rnd: ReviewRound, *, actor: User | None, now: datetime) -> None:
    """The reviews reach the authors (never before). The event hides who wrote them."""
    _lock_round(session, rnd)  # once only, even when the facilitator and the job release together
    if rnd.status is RoundStatus.DRAFT:
        raise DomainError("round_not_open")
    if rnd.released_at is not None:
        raise ConflictError("already_released")
    rnd.released_at = min(now, rnd.deadline) if actor is None else now
    rnd.released_by_id = actor.id if actor else None
    rnd.version += 1
    session.flush()
    for rp in rnd.proposals:
        team = rp.proposal.team
        recipients = set(session.scalars(select(TeamMember.user_id).where(TeamMember.team_id == team.id)))
        if team.mentor_id:
            recipients.add(team.mentor_id)
        count = sum(1 for a in rnd.assignments if a.round_proposal_id == rp.id and a.status is AssignmentStatus.SUBMITTED)
        publish(session, Event(kind="review.released", recipient_ids=tuple(sorted(recipients)), target_type="proposal",
                               target_id=rp.proposal_id, url=f"/proposals/{rp.proposal_id}/reviews",
                               params={"title": rp.proposal.title, "round": rnd.title, "count": count},
                               actor_id=None, hide_actor=True))


def latest_round_released(session: Session, proposal_id: int, *, now: datetime) -> bool:
    """Whether the most recent published round of a proposal has released its reviews."""
    rnd = session.scalar(select(ReviewRound).join(RoundProposal)
                         .where(RoundProposal.proposal_id == proposal_id, ReviewRound.status != RoundStatus.DRAFT)
                         .order_by(ReviewRound.id.desc()).limit(1))
    return rnd is not None and rnd.is_released(now)


def release_due(session: Session, *, now: datetime) -> int:
    """The job: rounds whose deadline passed are released (and the authors told)."""
    due = session.scalars(select(ReviewRound).where(ReviewRound.status != RoundStatus.DRAFT,
                                                    ReviewRound.released_at.is_(None), ReviewRound.deadline <= now))
    count = 0
    for rnd in list(due):
        _lock_round(session, rnd)
        if rnd.released_at is not None or rnd.deadline > now:
            continue  # released, or the deadline extended, since the select
        release(session, rnd, actor=None, now=now)
        count += 1
    return count


def close_round(session: Session, rnd: ReviewRound, *, actor: User, now: datetime) -> None:
    """No more reviews are written; unreleased reviews are released now."""
    if rnd.status is not RoundStatus.OPEN:
        raise ConflictError("not_open")
    if rnd.released_at is None:
        release(session, rnd, actor=actor, now=now)
    rnd.status = RoundStatus.CLOSED
    rnd.closed_at = now
    rnd.version += 1
    session.flush()


# --- writing a review ------------------------------------------------------------------------------

def can_write(assignment: ReviewAssignment, now: datetime) -> bool:
    rnd = assignment.round
    if rnd.status is not RoundStatus.OPEN or not assignment.active:
        return False
    return not (assignment.status is AssignmentStatus.SUBMITTED and rnd.is_released(now))


def _lock(session: Session, assignment: ReviewAssignment) -> None:
    """Lock the assignment's row until the transaction ends, then read it (and its scores) afresh.

    Saves of one review (two tabs, a double click) queue here; each then sees the version the one
    before it wrote, so a stale form is refused instead of overwriting it, and the score rows the first
    save inserted are updated, not inserted again. An UPDATE that changes nothing takes the row lock on
    PostgreSQL and the write lock on SQLite.
    """
    session.execute(update(ReviewAssignment).where(ReviewAssignment.id == assignment.id)
                    .values(version=ReviewAssignment.version).execution_options(synchronize_session=False))
    session.expire(assignment)


def save_review(session: Session, assignment: ReviewAssignment, *, scores: Sequence[ScoreInput], overall: str,
                version: int | None, submit: bool, actor: User, now: datetime) -> None:
    """Save a draft, or submit. Incomplete submissions are refused before anything changes."""
    if assignment.reviewer_id != actor.id:
        raise DomainError("not_yours")
    _lock(session, assignment)
    if not can_write(assignment, now):
        raise DomainError("locked")
    if version is not None and version != assignment.version:
        raise ConflictError("stale")
    criteria = {c.id: c for c in assignment.round.criteria}
    given = {s.criterion_id: s for s in scores if s.criterion_id in criteria}
    submit = submit or assignment.status is AssignmentStatus.SUBMITTED
    if submit:
        problems = {f"score_{cid}": "score_missing" for cid in criteria
                    if given.get(cid) is None or given[cid].score is None}
        if not overall.strip():
            problems["overall"] = "overall_missing"
        if problems:
            raise ReviewIncomplete(problems)
    for cid in criteria:
        entry = given.get(cid)
        if entry is not None and entry.score is not None and not 1 <= entry.score <= 5:
            raise ReviewIncomplete({f"score_{cid}": "score_range"})
    for cid in criteria:
        entry = given.get(cid, ScoreInput(cid, None, ""))
        row = assignment.score_for(cid)
        if row is None:
            row = ReviewScore(criterion_id=cid)
            assignment.scores.append(row)
        row.score, row.comment = entry.score, entry.comment.strip()
    assignment.overall_comment = overall.strip()
    if submit:
        if assignment.status is not AssignmentStatus.SUBMITTED:
            assignment.submitted_at = now
        assignment.status = AssignmentStatus.SUBMITTED
    else:
        assignment.status = AssignmentStatus.DRAFT
    assignment.version += 1
    assignment.updated_at = now
    session.flush()


# --- the authors' side ------------------------------------------------------------------------------

def can_answer(assignment: ReviewAssignment, now: datetime) -> bool:
    return assignment.status is AssignmentStatus.SUBMITTED and assignment.round.is_released(now)


def respond(session: Session, assignment: ReviewAssignment, *, text: str, links: Sequence[tuple[str, int]],
            allowed_links: Iterable[tuple[str, int]], version: int | None, actor: User,
            now: datetime) -> ReviewResponse:
    """The team's answer to one review, with the section revisions that changed because of it."""
    _lock(session, assignment)  # two team members answering at once: one after the other
    if not can_answer(assignment, now):
        raise DomainError("not_released")
    if not text.strip():
        raise DomainError("empty", field="text")
    allowed = set(allowed_links)
    if any(link not in allowed for link in links):
        raise DomainError("unknown_revision", field="revisions")
    response = assignment.response
    if response is None:
        response = ReviewResponse(author_id=actor.id, created_at=now)
        assignment.response = response
    elif version is not None and version != response.version:
        raise ConflictError("stale")
    else:
        response.version += 1
    response.text = text.strip()
    response.author_id = actor.id
    response.updated_at = now
    wanted = {rev_id: key for key, rev_id in links}
    for link in list(response.links):
        if link.revision_id not in wanted:
            response.links.remove(link)
    have = {link.revision_id for link in response.links}
    for rev_id, key in sorted(wanted.items()):
        if rev_id not in have:
            response.links.append(ResponseLink(section_key=key, revision_id=rev_id, created_at=now))
    session.flush()
    return response


def rate(session: Session, assignment: ReviewAssignment, value: int, *, actor: User, now: datetime) -> None:
    """How helpful a review was (1–5), in the authors' eyes."""
    if not can_answer(assignment, now):
        raise DomainError("not_released")
    if not 1 <= value <= 5:
        raise DomainError("range", field="helpfulness")
    assignment.helpfulness = value
    assignment.helpfulness_by_id = actor.id
    assignment.helpfulness_at = now
    session.flush()
