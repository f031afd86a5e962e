"""Peer review (相互評価): rounds, their frozen rubric, the reviewer pool, assignments, scores, answers.

A round reviews snapshots (never the live draft). Assignments exist as a draft allocation that the
facilitator previews and adjusts; publishing makes them visible to reviewers. Reviews reach the
authors only once the round is released (by the facilitator, or when the deadline has passed).
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin, UTCDateTime, created, intpk
from curriculum.models import Cohort, Team
from people.models import City, User
from proposals.models import CriterionText, Proposal, ProposalSnapshot


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"  # allocation being prepared; reviewers see nothing
    OPEN = "open"  # published: reviewers write
    CLOSED = "closed"  # finished: nothing more is written


class ReviewerSource(enum.StrEnum):
    PARTICIPANT = "participant"  # a member of this cohort
    ALUMNUS = "alumnus"  # an invited 修了生


class AssignmentStatus(enum.StrEnum):
    ASSIGNED = "assigned"  # not started
    DRAFT = "draft"  # saved, not submitted
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"  # reassigned to someone else; kept as history


class ReviewRound(TimestampMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "review_round"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")  # Markdown, shown to reviewers
    deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    reviews_per_proposal: Mapped[int] = mapped_column(default=3)
    hide_reviewers: Mapped[bool] = mapped_column(default=True)  # authors never learn who reviewed
    hide_authors: Mapped[bool] = mapped_column(default=False)  # reviewers do not see the team
    include_alumni: Mapped[bool] = mapped_column(default=False)
    seed: Mapped[int] = mapped_column(default=0)  # allocation seed (the preview is reproducible)
    status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus, "review_round_status"), default=RoundStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # When set on a draft round, the "review-open" job publishes it once this moment has passed.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Set when the facilitator releases early, or by the job once the deadline passed.
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    cohort: Mapped[Cohort] = relationship()
    criteria: Mapped[list[RoundCriterion]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="(RoundCriterion.position, RoundCriterion.id)")
    proposals: Mapped[list[RoundProposal]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                          order_by="RoundProposal.id")
    reviewers: Mapped[list[RoundReviewer]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                          order_by="RoundReviewer.id")
    assignments: Mapped[list[ReviewAssignment]] = relationship(back_populates="round", cascade="all, delete-orphan",
                                                               order_by="ReviewAssignment.id", viewonly=False)

    __table_args__ = (
        CheckConstraint("reviews_per_proposal BETWEEN 1 AND 10", name="reviews_per_proposal_range"),
    )

    def is_released(self, now: datetime) -> bool:
        """Reviews reach the authors once released, or when the round's deadline has passed."""
        if self.status is RoundStatus.DRAFT:
            return False
        return self.released_at is not None or now >= self.deadline

    def __repr__(self) -> str:
        return f"<ReviewRound {self.id} {self.status.value}>"


class RoundCriterion(CriterionText, db.Model):  # type: ignore[name-defined]
    """The rubric as it was when the round opened (later template edits do not change it)."""

    __tablename__ = "review_round_criterion"

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))

    round: Mapped[ReviewRound] = relationship(back_populates="criteria")

    __table_args__ = (UniqueConstraint("round_id", "key"),)


class RoundProposal(db.Model):  # type: ignore[name-defined]
    """A proposal in a round, with the snapshot being reviewed."""

    __tablename__ = "review_round_proposal"

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("proposal_snapshot.id"))

    round: Mapped[ReviewRound] = relationship(back_populates="proposals")
    proposal: Mapped[Proposal] = relationship()
    snapshot: Mapped[ProposalSnapshot] = relationship()
    assignments: Mapped[list[ReviewAssignment]] = relationship(back_populates="round_proposal",
                                                               order_by="ReviewAssignment.alias", viewonly=True)

    __table_args__ = (UniqueConstraint("round_id", "proposal_id"),)


