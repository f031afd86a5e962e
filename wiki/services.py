"""Workspace actions: the revision engine plus what the wiki adds — the search index, comments with
@mentions and their events, attachments, publishing to the cohort.

Plain functions: session, values, keyword actor/now; they flush, never commit, never read the request.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import literal, select, union_all, update
from sqlalchemy.orm import Session, contains_eager, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from core import searchindex
from core.errors import DomainError
from core.events import Event, publish
from core.storage import UploadRules, store
from core.text import plain_excerpt
from curriculum.models import Cohort, CohortFacilitator, Enrolment, EnrolmentStatus, Team, TeamMember
from people.models import Role, User
from wiki import links, policy, revisions
from wiki.models import Attachment, Comment, Page, Revision, Space, SpaceKind
from wiki.workspace import Workspace, of_space

COMMENT_MAX = 5000
TEXT_MAX = 200_000
FILE_RULES = UploadRules(max_bytes=20 * 1024 * 1024)


# --- search index ---------------------------------------------------------------------------------

def index_page(session: Session, page: Page) -> None:
    """Keep the page's search entry in step: who may find it follows the space and the published flag."""
    session.flush()
    session.refresh(page)
    ws = of_space(session, page.space)
    if ws is None or page.deleted:
        searchindex.remove_document(session, "page", page.id)
        return
    if ws.kind is SpaceKind.TEAM and not page.published:
        scope: searchindex.Scope = ("team", ws.owner_id)
    else:
        scope = ("cohort", ws.cohort.id)
    searchindex.index_document(session, kind="page", ref_id=page.id, title=page.title,
                               body=links.plain_text(page.text), url=ws.page_path(page.slug),
                               scope_type=scope[0], scope_id=scope[1], updated_at=page.updated_at)


def readable_scopes(session: Session, user: User) -> list[searchindex.Scope]:
    """Scopes of the search index this person may read: the case library, their cohorts, their teams."""
    scopes: list[searchindex.Scope] = [("public", None)]
    if user.is_admin:
        cohort_ids = set(session.scalars(select(Cohort.id)))
        team_ids = set(session.scalars(select(Team.id)))
    else:
        facilitated = set(session.scalars(select(CohortFacilitator.cohort_id)
                                          .where(CohortFacilitator.user_id == user.id))) \
            if user.has_role(Role.FACILITATOR) else set()
        enrolled = set(session.scalars(select(Enrolment.cohort_id).where(
            Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)))
        mentored = set(session.scalars(select(Team.cohort_id).where(Team.mentor_id == user.id)))
        cohort_ids = facilitated | enrolled | mentored
        team_ids = set(session.scalars(select(TeamMember.team_id).where(TeamMember.user_id == user.id)))
        team_ids |= set(session.scalars(select(Team.id).where(Team.mentor_id == user.id)))
        if facilitated:
            team_ids |= set(session.scalars(select(Team.id).where(Team.cohort_id.in_(facilitated))))
    scopes += [("cohort", i) for i in sorted(cohort_ids)]
    scopes += [("team", i) for i in sorted(team_ids)]
    return scopes


# --- pages ----------------------------------------------------------------------------------------

def _check_length(text: str) -> None:
    if len(text or "") > TEXT_MAX:
        raise DomainError("text_too_long", field="text")


def create_page(session: Session, ws: Workspace, title: str, text: str, *, author: User, now: datetime,
                comment: str = "") -> Page:
    _check_length(text)
    page = revisions.create_page(session, ws.ensure_space(session), title, text, author=author, now=now,
                                 comment=comment)
    index_page(session, page)
    return page


def save_page(session: Session, page: Page, text: str, *, author: User, base_revision_id: int | None,
              now: datetime, comment: str = "") -> revisions.SaveResult:
    _check_length(text)
    result = revisions.save_page(session, page, text, author=author, base_revision_id=base_revision_id, now=now,
                                 comment=comment)
    if result.changed:
        index_page(session, page)
    return result


def restore(session: Session, page: Page, revision: Revision, *, author: User, now: datetime,
            comment: str = "") -> Revision:
    restored = revisions.restore_revision(session, page, revision, author=author, now=now, comment=comment)
    index_page(session, page)
    return restored


def delete_page(session: Session, page: Page, *, author: User, now: datetime, comment: str = "") -> Revision:
    revision = revisions.delete_page(session, page, author=author, now=now, comment=comment)
    index_page(session, page)
    return revision


