"""Wiki spaces, pages and their revisions, redirects, comments and attachments.

A *space* belongs to a team (its workspace), to a cohort (shared by everyone in that year) or holds
the sections of a team's proposal (served by the proposals area, never by wiki routes). A page's text
lives only in its revisions: every save, restore, delete, undelete, rename and move is one more
``Revision``; ``Page.current_revision_id`` points at the newest and ``Page.version`` counts them, so a
conditional ``UPDATE … WHERE version = :expected`` tells two concurrent saves apart.
"""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import UTCDateTime, created, intpk
from core.storage import StoredFile
from curriculum.models import Cohort, Team
from people.models import User


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class SpaceKind(enum.StrEnum):
    TEAM = "team"  # a team's workspace (チームのワークスペース)
    COHORT = "cohort"  # shared by the whole cohort (期の共有スペース)
    PROPOSAL = "proposal"  # sections of a proposal draft; served by the proposals area only


class Space(db.Model):  # type: ignore[name-defined]
    """A set of pages with one audience: a team, a cohort, or a proposal draft."""

    __tablename__ = "wiki_space"

    id: Mapped[intpk]
    kind: Mapped[SpaceKind] = mapped_column(_enum(SpaceKind, "wiki_space_kind"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[created]

    team: Mapped[Team | None] = relationship()
    cohort: Mapped[Cohort | None] = relationship()

    __table_args__ = (
        CheckConstraint("kind <> 'team' OR team_id IS NOT NULL", name="team_space_has_team"),
        CheckConstraint("kind <> 'cohort' OR (cohort_id IS NOT NULL AND team_id IS NULL)",
                        name="cohort_space_has_cohort"),
        CheckConstraint("team_id IS NOT NULL OR cohort_id IS NOT NULL", name="space_has_owner"),
        # One space of a kind per team, and one team-less space of a kind per cohort.
        Index("uq_wiki_space_team", "kind", "team_id", unique=True,
              sqlite_where=text("team_id IS NOT NULL"), postgresql_where=text("team_id IS NOT NULL")),
        Index("uq_wiki_space_cohort", "kind", "cohort_id", unique=True,
              sqlite_where=text("team_id IS NULL"), postgresql_where=text("team_id IS NULL")),
    )

    def __repr__(self) -> str:
        return f"<Space {self.id} {self.kind.value} team={self.team_id} cohort={self.cohort_id}>"


class Page(db.Model):  # type: ignore[name-defined]
    """A titled page in a space; its text is the text of its current revision."""

    __tablename__ = "wiki_page"

    id: Mapped[intpk]
    space_id: Mapped[int] = mapped_column(ForeignKey("wiki_space.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(200))  # the title as it appears in the URL (spaces → "_")
    title: Mapped[str] = mapped_column(String(200))
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("wiki_revision.id", use_alter=True, name="fk_wiki_page_current_revision_id_wiki_revision",
                   ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(default=0)  # number of the newest revision; the compare-and-swap token
    deleted: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=False)  # a team page others in the cohort may read
    created_at: Mapped[created]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    space: Mapped[Space] = relationship()
    current_revision: Mapped[Revision | None] = relationship(foreign_keys=[current_revision_id],
                                                              post_update=True)

    __table_args__ = (
        UniqueConstraint("space_id", "slug"),
        CheckConstraint("version >= 0", name="version_not_negative"),
    )

    @property
    def text(self) -> str:
        return self.current_revision.text if self.current_revision else ""

    def __repr__(self) -> str:
        return f"<Page {self.id} {self.slug!r} v{self.version}>"


class RevisionKind(enum.StrEnum):
    EDIT = "edit"
    RESTORE = "restore"  # an old revision's text saved again
    DELETE = "delete"
    UNDELETE = "undelete"
    RENAME = "rename"
    MOVE = "move"  # to another space (team ↔ cohort)
    MERGE = "merge"  # an edit based on an older revision, merged automatically with what came in between


class Revision(db.Model):  # type: ignore[name-defined]
    """One state of a page. Never changed or removed once written."""

    __tablename__ = "wiki_revision"

    id: Mapped[intpk]
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_page.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1, 2, 3 … per page
    title: Mapped[str] = mapped_column(String(200))  # the page title at this revision
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(String(300), default="")  # 編集の要約
    kind: Mapped[RevisionKind] = mapped_column(_enum(RevisionKind, "wiki_revision_kind"), default=RevisionKind.EDIT)
    base_revision_id: Mapped[int | None] = mapped_column(ForeignKey("wiki_revision.id", ondelete="SET NULL"))

    page: Mapped[Page] = relationship(foreign_keys=[page_id])
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        UniqueConstraint("page_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    def __repr__(self) -> str:
        return f"<Revision {self.page_id}#{self.number} {self.kind.value}>"


class PageRedirect(db.Model):  # type: ignore[name-defined]
    """An old address of a renamed or moved page: ``space/slug`` now leads to ``page``."""

    __tablename__ = "wiki_redirect"

    id: Mapped[intpk]
    space_id: Mapped[int] = mapped_column(ForeignKey("wiki_space.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(200))
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_page.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[created]

    page: Mapped[Page] = relationship()

    __table_args__ = (UniqueConstraint("space_id", "slug"),)


class Comment(db.Model):  # type: ignore[name-defined]
    """A remark under a page (Markdown, may @mention people)."""

    __tablename__ = "wiki_comment"

    id: Mapped[intpk]
    page_id: Mapped[int] = mapped_column(ForeignKey("wiki_page.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class Attachment(db.Model):  # type: ignore[name-defined]
    """A file kept in a space, optionally shown on one page."""

    __tablename__ = "wiki_attachment"

    id: Mapped[intpk]
    space_id: Mapped[int] = mapped_column(ForeignKey("wiki_space.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("wiki_page.id", ondelete="SET NULL"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    description: Mapped[str] = mapped_column(String(300), default="")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # hidden, kept until undone
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    file: Mapped[StoredFile] = relationship()
    page: Mapped[Page | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship(foreign_keys=[uploaded_by_id])

    def __repr__(self) -> str:
        return f"<Attachment {self.id} space={self.space_id} file={self.file_id}>"
