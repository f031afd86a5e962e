"""The participant directory: profiles, affiliation history, tags, privacy, tokens, upkeep, the search index.

A ``Profile`` exists for every account (created with it, see ``directory.index``). Department and
position live in ``Affiliation`` rows: a transfer (人事異動, usually on 1 April) adds a row and the old
ones are kept. Each field a person may hide has a visibility column on the profile; the search
index (``DirectoryField`` + ``DirectoryGram``) keeps fields apart and carries that visibility so that
a query only ever matches what the viewer may see (docs/decisions/0003-directory-privacy.md).
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin, UTCDateTime, created, intpk
from people.models import City, User


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class Visibility(enum.StrEnum):
    """Who sees a field: from the widest circle to the narrowest."""

    MEMBERS = "members"  # everyone signed in
    COHORT = "cohort"  # people who shared a cohort with them (participants and its facilitators)
    CITY = "city"  # people of their city (and that city's coordinators)
    SECRETARIAT = "secretariat"  # only the secretariat (事務局), and the person themselves


# Fields a person can hide, in the order the profile form shows them. The name (漢字, かな, romaji),
# the city, cohorts, teams and contributions are always visible to signed-in members.
PRIVATE_FIELDS = ("department", "position", "interests", "skills", "bio", "contact")
VISIBILITY_ENUM = _enum(Visibility, "visibility")


class TagKind(enum.StrEnum):
    INTEREST = "interest"
    SKILL = "skill"


class Profile(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """What a person tells the network about themselves (1:1 with ``User``)."""

    __tablename__ = "profile"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    romaji: Mapped[str] = mapped_column(String(200), default="")  # "Sato Hanako"; derived from the reading
    romaji_edited: Mapped[bool] = mapped_column(default=False)  # True once the person typed their own
    sort_key: Mapped[str] = mapped_column(String(200), default="", index=True)  # normalised reading, for order
    bio: Mapped[str] = mapped_column(Text, default="")  # Markdown
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_note: Mapped[str] = mapped_column(String(300), default="")  # e.g. "庁内チャットでも可"
    welcomes_mentoring: Mapped[bool] = mapped_column(default=False)
    vis_department: Mapped[Visibility] = mapped_column(VISIBILITY_ENUM, default=Visibility.MEMBERS)
    vis_position: Mapped[Visibility] = mapped_column(VISIBILITY_ENUM, default=Visibility.MEMBERS)
    vis_interests: Mapped[Visibility] = mapped_column(VISIBILITY_ENUM, default=Visibility.MEMBERS)
    vis_skills: Mapped[Visibility] = mapped_column(VISIBILITY_ENUM, default=Visibility.MEMBERS)
    vis_bio: Mapped[Visibility] = mapped_column(VISIBILITY_ENUM, default=Visibility.MEMBERS)
    vis_contact: Mapped[Visibility] = mapped_column(VISIBILITY_ENUM, default=Visibility.CITY)

    user: Mapped[User] = relationship()
    affiliations: Mapped[list[Affiliation]] = relationship(
        primaryjoin="Profile.user_id == foreign(Affiliation.user_id)", viewonly=True,
        order_by="(Affiliation.valid_from.desc(), Affiliation.id.desc())")
    tags: Mapped[list[ProfileTag]] = relationship(
        primaryjoin="Profile.user_id == foreign(ProfileTag.user_id)", viewonly=True,
        order_by="(ProfileTag.kind, ProfileTag.position, ProfileTag.id)")

    def visibility(self, field: str) -> Visibility:
        return getattr(self, f"vis_{field}")

    def tag_labels(self, kind: TagKind) -> list[str]:
        return [t.label for t in self.tags if t.kind is kind]

    def __repr__(self) -> str:
        return f"<Profile {self.user_id}>"


class Affiliation(db.Model):  # type: ignore[name-defined]
    """Where a person works from a date on (所属・役職). History is kept: a transfer adds a row."""

    __tablename__ = "affiliation"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("city.id"))
    department: Mapped[str] = mapped_column(String(200), default="")  # 所属, e.g. "危機管理部 防災課"
    position: Mapped[str] = mapped_column(String(100), default="")  # 役職, e.g. "主任"
    valid_from: Mapped[date]  # usually 1 April (人事異動)
    created_at: Mapped[created]

    city: Mapped[City | None] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "valid_from"),
                      CheckConstraint("department <> '' OR position <> ''", name="not_empty"))

    def __repr__(self) -> str:
        return f"<Affiliation {self.user_id} {self.valid_from} {self.department}>"


class ProfileTag(db.Model):  # type: ignore[name-defined]
    """An interest (関心分野) or a skill (得意分野); ``norm`` is the search-normalised label for filters."""

    __tablename__ = "profile_tag"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[TagKind] = mapped_column(_enum(TagKind, "tag_kind"))
    label: Mapped[str] = mapped_column(String(60))
    norm: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)

    __table_args__ = (UniqueConstraint("user_id", "kind", "norm"),
                      Index("ix_profile_tag_kind_norm", "kind", "norm"),
                      CheckConstraint("label <> ''", name="label_not_empty"))


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A personal token for /api/v1 (Authorization: Bearer). Only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, so the person can tell tokens apart
    created_at: Mapped[created]
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "name"),)


class AffiliationConfirmation(db.Model):  # type: ignore[name-defined]
    """A person confirmed (or updated) their department and position for a fiscal year."""

    __tablename__ = "affiliation_confirmation"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    confirmed_at: Mapped[created]
    changed: Mapped[bool] = mapped_column(default=False)  # True when they reported a transfer

    __table_args__ = (UniqueConstraint("user_id", "fiscal_year"),)


class ConfirmationRound(db.Model):  # type: ignore[name-defined]
    """The April request to confirm affiliations; one per fiscal year, so it is sent once."""

    __tablename__ = "confirmation_round"

    id: Mapped[intpk]
    fiscal_year: Mapped[int] = mapped_column(unique=True)
    opened_at: Mapped[created]
    recipients: Mapped[int] = mapped_column(default=0)


class ErasureStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"  # the account was anonymised
    WITHDRAWN = "withdrawn"  # the person took the request back


class ErasureRequest(db.Model):  # type: ignore[name-defined]
    """A person asks the secretariat to erase their identity (削除依頼)."""

    __tablename__ = "erasure_request"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[ErasureStatus] = mapped_column(_enum(ErasureStatus, "erasure_status"),
                                                  default=ErasureStatus.PENDING)
    requested_at: Mapped[created]
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (
        Index("uq_erasure_request_pending", "user_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )


# --- the search index --------------------------------------------------------------------------


def _gram_type() -> String:
    # Code-point order on PostgreSQL, as SQLite compares by default: the 1-character prefix range
    # ``gram >= 'x' AND gram < 'x' || U+10FFFF`` depends on it (tech.md §1(c)).
    return String(8).with_variant(String(8, collation="C"), "postgresql")


class DirectoryField(db.Model):  # type: ignore[name-defined]
    """One searchable field of one person: its normalised key (``core.search``) and who may match it."""

    __tablename__ = "directory_field"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(20))  # name, department, position, interests, skills, contributions
    visibility: Mapped[Visibility] = mapped_column(VISIBILITY_ENUM)
    key: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("user_id", "field"),)


class DirectoryGram(db.Model):  # type: ignore[name-defined]
    """Distinct bigrams of a field key (with the sentinel) and its Latin trigrams, to prefilter search terms.

    ``user_id`` repeats the field's owner (written only by ``directory.index``, with the field) so
    that the primary key lists, per gram, the people in order: two terms meet by person in the index
    (directory/search.py) without reading a field row.
    """

    __tablename__ = "directory_gram"

    gram: Mapped[str] = mapped_column(_gram_type(), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("directory_field.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)

    __table_args__ = ({"sqlite_with_rowid": False},)
