"""The revision engine: every change to a page is a new ``Revision``; concurrent saves never lose text.

Used by the wiki (team and cohort spaces) and by the proposals area (its sections are pages of a
"proposal" space). Functions take the session and plain values, flush, never commit.

How a save stays safe with many writers (the 20-thread test in tests/unit/wiki/test_concurrency.py):

1. The editor's form carries the revision it started from (``base_revision_id``).
2. ``save_page`` reads the page's current revision. If it is the base, the text is saved as is;
   otherwise the editor's text is merged three-way (``wiki.merge``) with what was saved in between:
   a clean merge is saved (``SaveResult.merged``), an overlapping one raises ``EditConflict`` carrying
   the merged text with both versions between markers — nothing is saved and nothing is dropped.
3. The write is a compare-and-swap: ``UPDATE wiki_page SET version = version + 1 … WHERE id = :id AND
   version = :seen``. If another save got in first, no row matches, and step 2 runs again against the
   newer revision. ``UNIQUE (page_id, number)`` on revisions is the database's own backstop.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import has_request_context
from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import ConflictError, DomainError
from curriculum.models import Team
from people.models import User
from wiki.diff import DiffLabels, normalize_newlines, render_diff_html
from wiki.links import check_title, slugify
from wiki.merge import MergeResult, has_conflict_markers, merge
from wiki.models import Page, PageRedirect, Revision, RevisionKind, Space, SpaceKind

__all__ = ["EditConflict", "SaveResult", "create_page", "save_page", "restore_revision", "delete_page",
           "undelete_page", "rename_page", "move_page", "diff_html", "get_space", "find_page", "revision_by_number",
           "latest_revision"]

MAX_ATTEMPTS = 200  # a failed compare-and-swap means someone else saved; this bound is never reached in practice


class EditConflict(ConflictError):
    """Someone saved overlapping changes since the editor's base revision.

    ``merge.text`` holds the automatic merge with both versions of each overlapping region between
    markers; ``latest`` is the revision to base the resolved text on; ``yours`` is what was typed.
    """

    def __init__(self, merge: MergeResult, latest: Revision, yours: str, base: Revision | None) -> None:
        super().__init__("edit_conflict", field="text")
        self.merge = merge
        self.latest = latest
        self.yours = yours
        self.base = base


@dataclass(frozen=True)
class SaveResult:
    revision: Revision  # the new revision, or the current one when nothing changed
    merged: bool = False  # another save came first and the edit was merged with it automatically
    changed: bool = True  # False when the text was already the page's text (no new revision)


def _author_id(author: User | int | None) -> int | None:
    if author is None or isinstance(author, int):
        return author
    return author.id


def _clean_text(text: str) -> str:
    return normalize_newlines(text or "")


# --- spaces ---------------------------------------------------------------------------------------

def get_space(session: Session, kind: SpaceKind | str, *, team_id: int | None = None, cohort_id: int | None = None,
              create: bool = True) -> Space | None:
    """The space of a team (or the cohort-wide one when ``team_id`` is None), created on first use.

    A team's space records the team's cohort too. With ``create=False`` a missing space gives None.
    """
    kind = SpaceKind(kind)
    if team_id is None and cohort_id is None:
        raise ValueError("a space belongs to a team or a cohort")
    if kind is SpaceKind.TEAM and team_id is None:
        raise ValueError("a team space needs team_id")
    if kind is SpaceKind.COHORT and team_id is not None:
        raise ValueError("a cohort space has no team")
    if team_id is not None:
        query = select(Space).where(Space.kind == kind, Space.team_id == team_id)
    else:
        query = select(Space).where(Space.kind == kind, Space.cohort_id == cohort_id, Space.team_id.is_(None))
    space = session.scalar(query)
    if space is not None or not create:
        return space
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None:
            raise DomainError("team_not_found")
        cohort_id = team.cohort_id
    try:
        with session.begin_nested():
            space = Space(kind=kind, team_id=team_id, cohort_id=cohort_id)
            session.add(space)
    except IntegrityError:  # created at the same moment by another request
        space = session.scalar(query)
        if space is None:
            raise
    return space


# --- reading --------------------------------------------------------------------------------------

def latest_revision(session: Session, page: Page) -> Revision | None:
    """The page's current revision as committed now (not a cached copy)."""
    current_id = session.scalar(select(Page.current_revision_id).where(Page.id == page.id))
    return session.get(Revision, current_id) if current_id else None


