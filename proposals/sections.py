"""Proposal sections on the wiki's revision engine: one wiki page per section, in the team's
"proposal" space (served only by the proposal routes).

This module is the only place that talks to the engine; everything else asks for ``SectionState``
objects and calls ``save`` / ``restore``. Saving is conflict-safe: the form posts the revision it
started from, and a stale base gets a three-way merge (``EditConflict``), never an overwrite.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from core.errors import ConflictError, DomainError
from people.models import User
from proposals.models import Proposal, ProposalSection, ProposalTemplate, TemplateSection
from wiki import revisions as engine
from wiki.diff import render_diff_html
from wiki.models import Page, Revision, SpaceKind

EditConflict = engine.EditConflict
SPACE_KIND = SpaceKind.PROPOSAL


def count_chars(text: str) -> int:
    """文字数 as Japanese officials count it: every character except spaces and line breaks."""
    return sum(1 for ch in text if not ch.isspace())


def clean_text(spec: TemplateSection, text: str) -> str:
    """Normalise what a form posted: one line for the 提案名, no trailing blank lines elsewhere."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if spec.single_line:
        return " ".join(text.split())
    lines = [line.rstrip() for line in text.split("\n")]
    return "\n".join(lines).strip("\n") + ("\n" if any(lines) else "")


@dataclass(frozen=True)
class SectionState:
    """A template section and what the proposal has written under it (nothing yet = no page)."""

    spec: TemplateSection
    page: Page | None
    revision: Revision | None

    @property
    def text(self) -> str:
        return self.revision.text if self.revision is not None else ""

    @property
    def revision_id(self) -> int | None:
        return self.revision.id if self.revision is not None else None

    @property
    def chars(self) -> int:
        return count_chars(self.text)

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    @property
    def length_state(self) -> str:
        """"short" / "long" / "ok" against the template's hint ("" when there is no hint)."""
        if self.spec.min_chars is None and self.spec.max_chars is None:
            return ""
        if self.spec.min_chars is not None and self.chars < self.spec.min_chars:
            return "short"
        if self.spec.max_chars is not None and self.chars > self.spec.max_chars:
            return "long"
        return "ok"


def _current(session: Session, proposal_id: int) -> dict[str, tuple[Page, Revision | None]]:
    rows = session.execute(
        select(ProposalSection.section_key, Page, Revision)
        .join(Page, Page.id == ProposalSection.page_id)
        .outerjoin(Revision, Revision.id == Page.current_revision_id)
        .where(ProposalSection.proposal_id == proposal_id))
    return {key: (page, revision) for key, page, revision in rows}


def load(session: Session, proposal: Proposal, template: ProposalTemplate, *,
         include_retired: bool = False) -> list[SectionState]:
    """Every section of the template (in order) with its current text, in one query."""
    found = _current(session, proposal.id)
    specs = template.sections if include_retired else template.active_sections
    states = []
    for spec in specs:
        page, revision = found.get(spec.key, (None, None))
        if spec.retired_at is not None and page is None:
            continue
        states.append(SectionState(spec, page, revision))
    return states


def load_one(session: Session, proposal: Proposal, spec: TemplateSection) -> SectionState:
    page, revision = _current(session, proposal.id).get(spec.key, (None, None))
    return SectionState(spec, page, revision)


def _page_title(proposal: Proposal, spec: TemplateSection) -> str:
    # Unique within the team's proposal space; people never see it (the heading comes from the template).
    return f"proposal-{proposal.id}-{spec.key}"


def save(session: Session, proposal: Proposal, spec: TemplateSection, text: str, *, author: User,
         base_revision_id: int | None, now: datetime, comment: str = "") -> Revision:
    """Save a section's text as a new revision. Raises ``EditConflict`` when someone saved first.

    ``base_revision_id`` is the revision the editor started from (None for a section never written).
    """
    text = clean_text(spec, text)
    state = load_one(session, proposal, spec)
    if state.page is None:
        if base_revision_id is not None:
            raise DomainError("unknown_base")
        space = engine.get_space(session, SPACE_KIND, team_id=proposal.team_id)
        assert space is not None
        try:
            with session.begin_nested():
                page = engine.create_page(session, space, _page_title(proposal, spec), text, author=author, now=now,
                                          comment=comment)
                session.add(ProposalSection(proposal_id=proposal.id, section_key=spec.key, page_id=page.id))
                session.flush()
        except IntegrityError as error:  # a teammate wrote the first version at the same moment
            raise ConflictError("first_save_race") from error
        except DomainError as error:
            if error.message == "page_exists":
                raise ConflictError("first_save_race") from error
            raise
        revision = session.get(Revision, page.current_revision_id)
        assert revision is not None
    else:
        revision = engine.save_page(session, state.page, text, author=author, base_revision_id=base_revision_id,
                                    now=now, comment=comment).revision
    if spec.single_line:
        proposal.title = text[:200]
    proposal.updated_at = now
    session.flush()
    return revision


def history(session: Session, page_id: int) -> list[Revision]:
    """Every revision of a section page, newest first (authors loaded with them)."""
    return list(session.scalars(select(Revision).where(Revision.page_id == page_id)
                                .options(joinedload(Revision.author).lazyload(User.grants))
                                .order_by(Revision.number.desc())))


def restore(session: Session, proposal: Proposal, spec: TemplateSection, revision: Revision, *, author: User,
            now: datetime) -> None:
    state = load_one(session, proposal, spec)
    if state.page is None or revision.page_id != state.page.id:
        raise DomainError("not_this_section")
    engine.restore_revision(session, state.page, revision, author=author, now=now,
                            comment=f"版{revision.number}に戻す")
    if spec.single_line:
        proposal.title = revision.text.strip()[:200]
    proposal.updated_at = now
    session.flush()


def diff(old: str, new: str) -> Markup:
    """Word-level diff of two texts (snapshots, revisions), labelled in the reader's language."""
    return render_diff_html(old, new, labels=engine.diff_labels())


def revisions_since(session: Session, proposal: Proposal, since: datetime) -> list[tuple[str, Revision]]:
    """(section key, revision) pairs saved after ``since``: what a response to a review can point at."""
    rows = session.execute(
        select(ProposalSection.section_key, Revision)
        .join(Revision, Revision.page_id == ProposalSection.page_id)
        .where(ProposalSection.proposal_id == proposal.id, Revision.created_at >= since)
        .order_by(Revision.created_at.desc(), Revision.id.desc()))
    return [(key, rev) for key, rev in rows]