def undelete_page(session: Session, page: Page, *, author: User, now: datetime, comment: str = "") -> Revision:
    revision = revisions.undelete_page(session, page, author=author, now=now, comment=comment)
    index_page(session, page)
    return revision


def rename_page(session: Session, page: Page, title: str, *, author: User, now: datetime,
                comment: str = "") -> Revision:
    revision = revisions.rename_page(session, page, title, author=author, now=now, comment=comment)
    index_page(session, page)
    return revision


def move_targets(session: Session, actor: User, page: Page) -> list[Workspace]:
    """Where this page may go: from a team's space to its cohort's, or from the cohort's to one of its teams."""
    ws = of_space(session, page.space)
    if ws is None:
        return []
    if ws.kind is SpaceKind.TEAM:
        candidates = [Workspace(SpaceKind.COHORT, ws.cohort, None,
                                revisions.get_space(session, SpaceKind.COHORT, cohort_id=ws.cohort.id, create=False))]
    else:
        teams = session.scalars(select(Team).where(Team.cohort_id == ws.cohort.id).order_by(Team.number))
        candidates = [Workspace(SpaceKind.TEAM, ws.cohort, t,
                                revisions.get_space(session, SpaceKind.TEAM, team_id=t.id, create=False))
                      for t in teams]
    return [c for c in candidates if policy.edit_workspace(actor, c)]


def move_page(session: Session, page: Page, target: Workspace, *, author: User, now: datetime,
              comment: str = "") -> Revision:
    if not any(t.kind is target.kind and t.owner_id == target.owner_id
               for t in move_targets(session, author, page)):
        raise DomainError("move_not_allowed", field="target")
    space = target.ensure_space(session)
    revision = revisions.move_page(session, page, space, author=author, now=now, comment=comment)
    # the page's own files go with it; files of the workspace stay where they are
    session.execute(update(Attachment).where(Attachment.page_id == page.id).values(space_id=space.id)
                    .execution_options(synchronize_session="fetch"))
    index_page(session, page)
    return revision


def set_published(session: Session, page: Page, published: bool, *, actor: User, now: datetime) -> Page:
    """Show a team page to the rest of the cohort (or stop showing it). Not a revision: the text is unchanged."""
    ws = of_space(session, page.space)
    if ws is None or ws.kind is not SpaceKind.TEAM:
        raise DomainError("not_a_team_page")
    page.published = published
    index_page(session, page)
    return page


# --- workspaces -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class CohortWorkspaces:
    cohort: Cohort
    shared: Workspace  # the cohort's space
    teams: list[tuple[Workspace, bool]]  # each team's workspace, and whether this person works in it


def workspaces_for(session: Session, user: User) -> list[CohortWorkspaces]:
    """The workspaces of every cohort this person belongs to (all cohorts for the secretariat), newest first."""
    cohorts = [c for c in session.scalars(select(Cohort).order_by(Cohort.fiscal_year.desc()))
               if policy.in_cohort(user, c)]
    if not cohorts:
        return []
    ids = [c.id for c in cohorts]
    # Every space of these cohorts (team spaces record their cohort too) and their teams, in two queries.
    spaces = list(session.scalars(select(Space).where(Space.cohort_id.in_(ids),
                                                      Space.kind.in_([SpaceKind.COHORT, SpaceKind.TEAM]))))
    shared_of = {s.cohort_id: s for s in spaces if s.kind is SpaceKind.COHORT}
    team_space = {s.team_id: s for s in spaces if s.kind is SpaceKind.TEAM}
    teams_of: dict[int, list[Team]] = {}
    for team in session.scalars(select(Team).where(Team.cohort_id.in_(ids)).order_by(Team.number, Team.id)):
        teams_of.setdefault(team.cohort_id, []).append(team)
    out: list[CohortWorkspaces] = []
    for cohort in cohorts:
        shared = Workspace(SpaceKind.COHORT, cohort, None, shared_of.get(cohort.id))
        teams = []
        for team in teams_of.get(cohort.id, []):
            ws = Workspace(SpaceKind.TEAM, cohort, team, team_space.get(team.id))
            teams.append((ws, policy.insider(user, ws)))
        out.append(CohortWorkspaces(cohort, shared, teams))
    return out


# --- who is around --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    user: User
    role: str  # "member" | "mentor" | "facilitator"


