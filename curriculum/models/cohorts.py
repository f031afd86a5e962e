"""Cohorts (one per fiscal year), who runs them, who takes part, and the cross-city teams."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin, UTCDateTime, created, intpk
from people.models import City, User


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class CohortStatus(enum.StrEnum):
    PLANNED = "planned"  # being prepared: cities nominate
    OPEN = "open"  # the year is running
    CLOSED = "closed"  # finished: completed participants became alumni


class Cohort(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """One year's study meeting, e.g. 令和7年度 8市連携スタディミーティング (fiscal_year 2025)."""

    __tablename__ = "cohort"

    id: Mapped[intpk]
    fiscal_year: Mapped[int] = mapped_column(unique=True)  # 年度: April fiscal_year – March fiscal_year+1
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    status: Mapped[CohortStatus] = mapped_column(
        _enum(CohortStatus, "cohort_status"), default=CohortStatus.PLANNED
    )
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    facilitators: Mapped[list[CohortFacilitator]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )
    quotas: Mapped[list[CityQuota]] = relationship(back_populates="cohort", cascade="all, delete-orphan")
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="cohort")
    teams: Mapped[list[Team]] = relationship(back_populates="cohort", order_by="Team.number")
    # Until the facilitators publish the teams, they are a draft only facilitators see.
    publication: Mapped[TeamPublication | None] = relationship(cascade="all, delete-orphan", lazy="joined")

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        CheckConstraint("fiscal_year BETWEEN 2000 AND 2200", name="plausible_year"),
    )

    def title(self, locale: str = "ja") -> str:
        return self.title_en if locale == "en" else self.title_ja

    @property
    def is_closed(self) -> bool:
        return self.status is CohortStatus.CLOSED

    @property
    def teams_published_at(self) -> datetime | None:
        return self.publication.published_at if self.publication is not None else None

    @teams_published_at.setter
    def teams_published_at(self, value: datetime | None) -> None:
        self.publication = TeamPublication(published_at=value) if value is not None else None

    @property
    def teams_published(self) -> bool:
        return self.publication is not None

    def __repr__(self) -> str:
        return f"<Cohort FY{self.fiscal_year} {self.status.value}>"


class CohortFacilitator(db.Model):  # type: ignore[name-defined]
    __tablename__ = "cohort_facilitator"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    cohort: Mapped[Cohort] = relationship(back_populates="facilitators")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)


class CityQuota(db.Model):  # type: ignore[name-defined]
    """How many places a city has in a cohort (募集枠)."""

    __tablename__ = "city_quota"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"))
    places: Mapped[int]

    cohort: Mapped[Cohort] = relationship(back_populates="quotas")
    city: Mapped[City] = relationship()

    __table_args__ = (
        UniqueConstraint("cohort_id", "city_id"),
        CheckConstraint("places >= 0", name="places_positive"),
    )


class EnrolmentStatus(enum.StrEnum):
    ENROLLED = "enrolled"  # nominated by the city and taking part
    WITHDRAWN = "withdrawn"  # left during the year (kept as history)
    COMPLETED = "completed"  # finished the year: an alumnus of this cohort


class Enrolment(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A person's place in a cohort. Never deleted: who took part in which year is kept forever."""

    __tablename__ = "enrolment"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"))  # the city that nominated them that year
    status: Mapped[EnrolmentStatus] = mapped_column(
        _enum(EnrolmentStatus, "enrolment_status"), default=EnrolmentStatus.ENROLLED
    )
    nominated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    interests: Mapped[str] = mapped_column(String(500), default="")  # stated interests, for forming teams

    cohort: Mapped[Cohort] = relationship(back_populates="enrolments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    city: Mapped[City] = relationship()

    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    def __repr__(self) -> str:
        return f"<Enrolment cohort={self.cohort_id} user={self.user_id} {self.status.value}>"


class Team(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A cross-city team within a cohort; its workspace lives in the wiki."""

    __tablename__ = "team"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"))
    number: Mapped[int]  # 1, 2, 3 … within the cohort
    name: Mapped[str] = mapped_column(String(120))
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # an alumnus who advises the team

    cohort: Mapped[Cohort] = relationship(back_populates="teams")
    mentor: Mapped[User | None] = relationship()
    members: Mapped[list[TeamMember]] = relationship(back_populates="team", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("cohort_id", "number"), UniqueConstraint("cohort_id", "name"))

    def __repr__(self) -> str:
        return f"<Team {self.cohort_id}/{self.number} {self.name}>"


class TeamMember(db.Model):  # type: ignore[name-defined]
    """Membership; cohort_id is repeated so the database can refuse two teams per person per cohort."""

    __tablename__ = "team_member"

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    joined_at: Mapped[created]

    team: Mapped[Team] = relationship(back_populates="members")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("cohort_id", "user_id"), UniqueConstraint("team_id", "user_id"))


class TeamPublication(db.Model):  # type: ignore[name-defined]
    """When a cohort's teams were shown to its participants (one row per cohort, once published)."""

    __tablename__ = "team_publication"

    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    def __repr__(self) -> str:
        return f"<TeamPublication cohort={self.cohort_id} {self.published_at:%Y-%m-%d}>"
