"""提案書: the template per cohort, proposals, their sections, immutable snapshots and their history.

A section's text lives in a wiki page of a "proposal" space (the wiki's revision engine keeps its
history); ``ProposalSection`` only says which page holds which section. A snapshot copies every
section's text at submission, so later edits (the next draft) never change what was submitted.
"""
from __future__ import annotations

import enum
from datetime import date, datetime
from sqlalchemy import JSON, Boolean, CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin, UTCDateTime, created, intpk
from curriculum.models import Cohort, Team
from people.models import City, User
from proposals.vocab import Direction, PolicyField, ProposalStatus, SnapshotKind
from wiki.models import Page


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


LEVELS = (1, 2, 3, 4, 5)


class ProposalTemplate(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """The structure teams draft in, one per cohort; the secretariat edits it."""

    __tablename__ = "proposal_template"

    id: Mapped[intpk]
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), unique=True)
    intro: Mapped[str] = mapped_column(Text, default="")  # guidance shown above every proposal
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    cohort: Mapped[Cohort] = relationship()
    sections: Mapped[list[TemplateSection]] = relationship(
        back_populates="template", cascade="all, delete-orphan",
        order_by="(TemplateSection.position, TemplateSection.id)")
    criteria: Mapped[list[TemplateCriterion]] = relationship(
        back_populates="template", cascade="all, delete-orphan",
        order_by="(TemplateCriterion.position, TemplateCriterion.id)")

    @property
    def active_sections(self) -> list[TemplateSection]:
        return [s for s in self.sections if s.retired_at is None]

    @property
    def active_criteria(self) -> list[TemplateCriterion]:
        return [c for c in self.criteria if c.retired_at is None]

    def section(self, key: str) -> TemplateSection | None:
        return next((s for s in self.sections if s.key == key), None)