class RoundReviewer(db.Model):  # type: ignore[name-defined]
    """Someone in the reviewer pool of a round, with the team and city they had then."""

    __tablename__ = "review_round_reviewer"

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    source: Mapped[ReviewerSource] = mapped_column(_enum(ReviewerSource, "reviewer_source"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))

    round: Mapped[ReviewRound] = relationship(back_populates="reviewers")
    user: Mapped[User] = relationship()
    team: Mapped[Team | None] = relationship()
    city: Mapped[City | None] = relationship()

    __table_args__ = (UniqueConstraint("round_id", "user_id"),)


class ReviewAssignment(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """One reviewer reading one proposal in one round, and the review they write."""

    __tablename__ = "review_assignment"

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("review_round.id", ondelete="CASCADE"), index=True)
    round_proposal_id: Mapped[int] = mapped_column(ForeignKey("review_round_proposal.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    alias: Mapped[str] = mapped_column(String(8))  # "A", "B" … what the authors see instead of a name
    status: Mapped[AssignmentStatus] = mapped_column(_enum(AssignmentStatus, "assignment_status"),
                                                     default=AssignmentStatus.ASSIGNED)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # personal extension of the deadline
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)  # a save from an older form is refused
    helpfulness: Mapped[int | None]  # 1–5, given by the authors
    helpfulness_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    helpfulness_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    round: Mapped[ReviewRound] = relationship(back_populates="assignments")
    round_proposal: Mapped[RoundProposal] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    scores: Mapped[list[ReviewScore]] = relationship(back_populates="assignment", cascade="all, delete-orphan")
    response: Mapped[ReviewResponse | None] = relationship(back_populates="assignment", cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("round_proposal_id", "reviewer_id"),
        UniqueConstraint("round_proposal_id", "alias"),
        CheckConstraint("helpfulness IS NULL OR helpfulness BETWEEN 1 AND 5", name="helpfulness_range"),
    )

    def effective_due(self) -> datetime:
        return self.due_at or self.round.deadline

    def score_for(self, criterion_id: int) -> ReviewScore | None:
        return next((s for s in self.scores if s.criterion_id == criterion_id), None)

    @property
    def active(self) -> bool:
        return self.status is not AssignmentStatus.WITHDRAWN

    def __repr__(self) -> str:
        return f"<ReviewAssignment {self.id} round={self.round_id} {self.status.value}>"


class ReviewScore(db.Model):  # type: ignore[name-defined]
    """A score (1–5) and comment for one criterion of one review."""

    __tablename__ = "review_score"

    id: Mapped[intpk]
    assignment_id: Mapped[int] = mapped_column(ForeignKey("review_assignment.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("review_round_criterion.id", ondelete="CASCADE"))
    score: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="scores")
    criterion: Mapped[RoundCriterion] = relationship()

    __table_args__ = (
        UniqueConstraint("assignment_id", "criterion_id"),
        CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score_range"),
    )


class ReviewResponse(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """The authors' answer to one review (返答), possibly pointing at the revisions that changed."""

    __tablename__ = "review_response"

    id: Mapped[intpk]
    assignment_id: Mapped[int] = mapped_column(ForeignKey("review_assignment.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    assignment: Mapped[ReviewAssignment] = relationship(back_populates="response")
    author: Mapped[User | None] = relationship()
    links: Mapped[list[ResponseLink]] = relationship(back_populates="response", cascade="all, delete-orphan",
                                                     order_by="ResponseLink.id")


class ResponseLink(db.Model):  # type: ignore[name-defined]
    """A section revision the authors made in answer to a review."""

    __tablename__ = "review_response_link"

    id: Mapped[intpk]
    response_id: Mapped[int] = mapped_column(ForeignKey("review_response.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(40))
    revision_id: Mapped[int] = mapped_column(ForeignKey("wiki_revision.id", ondelete="CASCADE"))
    created_at: Mapped[created]

    response: Mapped[ReviewResponse] = relationship(back_populates="links")

    __table_args__ = (UniqueConstraint("response_id", "revision_id"),)
