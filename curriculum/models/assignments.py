"""Assignments (課題), the submissions to them (every re-submission a new version) and feedback."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin, UTCDateTime, created, intpk
from core.storage import StoredFile
from curriculum.models.cohorts import Cohort, Team, _enum
from people.models import User


class AssignmentKind(enum.StrEnum):
    INDIVIDUAL = "individual"  # 個人課題: each participant submits
    TEAM = "team"  # チーム課題: any member submits for the team


class Assignment(TimestampMixin, db.Model):  # type: ignore[name-defined]
    __tablename__ = "assignment"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[str] = mapped_column(Text, default="")  # Markdown
    kind: Mapped[AssignmentKind] = mapped_column(
        _enum(AssignmentKind, "assignment_kind"), default=AssignmentKind.INDIVIDUAL
    )
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime())  # participants see it from then on
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    late_until: Mapped[datetime | None] = mapped_column(UTCDateTime())  # late submissions accepted until
    allowed_types: Mapped[str] = mapped_column(String(200), default="pdf,docx,xlsx,pptx")  # extensions, comma
    max_mb: Mapped[int] = mapped_column(default=10)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # When participants were told about it (assignment.posted); None until publish_at has come.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    cohort: Mapped[Cohort] = relationship()
    submissions: Mapped[list[Submission]] = relationship(back_populates="assignment")

    __table_args__ = (
        UniqueConstraint("cohort_id", "title"),
        CheckConstraint("due_at > publish_at", name="due_after_publish"),
        CheckConstraint("late_until IS NULL OR late_until > due_at", name="late_after_due"),
        CheckConstraint("max_mb BETWEEN 1 AND 100", name="max_mb_range"),
    )

    @property
    def extensions(self) -> list[str]:
        return [e for e in self.allowed_types.split(",") if e]

    @property
    def closes_at(self) -> datetime:
        """The last moment a submission is accepted."""
        return self.late_until or self.due_at

    def is_published(self, now: datetime) -> bool:
        return self.publish_at <= now

    def __repr__(self) -> str:
        return f"<Assignment {self.id} {self.title!r}>"


class SubmissionStatus(enum.StrEnum):
    SUBMITTED = "submitted"  # 提出済
    NEEDS_REVISION = "needs_revision"  # 要修正
    COMPLETE = "complete"  # 完了


class Submission(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """The work of one person (individual) or one team (team assignment) on one assignment."""

    __tablename__ = "submission"

    id: Mapped[intpk]
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    status: Mapped[SubmissionStatus] = mapped_column(
        _enum(SubmissionStatus, "submission_status"), default=SubmissionStatus.SUBMITTED
    )
    version_count: Mapped[int] = mapped_column(default=0)

    assignment: Mapped[Assignment] = relationship(back_populates="submissions")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    team: Mapped[Team | None] = relationship()
    versions: Mapped[list[SubmissionVersion]] = relationship(
        back_populates="submission", order_by="SubmissionVersion.number"
    )
    feedback: Mapped[list[Feedback]] = relationship(back_populates="submission", order_by="Feedback.id")

    __table_args__ = (
        UniqueConstraint("assignment_id", "user_id"),
        UniqueConstraint("assignment_id", "team_id"),
        CheckConstraint("(user_id IS NULL) <> (team_id IS NULL)", name="one_owner"),
    )

    @property
    def latest(self) -> SubmissionVersion | None:
        return self.versions[-1] if self.versions else None


class SubmissionVersion(db.Model):  # type: ignore[name-defined]
    """One (re-)submission: text and/or files. Earlier versions are kept."""

    __tablename__ = "submission_version"

    id: Mapped[intpk]
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    number: Mapped[int]  # 1, 2, 3 … within the submission
    text: Mapped[str] = mapped_column(Text, default="")  # Markdown
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    is_late: Mapped[bool] = mapped_column(default=False)  # after the due date (within the late window)

    submission: Mapped[Submission] = relationship(back_populates="versions")
    submitted_by: Mapped[User | None] = relationship()
    files: Mapped[list[SubmissionFile]] = relationship(back_populates="version", order_by="SubmissionFile.id")

    __table_args__ = (
        UniqueConstraint("submission_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )


class SubmissionFile(db.Model):  # type: ignore[name-defined]
    __tablename__ = "submission_file"

    id: Mapped[intpk]
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_version.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))

    version: Mapped[SubmissionVersion] = relationship(back_populates="files")
    file: Mapped[StoredFile] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("version_id", "file_id"),)


class Feedback(db.Model):  # type: ignore[name-defined]
    """A facilitator's comment and the status it set; together they are the submission's history."""

    __tablename__ = "feedback"

    id: Mapped[intpk]
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("submission_version.id"))  # the version it is about
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[SubmissionStatus] = mapped_column(_enum(SubmissionStatus, "submission_status"))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    created_at: Mapped[created]
    # A random key sent with the form: the same form posted twice makes one feedback, not two.
    request_key: Mapped[str | None] = mapped_column(String(40), unique=True)

    submission: Mapped[Submission] = relationship(back_populates="feedback")
    version: Mapped[SubmissionVersion] = relationship()
    author: Mapped[User | None] = relationship()