def _member_parts(ws: Workspace) -> list[Any]:
    """(user id, role) selects for the people of a workspace."""
    if ws.team is not None:
        parts = [select(TeamMember.user_id, literal("member")).where(TeamMember.team_id == ws.team.id),
                 select(Team.mentor_id, literal("mentor")).where(Team.id == ws.team.id, Team.mentor_id.is_not(None))]
    else:
        parts = [select(Enrolment.user_id, literal("member")).where(Enrolment.cohort_id == ws.cohort.id,
                                                                     Enrolment.status != EnrolmentStatus.WITHDRAWN),
                 select(Team.mentor_id, literal("mentor")).where(Team.cohort_id == ws.cohort.id,
                                                                 Team.mentor_id.is_not(None))]
    parts.append(select(CohortFacilitator.user_id, literal("facilitator"))
                 .where(CohortFacilitator.cohort_id == ws.cohort.id))
    return parts


_ROLE_ORDER = {"member": 0, "mentor": 1, "facilitator": 2}


def _members_of(session: Session, *spaces: Workspace) -> list[Member]:
    """The people of one or more workspaces in two statements: who has which part (one UNION), then them."""
    role_of: dict[int, str] = {}
    for user_id, role in session.execute(union_all(*[p for ws in spaces for p in _member_parts(ws)])):
        if user_id not in role_of or _ROLE_ORDER[role] < _ROLE_ORDER[role_of[user_id]]:
            role_of[user_id] = role
    if not role_of:
        return []
    people = session.scalars(select(User).where(User.id.in_(role_of), User.is_active.is_(True))
                             .options(lazyload(User.grants)))
    return sorted((Member(u, role_of[u.id]) for u in people),
                  key=lambda m: (_ROLE_ORDER[m.role], m.user.name_kana or m.user.name))


def members(session: Session, ws: Workspace) -> list[Member]:
    """The people of a workspace: team members (or the cohort's participants), mentor(s), facilitators."""
    return _members_of(session, ws)


# --- comments -------------------------------------------------------------------------------------

def _people(candidates: Iterable[User]) -> list[tuple[int, str, str]]:
    return [(u.id, u.name, u.email) for u in candidates]


def add_comment(session: Session, page: Page, body: str, *, author: User, now: datetime) -> Comment:
    """A comment; people it @mentions get ``page.mention``, earlier authors and commenters ``page.comment``."""
    body = (body or "").strip()
    if not body:
        raise DomainError("comment_required", field="body")
    if len(body) > COMMENT_MAX:
        raise DomainError("comment_too_long", field="body")
    ws = of_space(session, page.space)
    if ws is None:
        raise DomainError("not_a_workspace_page")
    comment = Comment(page_id=page.id, author_id=author.id, body=body, created_at=now)
    session.add(comment)
    session.flush()
    readers = [u for u in audience(session, page, ws) if policy.read_page(u, page)]
    mentioned = set(links.mentioned(body, _people(readers))) - {author.id}
    earlier = set(session.scalars(select(Revision.author_id).where(Revision.page_id == page.id,
                                                                    Revision.author_id.is_not(None))))
    earlier |= set(session.scalars(select(Comment.author_id).where(Comment.page_id == page.id,
                                                                    Comment.author_id.is_not(None))))
    readable = {u.id for u in readers}
    told = sorted((earlier & readable) - mentioned - {author.id})
    url = f"{ws.page_path(page.slug)}#comment-{comment.id}"
    params = {"title": page.title, "excerpt": plain_excerpt(body, 120), "author": author.name}
    if mentioned:
        publish(session, Event(kind="page.mention", recipient_ids=tuple(sorted(mentioned)), target_type="wiki_page",
                               target_id=page.id, url=url, params=params, actor_id=author.id))
    if told:
        publish(session, Event(kind="page.comment", recipient_ids=tuple(told), target_type="wiki_page",
                               target_id=page.id, url=url, params=params, actor_id=author.id))
    return comment


def delete_comment(session: Session, comment: Comment, *, actor: User, now: datetime) -> Comment:
    comment.deleted_at = now
    comment.deleted_by_id = actor.id
    session.flush()
    return comment


def comments_of(session: Session, page: Page) -> list[Comment]:
    return list(session.scalars(select(Comment).where(Comment.page_id == page.id, Comment.deleted_at.is_(None))
                                .options(joinedload(Comment.author).lazyload(User.grants))
                                .order_by(Comment.created_at, Comment.id)))


