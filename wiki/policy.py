"""Who may read and write in workspaces, the case library and search. Deny by default.

- A team's workspace: its members, its mentor and the cohort's facilitators (the secretariat
  everywhere) read and write. Others in the cohort — participants, facilitators' colleagues, other
  teams' mentors — read only the pages the team *published*. Nobody else sees anything.
- The cohort's space: everyone in the cohort reads and writes.
- A closed cohort's workspaces are an archive: still readable, written only by its facilitators.
- Proposal spaces are never served here (the proposals area owns them).
- The case library: everyone signed in reads and proposes; facilitators and the secretariat decide.
"""
from __future__ import annotations

from typing import Any

from core.extensions import db
from curriculum import policy as cohort_policy
from curriculum import standing
from curriculum.models import Cohort, CohortStatus, EnrolmentStatus, Team
from people.models import Role, User
from wiki.cases.models import Case, CaseStatus
from wiki.models import Attachment, Comment, Page, SpaceKind
from wiki.workspace import Workspace, of_space


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) and actor.is_active else None


def signed_in(actor: Any) -> bool:
    return _user(actor) is not None


# --- cohorts and teams ----------------------------------------------------------------------------

def in_cohort(actor: Any, cohort: Cohort) -> bool:
    """Facilitates, takes (or took) part in, or mentors a team of this cohort."""
    user = _user(actor)
    if user is None:
        return False
    if cohort_policy.facilitates(user, cohort) or cohort_policy.takes_part(user, cohort):
        return True
    return cohort.id in standing.of(user).mentored().values()


def _writable(actor: Any, cohort: Cohort) -> bool:
    """A closed cohort is an archive: only its facilitators still write."""
    return cohort.status is not CohortStatus.CLOSED or cohort_policy.facilitates(actor, cohort)


def team_insider(actor: Any, team: Team) -> bool:
    """A member, the mentor, or a facilitator of the team's cohort."""
    return (cohort_policy.in_team(actor, team) or cohort_policy.mentors(actor, team)
            or cohort_policy.facilitates(actor, team.cohort))


# --- workspaces -----------------------------------------------------------------------------------

def insider(actor: Any, ws: Workspace) -> bool:
    """Reads everything in the workspace (unpublished pages, files)."""
    if ws.kind is SpaceKind.TEAM and ws.team is not None:
        return team_insider(actor, ws.team)
    if ws.kind is SpaceKind.COHORT:
        return in_cohort(actor, ws.cohort)
    return False


def view_workspace(actor: Any, ws: Workspace) -> bool:
    """Opens the workspace's start page (outsiders of a team see its published pages only)."""
    return insider(actor, ws) or (ws.kind is SpaceKind.TEAM and in_cohort(actor, ws.cohort))


def edit_workspace(actor: Any, ws: Workspace) -> bool:
    """Creates pages and uploads files here."""
    return insider(actor, ws) and _writable(actor, ws.cohort)


def view_files(actor: Any, ws: Workspace) -> bool:
    return insider(actor, ws)


def _ws(page: Page) -> Workspace | None:
    return of_space(db.session, page.space)


def read_page(actor: Any, page: Page) -> bool:
    ws = _ws(page)
    if ws is None:
        return False
    if page.deleted:
        return edit_workspace(actor, ws)
    if insider(actor, ws):
        return True
    return ws.kind is SpaceKind.TEAM and page.published and in_cohort(actor, ws.cohort)


def edit_page(actor: Any, page: Page) -> bool:
    """Edits, renames, moves, deletes, restores old revisions, attaches files."""
    ws = _ws(page)
    return ws is not None and not page.deleted and edit_workspace(actor, ws)


def undelete_page(actor: Any, page: Page) -> bool:
    ws = _ws(page)
    return ws is not None and page.deleted and edit_workspace(actor, ws)


def publish_page(actor: Any, page: Page) -> bool:
    """Shows (or hides) a team page to the rest of the cohort."""
    ws = _ws(page)
    return ws is not None and ws.kind is SpaceKind.TEAM and edit_page(actor, page)


def comment_page(actor: Any, page: Page) -> bool:
    ws = _ws(page)
    return ws is not None and not page.deleted and read_page(actor, page) and _writable(actor, ws.cohort)


def delete_comment(actor: Any, comment: Comment, page: Page) -> bool:
    user = _user(actor)
    ws = _ws(page)
    if user is None or ws is None or comment.deleted_at is not None or not read_page(user, page):
        return False
    return comment.author_id == user.id or cohort_policy.facilitates(user, ws.cohort)


def download(actor: Any, attachment: Attachment, ws: Workspace) -> bool:
    if attachment.deleted_at is not None:
        return edit_workspace(actor, ws)
    if insider(actor, ws):
        return True
    return attachment.page is not None and read_page(actor, attachment.page)


def manage_file(actor: Any, ws: Workspace) -> bool:
    return edit_workspace(actor, ws)


def has_workspace(actor: Any) -> bool:
    """Has at least one workspace to go to (the menu entry)."""
    user = _user(actor)
    if user is None:
        return False
    if user.has_role(Role.ADMIN):
        return True
    mine = standing.of(user)  # read once per request and shared with every other policy question
    return bool(mine.teams() or mine.facilitated() or mine.mentored()
                or any(e.status is not EnrolmentStatus.WITHDRAWN for e in mine.enrolments().values()))


# --- case library ---------------------------------------------------------------------------------

def read_cases(actor: Any) -> bool:
    return signed_in(actor)


def propose_case(actor: Any) -> bool:
    return signed_in(actor)


def review_cases(actor: Any) -> bool:
    """Facilitators and the secretariat take proposed cases into the library (or not) and edit cases."""
    user = _user(actor)
    return bool(user and user.has_role(Role.ADMIN, Role.FACILITATOR))


def view_case(actor: Any, case: Case) -> bool:
    user = _user(actor)
    if user is None:
        return False
    if case.status is CaseStatus.PUBLISHED:
        return True
    return case.proposed_by_id == user.id or review_cases(user)


def decide_case(actor: Any, case: Case) -> bool:
    return case.status is CaseStatus.PROPOSED and review_cases(actor)


def edit_case(actor: Any, case: Case) -> bool:
    return case.status is CaseStatus.PUBLISHED and review_cases(actor)


# --- search ---------------------------------------------------------------------------------------

def search(actor: Any) -> bool:
    return signed_in(actor)
