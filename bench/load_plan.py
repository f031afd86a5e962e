"""Who the load test signs in as and what each virtual user reads and writes (built in an app context).

The plan is plain JSON so the locust process needs no database: for every participant of the
running cohort who is in a team, the pages they read (home, an assignment, their team's wiki page,
a proposal, their reviews, directory searches) and the forms they save at a deadline (their own
submission, their own wiki page, a review they are writing). Each writer gets a page of their own,
so a save never waits on another person's edit: the mix measures load, not conflicts (conflicts
are proven by the concurrency tests).
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.dates import utcnow

FINISHED = ("final", "presented", "adopted", "not_adopted")
DIRECTORY_QUERIES = ["佐藤", "さとう", "sato", "髙橋", "いがらし", "igarashi", "防災", "五島", "観光 主任", "DX"]


def _proposal_path(session: Session, user: Any, team_id: int, archive: list[Any], n: int) -> str:
    """Their team's proposal when there is one, else a finished one from the archive they may read."""
    from proposals import policy
    from proposals.models import Proposal

    own = session.scalar(select(Proposal).where(Proposal.team_id == team_id).order_by(Proposal.id))
    readable = [p for p in ([own] if own else []) + archive[n:] + archive[:n] if policy.view(user, p)]
    return f"/proposals/{readable[0].id}" if readable else "/proposals"


def build(session: Session, password: str) -> dict[str, Any]:
    from curriculum.models import Assignment, AssignmentKind, Cohort, CohortStatus, Enrolment, EnrolmentStatus, TeamMember
    from people.models import User
    from proposals.models import Proposal
    from proposals.review.models import AssignmentStatus, ReviewAssignment
    from wiki import revisions
    from wiki import services as wiki
    from wiki.links import slugify
    from wiki.workspace import load as load_workspace

    cohort = session.scalar(select(Cohort).where(Cohort.status == CohortStatus.OPEN)
                            .order_by(Cohort.fiscal_year.desc()))
    if cohort is None:
        raise SystemExit("no open cohort: load the demo data first (flask seed-demo)")
    now = utcnow()
    open_assignments = [a for a in session.scalars(select(Assignment).where(Assignment.cohort_id == cohort.id))
                        if a.due_at > now and a.kind is AssignmentKind.INDIVIDUAL]
    rows = session.execute(select(User, TeamMember.team_id).join(Enrolment, Enrolment.user_id == User.id)
                           .join(TeamMember, (TeamMember.user_id == User.id) & (TeamMember.cohort_id == cohort.id))
                           .where(Enrolment.cohort_id == cohort.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
                           .order_by(User.id)).all()
    archive = list(session.scalars(select(Proposal).where(Proposal.status.in_(FINISHED)).order_by(Proposal.id)
                                   .limit(200)))
    users = []
    for user, team_id in rows:
        ws = load_workspace(session, "teams", team_id)
        assert ws is not None
        title = f"負荷試験メモ {user.id}"
        page, _redirected = revisions.find_page(session, ws.ensure_space(session), slugify(title))
        if page is None:
            wiki.create_page(session, ws, title, "締切前の追記がここに溜まります。\n", author=user,
                             now=now - timedelta(days=1))
        reviews = [r.id for r in session.scalars(select(ReviewAssignment).where(
            ReviewAssignment.reviewer_id == user.id,
            ReviewAssignment.status.in_([AssignmentStatus.ASSIGNED, AssignmentStatus.DRAFT])))]
        team_pages = f"/teams/{team_id}/wiki/"
        writes = [{"kind": "wiki", "page": f"{team_pages}{quote(slugify(title))}/edit", "field": "text"}]
        writes += [{"kind": "submission", "page": f"/assignments/{a.id}", "action": f"/assignments/{a.id}/submit",
                    "field": "text"} for a in open_assignments[:1]]
        writes += [{"kind": "review", "page": f"/reviews/{r}", "field": "overall"} for r in reviews[:1]]
        reads = {"home": "/", "wiki": f"{team_pages}{quote(slugify('提案の骨子'))}", "reviews": "/reviews",
                 "assignment": f"/assignments/{open_assignments[0].id}" if open_assignments else "/",
                 "proposal": _proposal_path(session, user, team_id, archive, len(users))}
        users.append({"email": user.email, "reads": reads, "writes": writes})
    session.commit()
    return {"password": password, "users": users, "directory_queries": DIRECTORY_QUERIES}
