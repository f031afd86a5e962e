"""The case library (事例集): real cases of inter-municipal collaboration, and proposed additions."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import UTCDateTime, created, intpk
from people.models import User


class CaseStatus(enum.StrEnum):
    PUBLISHED = "published"  # in the library, readable by everyone signed in
    PROPOSED = "proposed"  # suggested by someone; waits for a facilitator or the secretariat
    REJECTED = "rejected"  # not taken into the library (the reason is kept for the proposer)


class CaseOrigin(enum.StrEnum):
    SEED = "seed"  # from wiki/seed/cases.yaml (kept up to date by `flask sync` until edited here)
    PROPOSAL = "proposal"  # proposed through the site


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class Case(db.Model):  # type: ignore[name-defined]
    """One case: who collaborates, in which field, by which instrument, since when, with what result."""

    __tablename__ = "wiki_case"

    id: Mapped[intpk]
    slug: Mapped[str | None] = mapped_column(String(80), unique=True)  # set once published; /cases/<slug>
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    prefecture: Mapped[str] = mapped_column(String(60), default="")
    field: Mapped[str] = mapped_column(String(30))  # code, see wiki.cases.labels.FIELDS
    kind: Mapped[str] = mapped_column(String(30))  # code, see wiki.cases.labels.KINDS
    period: Mapped[str] = mapped_column(String(100), default="")
    summary: Mapped[str] = mapped_column(Text)  # Markdown
    results: Mapped[str] = mapped_column(Text, default="")  # Markdown
    source: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus, "wiki_case_status"), default=CaseStatus.PROPOSED)
    origin: Mapped[CaseOrigin] = mapped_column(_enum(CaseOrigin, "wiki_case_origin"), default=CaseOrigin.PROPOSAL)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str] = mapped_column(String(1000), default="")
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last edit on the site (sync stops then)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[created]

    bodies: Mapped[list[CaseBody]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                  order_by="CaseBody.position", lazy="selectin")
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    __table_args__ = (
        CheckConstraint("status <> 'published' OR slug IS NOT NULL", name="published_has_slug"),
    )

    @property
    def body_names(self) -> list[str]:
        return [b.name for b in self.bodies]

    def display_title(self, locale: str = "ja") -> str:
        return self.title_en if locale == "en" and self.title_en else self.title

    def __repr__(self) -> str:
        return f"<Case {self.id} {self.slug or '-'} {self.status.value}>"


class CaseBody(db.Model):  # type: ignore[name-defined]
    """A municipality (or other body) taking part in a case, in the order the case names them."""

    __tablename__ = "wiki_case_body"

    id: Mapped[intpk]
    case_id: Mapped[int] = mapped_column(ForeignKey("wiki_case.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), index=True)
    position: Mapped[int] = mapped_column(default=0)

    case: Mapped[Case] = relationship(back_populates="bodies")

    __table_args__ = (UniqueConstraint("case_id", "name"),)
