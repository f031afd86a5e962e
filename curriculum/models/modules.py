"""Curriculum modules (単元): synced from curriculum/modules/*.md, adapted per cohort, marked done per person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin, UTCDateTime, created, intpk
from curriculum.models.cohorts import Cohort
from people.models import User


class Module(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """The original text of a module, as written in its Markdown file (the file is the source of truth)."""

    __tablename__ = "curriculum_module"

    id: Mapped[intpk]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    order: Mapped[int] = mapped_column(default=0)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    summary_en: Mapped[str] = mapped_column(Text, default="")
    goals_ja: Mapped[list[str]] = mapped_column(JSON, default=list)
    goals_en: Mapped[list[str]] = mapped_column(JSON, default=list)
    minutes: Mapped[int] = mapped_column(default=0)  # estimated study time
    related_cases: Mapped[list[str]] = mapped_column(JSON, default=list)  # case-library slugs
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown (Japanese)
    source_hash: Mapped[str] = mapped_column(String(64), default="")  # sha256 of the file, to skip unchanged
    # Set when the file disappeared: progress and overrides stay, the module leaves the lists.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("minutes >= 0", name="minutes_positive"),)

    def title(self, locale: str = "ja") -> str:
        return self.title_en if locale == "en" else self.title_ja

    def goals(self, locale: str = "ja") -> list[str]:
        return list(self.goals_en if locale == "en" and self.goals_en else self.goals_ja)

    def __repr__(self) -> str:
        return f"<Module {self.slug}>"


class ModuleOverride(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A facilitator's adaptation of a module for one cohort, kept beside the original."""

    __tablename__ = "module_override"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("curriculum_module.id"))
    title_ja: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    minutes: Mapped[int]
    note: Mapped[str] = mapped_column(String(500), default="")  # why it was adapted (shown to facilitators)
    # The original's source_hash when adapted: a later change of the file is pointed out.
    base_hash: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(default=1)  # bumped on each save; a stale form is refused
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    cohort: Mapped[Cohort] = relationship()
    module: Mapped[Module] = relationship()
    updated_by: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("cohort_id", "module_id"),
        CheckConstraint("minutes >= 0", name="minutes_positive"),
    )


class ModuleProgress(db.Model):  # type: ignore[name-defined]
    """A participant marked a module done in a cohort (undo removes the mark)."""

    __tablename__ = "module_progress"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"))
    module_id: Mapped[int] = mapped_column(ForeignKey("curriculum_module.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    done_at: Mapped[created]

    __table_args__ = (UniqueConstraint("cohort_id", "module_id", "user_id"),)
