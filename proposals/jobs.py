"""Scheduled work of the proposals area: open rounds at their opening time, release the reviews of
rounds whose deadline has passed.

Select what is due and not yet done (rounds past their deadline with no release recorded), act
(record the release, tell the authors), commit. Running it twice releases nothing twice.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core import dates
from proposals.review import services


def release_due_reviews(session: Session, now: datetime | None = None) -> int:
    """Release every round whose deadline passed; returns how many were released. Commits."""
    count = services.release_due(session, now=now or dates.utcnow())
    session.commit()
    return count




def remind_reviewers(session: Session, *, now: datetime, offsets) -> int:  # type: ignore[no-untyped-def]
    """Remind reviewers who have not submitted, before their (possibly extended) deadline, once per offset.
    The reminder names the round, never the proposal's authors or other reviewers."""
    from sqlalchemy import select

    from notify.reminders import remind_once
    from proposals.review.models import AssignmentStatus, ReviewAssignment, ReviewRound, RoundStatus

    pending = session.scalars(select(ReviewAssignment).join(ReviewRound, ReviewRound.id == ReviewAssignment.round_id)
                              .where(ReviewRound.status == RoundStatus.OPEN,
                                     ReviewAssignment.status.in_([AssignmentStatus.ASSIGNED, AssignmentStatus.DRAFT])))
    sent = 0
    for item in pending:
        due = item.effective_due()
        result = remind_once(session, key=f"review:{item.id}@{due:%Y%m%d%H%M}", user_ids=[item.reviewer_id],
                             kind="deadline.near", target_type="review", target_id=item.id,
                             url=f"/reviews/{item.id}", params={"title": item.round.title}, due_at=due,
                             offsets=offsets, now=now)
        sent += len(result.user_ids)
    return sent


def register(app) -> None:  # type: ignore[no-untyped-def]
    """Register the area's periodic work with the scheduler process (core.scheduler)."""
    from flask_babel import lazy_gettext as _l

    from core.scheduler import JobContext, register_job

    def _release(ctx: JobContext) -> str:
        return f"{services.release_due(ctx.session, now=ctx.now)} released"

    def _open(ctx: JobContext) -> str:
        result = services.open_due(ctx.session, now=ctx.now)
        report = f"{len(result.opened)} opened"
        if result.failed:  # kept as drafts; shown in the run record and on the round page
            report += "; not opened: " + ", ".join(f"round {rid} ({code})" for rid, code in result.failed.items())
        return report

    def _remind(ctx: JobContext) -> str:
        return f"{remind_reviewers(ctx.session, now=ctx.now, offsets=ctx.config['REMINDER_OFFSETS'])} reminded"

    register_job(app, "review-release", _release, {"minutes": 15}, _l("締切を過ぎたレビューを提案者に公開する"))
    register_job(app, "review-open", _open, {"minutes": 5}, _l("開始時刻を過ぎた準備中の査読ラウンドを公開する"))
    register_job(app, "review-reminders", _remind, {"minute": 15}, _l("レビューの締切前のお知らせを送る"))