def revision_by_number(session: Session, page: Page, number: int) -> Revision | None:
    return session.scalar(select(Revision).where(Revision.page_id == page.id, Revision.number == number))


def find_page(session: Session, space: Space, slug: str) -> tuple[Page | None, bool]:
    """The page at ``slug`` in ``space`` and whether it was reached through a redirect (rename/move)."""
    page = session.scalar(select(Page).where(Page.space_id == space.id, Page.slug == slug))
    if page is not None:
        return page, False
    try:
        canonical = slugify(slug.replace("_", " "))
    except DomainError:
        return None, False
    if canonical != slug:
        page = session.scalar(select(Page).where(Page.space_id == space.id, Page.slug == canonical))
        if page is not None:
            return page, True
    redirect = session.scalar(select(PageRedirect).where(PageRedirect.space_id == space.id,
                                                         PageRedirect.slug.in_({slug, canonical})))
    return (redirect.page, True) if redirect else (None, False)


# --- writing --------------------------------------------------------------------------------------

def _take_address(session: Session, space_id: int, slug: str) -> None:
    """A page now lives at ``space/slug``: an old redirect from there stops applying."""
    session.execute(delete(PageRedirect).where(PageRedirect.space_id == space_id, PageRedirect.slug == slug))


def _leave_redirect(session: Session, space_id: int, slug: str, page_id: int) -> None:
    _take_address(session, space_id, slug)
    session.add(PageRedirect(space_id=space_id, slug=slug, page_id=page_id))


def _slug_taken(session: Session, space_id: int, slug: str, page_id: int | None = None) -> Page | None:
    query = select(Page).where(Page.space_id == space_id, Page.slug == slug)
    if page_id is not None:
        query = query.where(Page.id != page_id)
    return session.scalar(query)


def _refuse_markers(text: str) -> None:
    if has_conflict_markers(text):
        raise DomainError("conflict_markers", field="text")


def create_page(session: Session, space: Space, title: str, text: str, *, author: User | int | None,
                now: datetime, comment: str = "") -> Page:
    """A new page with its first revision. ``DomainError`` (field "title") if the title is taken or unusable."""
    title = check_title(title)
    slug = slugify(title)
    text = _clean_text(text)
    _refuse_markers(text)
    existing = _slug_taken(session, space.id, slug)
    if existing is not None:
        raise DomainError("page_deleted_exists" if existing.deleted else "page_exists", field="title")
    author_id = _author_id(author)
    try:
        with session.begin_nested():
            _take_address(session, space.id, slug)
            page = Page(space_id=space.id, slug=slug, title=title, version=1, created_by_id=author_id,
                        updated_at=now)
            session.add(page)
            session.flush()
            revision = Revision(page_id=page.id, number=1, title=title, text=text, author_id=author_id,
                                created_at=now, comment=comment.strip()[:300], kind=RevisionKind.EDIT)
            session.add(revision)
            session.flush()
            page.current_revision_id = revision.id
            session.flush()
    except IntegrityError as error:  # the same title created at the same moment
        raise DomainError("page_exists", field="title") from error
    return page


def _current(session: Session, page: Page) -> tuple[int, Revision | None]:
    row = session.execute(select(Page.version, Page.current_revision_id).where(Page.id == page.id)).one()
    version, current_id = row
    return version, (session.get(Revision, current_id) if current_id else None)