def with_current_revision(session: Session, page: Page) -> Page:
    """Load the page's current revision and its author in one statement (the page header shows both)."""
    if page.current_revision_id is not None and "current_revision" not in page.__dict__:
        revision = session.scalar(select(Revision).where(Revision.id == page.current_revision_id)
                                  .options(joinedload(Revision.author).lazyload(User.grants)))
        set_committed_value(page, "current_revision", revision)
    return page


def audience(session: Session, page: Page, ws: Workspace) -> list[User]:
    """Who may be @mentioned on a page: the workspace's people, and the whole cohort for a published page."""
    spaces = [ws]
    if ws.kind is SpaceKind.TEAM and page.published:
        spaces.append(Workspace(SpaceKind.COHORT, ws.cohort, None, None))
    return [m.user for m in _members_of(session, *spaces)]


def mention_people(session: Session, page: Page, ws: Workspace) -> list[tuple[int, str, str]]:
    return _people(audience(session, page, ws))


# --- files ----------------------------------------------------------------------------------------

def attach(session: Session, ws: Workspace, stream: IO[bytes], filename: str, *, author: User, now: datetime,
           upload_dir: str, page: Page | None = None, description: str = "") -> Attachment:
    """Keep an uploaded file in the workspace (shown on ``page`` if given)."""
    space = ws.ensure_space(session)
    if page is not None and page.space_id != space.id:
        raise DomainError("page_not_in_space")
    stored = store(session, stream, filename, rules=FILE_RULES, upload_dir=upload_dir, uploaded_by_id=author.id)
    attachment = Attachment(space_id=space.id, page_id=page.id if page else None, file_id=stored.id,
                            uploaded_by_id=author.id, created_at=now, description=description.strip()[:300])
    session.add(attachment)
    session.flush()
    return attachment


def remove_attachment(session: Session, attachment: Attachment, *, actor: User, now: datetime) -> Attachment:
    """Hide a file from the workspace; ``restore_attachment`` brings it back (the bytes are kept)."""
    if attachment.deleted_at is not None:
        raise DomainError("file_already_removed")
    attachment.deleted_at, attachment.deleted_by_id = now, actor.id
    session.flush()
    return attachment


def restore_attachment(session: Session, attachment: Attachment, *, actor: User, now: datetime) -> Attachment:
    if attachment.deleted_at is None:
        raise DomainError("file_not_removed")
    attachment.deleted_at, attachment.deleted_by_id = None, None
    session.flush()
    return attachment


def attachments_of(session: Session, space: Space | None, *, page: Page | None = None,
                   removed: bool = False) -> list[Attachment]:
    if space is None:
        return []
    query = select(Attachment).where(Attachment.space_id == space.id)
    query = query.where(Attachment.deleted_at.is_not(None) if removed else Attachment.deleted_at.is_(None))
    if page is not None:
        query = query.where(Attachment.page_id == page.id)
    return list(session.scalars(query.order_by(Attachment.created_at.desc(), Attachment.id.desc())))


# --- lists ----------------------------------------------------------------------------------------

def pages_of(session: Session, space: Space | None, *, deleted: bool = False) -> list[Page]:
    if space is None:
        return []
    return list(session.scalars(select(Page).where(Page.space_id == space.id, Page.deleted.is_(deleted))
                                .options(joinedload(Page.current_revision)).order_by(Page.title)))


def recent_changes(session: Session, space: Space | None, *, limit: int = 10) -> list[Revision]:
    """The newest revisions in a space (最近の更新)."""
    if space is None:
        return []
    return list(session.scalars(select(Revision).join(Page, Revision.page_id == Page.id)
                                .where(Page.space_id == space.id)
                                .options(contains_eager(Revision.page),
                                         joinedload(Revision.author).lazyload(User.grants))
                                .order_by(Revision.created_at.desc(), Revision.id.desc()).limit(limit)))


def backlinks(session: Session, page: Page) -> list[Page]:
    """Pages of the same space whose current text links here with [[…]] (「このページへのリンク」)."""
    found = []
    for other in pages_of(session, page.space):
        if other.id != page.id and page.slug in {links.slug_or_none(t) for t in links.link_targets(other.text)}:
            found.append(other)
    return found


def history(session: Session, page: Page) -> list[Revision]:
    return list(session.scalars(select(Revision).where(Revision.page_id == page.id)
                                .order_by(Revision.number.desc())))