class TemplateSection(db.Model):  # type: ignore[name-defined]
    """One heading of the template (目的, 取組内容 …) with its guidance and length hints."""

    __tablename__ = "proposal_template_section"

    id: Mapped[intpk]
    template_id: Mapped[int] = mapped_column(ForeignKey("proposal_template.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))  # stable identifier, e.g. "purpose"
    position: Mapped[int] = mapped_column(default=0)
    heading: Mapped[str] = mapped_column(String(100))
    guidance: Mapped[str] = mapped_column(Text, default="")  # Markdown, shown next to the editor
    min_chars: Mapped[int | None]  # length hint (目安), not enforced on drafts
    max_chars: Mapped[int | None]
    required: Mapped[bool] = mapped_column(default=True)  # must be written before submitting
    single_line: Mapped[bool] = mapped_column(default=False)  # the 提案名: one line, no Markdown
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # removed from the template

    template: Mapped[ProposalTemplate] = relationship(back_populates="sections")

    __table_args__ = (
        UniqueConstraint("template_id", "key"),
        CheckConstraint("min_chars IS NULL OR min_chars >= 0", name="min_chars_positive"),
        CheckConstraint("max_chars IS NULL OR max_chars >= 1", name="max_chars_positive"),
        CheckConstraint("min_chars IS NULL OR max_chars IS NULL OR min_chars <= max_chars", name="min_le_max"),
    )

    def __repr__(self) -> str:
        return f"<TemplateSection {self.key} {self.heading}>"


class CriterionText:
    """What a review criterion (評価観点) says: its key, place, name and description, and what each
    level 1–5 means. The template's criteria and the copy a review round keeps say the same."""

    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    level_1: Mapped[str] = mapped_column(String(300), default="")
    level_2: Mapped[str] = mapped_column(String(300), default="")
    level_3: Mapped[str] = mapped_column(String(300), default="")
    level_4: Mapped[str] = mapped_column(String(300), default="")
    level_5: Mapped[str] = mapped_column(String(300), default="")

    TEXT_FIELDS = ("key", "position", "name", "description", *(f"level_{n}" for n in LEVELS))

    @property
    def levels(self) -> list[tuple[int, str]]:
        return [(n, getattr(self, f"level_{n}")) for n in LEVELS]

    def text(self) -> dict[str, object]:
        """The criterion's wording, to copy into another criterion."""
        return {f: getattr(self, f) for f in self.TEXT_FIELDS}


class TemplateCriterion(CriterionText, db.Model):  # type: ignore[name-defined]
    """A review criterion of a template; retired criteria stay for the rounds that used them."""

    __tablename__ = "proposal_template_criterion"

    id: Mapped[intpk]
    template_id: Mapped[int] = mapped_column(ForeignKey("proposal_template.id", ondelete="CASCADE"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    template: Mapped[ProposalTemplate] = relationship(back_populates="criteria")

    __table_args__ = (UniqueConstraint("template_id", "key"),)


class Proposal(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A team's 提案書. Its live sections are the current draft; snapshots are what was handed in."""

    __tablename__ = "proposal"

    id: Mapped[intpk]
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id"), index=True)  # the team's, for queries
    title: Mapped[str] = mapped_column(String(200), default="")  # mirrors the 提案名 section
    status: Mapped[ProposalStatus] = mapped_column(_enum(ProposalStatus, "proposal_status"),
                                                   default=ProposalStatus.DRAFT, index=True)
    policy_field: Mapped[PolicyField | None] = mapped_column(_enum(PolicyField, "policy_field"))
    dir_threats: Mapped[bool] = mapped_column(Boolean, default=False)
    dir_opportunities: Mapped[bool] = mapped_column(Boolean, default=False)
    dir_resources: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by every change of tags or status: a form posted from an older page is refused.
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    presented_on: Mapped[date | None]  # the day of the meeting
    presented_to: Mapped[str] = mapped_column(String(100), default="")  # 部局長級会議 / 8市連携市長会議
    decision_note: Mapped[str] = mapped_column(Text, default="")  # why (not) adopted as 検討テーマ
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Normalised text (core.search.normalize) of the latest snapshot: what the archive search matches.
    search_key: Mapped[str] = mapped_column(Text, default="")

    team: Mapped[Team] = relationship()
    cohort: Mapped[Cohort] = relationship()
    created_by: Mapped[User | None] = relationship()
    cities: Mapped[list[ProposalCity]] = relationship(back_populates="proposal", cascade="all, delete-orphan",
                                                      lazy="selectin")
    sections: Mapped[list[ProposalSection]] = relationship(back_populates="proposal", cascade="all, delete-orphan")
    snapshots: Mapped[list[ProposalSnapshot]] = relationship(back_populates="proposal",
                                                             order_by="ProposalSnapshot.number")
    steps: Mapped[list[ProposalStep]] = relationship(back_populates="proposal", order_by="ProposalStep.id")
    follow_ups: Mapped[list[FollowUp]] = relationship(back_populates="proposal",
                                                      order_by="(FollowUp.noted_on, FollowUp.id)")

    @property
    def directions(self) -> list[Direction]:
        flags = {Direction.THREATS: self.dir_threats, Direction.OPPORTUNITIES: self.dir_opportunities,
                 Direction.RESOURCES: self.dir_resources}
        return [d for d, on in flags.items() if on]

    @property
    def city_list(self) -> list[City]:
        return sorted((pc.city for pc in self.cities), key=lambda c: (c.sort_order, c.code))

    @property
    def latest_snapshot(self) -> ProposalSnapshot | None:
        return self.snapshots[-1] if self.snapshots else None

    def display_title(self) -> str:
        return self.title or f"#{self.id}"

    def __repr__(self) -> str:
        return f"<Proposal {self.id} {self.status.value} {self.title!r}>"


class ProposalCity(db.Model):  # type: ignore[name-defined]
    """A participating city (参加市) of a proposal."""

    __tablename__ = "proposal_city"

    id: Mapped[intpk]
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    city_id: Mapped[int] = mapped_column(ForeignKey("city.id"), index=True)

    proposal: Mapped[Proposal] = relationship(back_populates="cities")
    city: Mapped[City] = relationship(lazy="joined")

    __table_args__ = (UniqueConstraint("proposal_id", "city_id"),)


class ProposalSection(db.Model):  # type: ignore[name-defined]
    """Which wiki page holds which section of a proposal (created when first written)."""

    __tablename__ = "proposal_section"

    id: Mapped[intpk]
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(40))
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_page.id", ondelete="CASCADE"), unique=True)

    proposal: Mapped[Proposal] = relationship(back_populates="sections")
    page: Mapped[Page] = relationship()

    __table_args__ = (UniqueConstraint("proposal_id", "section_key"),)


class ProposalSnapshot(db.Model):  # type: ignore[name-defined]
    """An immutable copy of a proposal as handed in (提出版, 修正版, 最終版). Never updated.

    ``number`` is unique per proposal: two simultaneous submits race for the same number and the
    database keeps exactly one.
    """

    __tablename__ = "proposal_snapshot"

    id: Mapped[intpk]
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # 1, 2, 3 … per proposal
    kind: Mapped[SnapshotKind] = mapped_column(_enum(SnapshotKind, "snapshot_kind"))
    created_at: Mapped[created]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(200))
    policy_field: Mapped[PolicyField | None] = mapped_column(_enum(PolicyField, "policy_field"))
    directions: Mapped[list[str]] = mapped_column(JSON, default=list)  # Direction values
    city_ids: Mapped[list[int]] = mapped_column(JSON, default=list)

    proposal: Mapped[Proposal] = relationship(back_populates="snapshots")
    created_by: Mapped[User | None] = relationship()
    sections: Mapped[list[SnapshotSection]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan",
        order_by="(SnapshotSection.position, SnapshotSection.id)")

    __table_args__ = (UniqueConstraint("proposal_id", "number"),
                      CheckConstraint("number >= 1", name="number_positive"))

    def section(self, key: str) -> SnapshotSection | None:
        return next((s for s in self.sections if s.section_key == key), None)

    def __repr__(self) -> str:
        return f"<ProposalSnapshot {self.proposal_id}#{self.number} {self.kind.value}>"


class SnapshotSection(db.Model):  # type: ignore[name-defined]
    """One section's text in a snapshot, with the heading it had and the revision it came from."""

    __tablename__ = "proposal_snapshot_section"

    id: Mapped[intpk]
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("proposal_snapshot.id", ondelete="CASCADE"))
    section_key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    heading: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    # The revision the text was copied from (the copy stays even if that history were ever removed).
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("wiki_revision.id", ondelete="SET NULL"))

    snapshot: Mapped[ProposalSnapshot] = relationship(back_populates="sections")

    __table_args__ = (UniqueConstraint("snapshot_id", "section_key"),)


class ProposalStep(db.Model):  # type: ignore[name-defined]
    """One step of the lifecycle: when, by whom (None = the system), with which snapshot."""

    __tablename__ = "proposal_step"

    id: Mapped[intpk]
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ProposalStatus | None] = mapped_column(_enum(ProposalStatus, "proposal_status"))
    to_status: Mapped[ProposalStatus] = mapped_column(_enum(ProposalStatus, "proposal_status"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    snapshot_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_snapshot.id"))

    proposal: Mapped[Proposal] = relationship(back_populates="steps")
    by: Mapped[User | None] = relationship()
    snapshot: Mapped[ProposalSnapshot | None] = relationship()


class FollowUp(db.Model):  # type: ignore[name-defined]
    """A later note on what became of a proposal (e.g. a 検討テーマ discussed in the next year)."""

    __tablename__ = "proposal_follow_up"

    id: Mapped[intpk]
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    noted_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created]

    proposal: Mapped[Proposal] = relationship(back_populates="follow_ups")
    author: Mapped[User | None] = relationship()


Index("ix_proposal_cohort_status", Proposal.cohort_id, Proposal.status)

__all__ = ["ProposalTemplate", "TemplateSection", "TemplateCriterion", "Proposal", "ProposalCity",
           "ProposalSection", "ProposalSnapshot", "SnapshotSection", "ProposalStep", "FollowUp", "LEVELS"]
