"""The sessions (回) of a cohort, their materials and attendance, and each person's calendar feed."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin, UTCDateTime, created, intpk
from core.storage import StoredFile
from curriculum.models.cohorts import Cohort, _enum
from people.models import City, User


class StudySession(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """One session (第N回) of a cohort: in a host city, online, or both."""

    __tablename__ = "study_session"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)
    number: Mapped[int]  # 第N回, unique within the cohort
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    host_city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))  # 担当市 (None: online only)
    venue: Mapped[str] = mapped_column(String(200), default="")  # 会場
    online_url: Mapped[str] = mapped_column(String(500), default="")  # meeting link (http/https only)
    agenda: Mapped[str] = mapped_column(Text, default="")  # Markdown
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    cohort: Mapped[Cohort] = relationship()
    host_city: Mapped[City | None] = relationship()
    materials: Mapped[list[SessionMaterial]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="SessionMaterial.id",
        primaryjoin="and_(SessionMaterial.session_id == StudySession.id, SessionMaterial.removed_at.is_(None))",
        viewonly=True,
    )
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("cohort_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    def __repr__(self) -> str:
        return f"<StudySession {self.cohort_id}/{self.number}>"


class SessionMaterial(db.Model):  # type: ignore[name-defined]
    """A file handed out for a session (資料). Taking it off keeps the record (removed_at)."""

    __tablename__ = "session_material"

    id: Mapped[intpk]
    session_id: Mapped[int] = mapped_column(ForeignKey("study_session.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[created]
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    session: Mapped[StudySession] = relationship()
    file: Mapped[StoredFile] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("session_id", "file_id"),)


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"  # 出席
    LATE = "late"  # 遅刻・早退
    ABSENT = "absent"  # 欠席


class Attendance(db.Model):  # type: ignore[name-defined]
    """Attendance of one participant at one session, as recorded by a facilitator."""

    __tablename__ = "attendance"

    id: Mapped[intpk]
    session_id: Mapped[int] = mapped_column(ForeignKey("study_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus, "attendance_status"))
    note: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    session: Mapped[StudySession] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)


class CalendarFeed(db.Model):  # type: ignore[name-defined]
    """A person's private iCalendar address (/calendar/<token>.ics); regenerate to revoke the old one."""

    __tablename__ = "calendar_feed"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    # Kept readable so the person can copy the address again; it only grants a read-only schedule.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