def _swap(session: Session, page: Page, expected: int, *, now: datetime, **values: Any) -> bool:
    """Compare-and-swap: bump the version only if nobody else did since we looked."""
    result = session.execute(
        update(Page).where(Page.id == page.id, Page.version == expected)
        .values(version=expected + 1, updated_at=now, **values)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1  # type: ignore[attr-defined]


def _append(session: Session, page: Page, number: int, *, title: str, text: str, kind: RevisionKind,
            author_id: int | None, now: datetime, comment: str, base_id: int | None) -> Revision:
    revision = Revision(page_id=page.id, number=number, title=title, text=text, author_id=author_id,
                        created_at=now, comment=comment.strip()[:300], kind=kind, base_revision_id=base_id)
    session.add(revision)
    session.flush()
    session.execute(update(Page).where(Page.id == page.id).values(current_revision_id=revision.id)
                    .execution_options(synchronize_session=False))
    session.expire(page)
    return revision


def save_page(session: Session, page: Page, text: str, *, author: User | int | None, base_revision_id: int | None,
              now: datetime, comment: str = "") -> SaveResult:
    """Save ``text`` typed on top of revision ``base_revision_id``.

    Saves as is when the base is still current, merges automatically when others saved in between
    and the changes do not overlap, raises ``EditConflict`` when they do. Text still holding conflict
    markers is refused (``DomainError("conflict_markers")``); so is a deleted page.
    """
    text = _clean_text(text)
    _refuse_markers(text)
    author_id = _author_id(author)
    base: Revision | None = None
    if base_revision_id is not None:
        base = session.get(Revision, base_revision_id)
        if base is None or base.page_id != page.id:
            raise DomainError("base_revision_invalid", field="text")
    for _attempt in range(MAX_ATTEMPTS):
        version, latest = _current(session, page)
        deleted = session.scalar(select(Page.deleted).where(Page.id == page.id))
        if deleted:
            raise DomainError("page_deleted_while_editing", field="text")
        latest_text = latest.text if latest else ""
        merged = False
        if (latest.id if latest else None) == base_revision_id:
            new_text = text
        else:
            result = merge(base.text if base else "", text, latest_text)  # bilingual marker labels
            if not result.clean:
                assert latest is not None
                raise EditConflict(result, latest, text, base)
            new_text, merged = result.text, True
        if latest is not None and new_text == latest_text:
            return SaveResult(latest, merged=merged, changed=False)
        if not _swap(session, page, version, now=now):
            continue  # someone saved meanwhile: merge against their revision
        title = latest.title if latest else page.title
        revision = _append(session, page, version + 1, title=title, text=new_text,
                           kind=RevisionKind.MERGE if merged else RevisionKind.EDIT, author_id=author_id, now=now,
                           comment=comment, base_id=base_revision_id)
        return SaveResult(revision, merged=merged, changed=True)
    raise ConflictError("too_many_attempts")


def _write_state(session: Session, page: Page, *, kind: RevisionKind, author: User | int | None, now: datetime,
                 comment: str, text: str | None = None, check: Any = None, **values: Any) -> Revision:
    """A revision that changes the page's state (restore, delete, rename, move), with the same CAS."""
    for _attempt in range(MAX_ATTEMPTS):
        version, latest = _current(session, page)
        if check is not None:
            check()
        new_text = latest.text if text is None and latest else (text or "")
        if not _swap(session, page, version, now=now, **values):
            session.expire(page)
            continue
        title = values.get("title") or (latest.title if latest else page.title)
        return _append(session, page, version + 1, title=title, text=new_text, kind=kind,
                       author_id=_author_id(author), now=now, comment=comment,
                       base_id=latest.id if latest else None)
    raise ConflictError("too_many_attempts")


def restore_revision(session: Session, page: Page, revision: Revision, *, author: User | int | None, now: datetime,
                     comment: str = "") -> Revision:
    """Save an old revision's text again as a new revision (history keeps everything in between)."""
    if revision.page_id != page.id:
        raise DomainError("revision_not_of_page")
    if page.deleted:
        raise DomainError("page_deleted")
    latest = latest_revision(session, page)
    if latest is not None and latest.text == revision.text:
        return latest
    return _write_state(session, page, kind=RevisionKind.RESTORE, author=author, now=now, comment=comment,
                        text=revision.text)


def _expect_deleted(session: Session, page: Page, deleted: bool) -> None:
    if bool(session.scalar(select(Page.deleted).where(Page.id == page.id))) != deleted:
        raise DomainError("page_not_deleted" if deleted else "page_already_deleted")


def delete_page(session: Session, page: Page, *, author: User | int | None, now: datetime,
                comment: str = "") -> Revision:
    """Mark the page deleted with a revision of its own; ``undelete_page`` brings it back."""
    return _write_state(session, page, kind=RevisionKind.DELETE, author=author, now=now, comment=comment,
                        check=lambda: _expect_deleted(session, page, False), deleted=True)


def undelete_page(session: Session, page: Page, *, author: User | int | None, now: datetime,
                  comment: str = "") -> Revision:
    """Bring a deleted page back (its text is the text it had when it was deleted)."""
    return _write_state(session, page, kind=RevisionKind.UNDELETE, author=author, now=now, comment=comment,
                        check=lambda: _expect_deleted(session, page, True), deleted=False)


def rename_page(session: Session, page: Page, new_title: str, *, author: User | int | None, now: datetime,
                comment: str = "") -> Revision:
    """Give the page a new title (and address); the old address keeps leading to it."""
    new_title = check_title(new_title)
    new_slug = slugify(new_title)
    old_slug, space_id = page.slug, page.space_id
    if new_title == page.title:
        raise DomainError("title_unchanged", field="title")
    if _slug_taken(session, space_id, new_slug, page.id) is not None:
        raise DomainError("page_exists", field="title")
    try:
        with session.begin_nested():
            _take_address(session, space_id, new_slug)
            revision = _write_state(session, page, kind=RevisionKind.RENAME, author=author, now=now,
                                    comment=comment, title=new_title, slug=new_slug)
            if new_slug != old_slug:
                _leave_redirect(session, space_id, old_slug, page.id)
            session.flush()
    except IntegrityError as error:
        raise DomainError("page_exists", field="title") from error
    return revision


def move_page(session: Session, page: Page, target: Space, *, author: User | int | None, now: datetime,
              comment: str = "") -> Revision:
    """Move the page to another space (a team's and its cohort's); the old address keeps leading to it."""
    old_space_id, slug = page.space_id, page.slug
    if target.id == old_space_id:
        raise DomainError("same_space", field="target")
    if _slug_taken(session, target.id, slug, page.id) is not None:
        raise DomainError("page_exists_in_target", field="target")
    try:
        with session.begin_nested():
            _take_address(session, target.id, slug)
            revision = _write_state(session, page, kind=RevisionKind.MOVE, author=author, now=now, comment=comment,
                                    space_id=target.id, published=False)
            _leave_redirect(session, old_space_id, slug, page.id)
            session.flush()
    except IntegrityError as error:
        raise DomainError("page_exists_in_target", field="target") from error
    return revision


# --- showing changes ------------------------------------------------------------------------------

def _(message: str) -> str:
    """Translated in a request (the reader's language); as written elsewhere (jobs, tests)."""
    return gettext(message) if has_request_context() else message


def diff_labels() -> DiffLabels:
    return DiffLabels(removed=_("削除された行"), added=_("追加された行"), old=_("旧"), new=_("新"))


def diff_html(old: Revision | None, new: Revision) -> Markup:
    """Readable word-level diff of two revisions (``old`` None: against an empty page)."""
    return render_diff_html(old.text if old else "", new.text, labels=diff_labels())
