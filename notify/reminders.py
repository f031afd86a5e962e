"""Reminders before a deadline, each sent once: the helper areas call from their own jobs.

An area's job selects who still has to act (e.g. who has not submitted) and calls::

    remind_once(ctx.session, key=f"assignment:{a.id}", user_ids=missing, kind="deadline.near",
                target_type="assignment", target_id=a.id, url=f"/assignments/{a.id}",
                params={"title": a.title, "title_en": a.title_en}, due_at=a.due_at,
                offsets=ctx.config["REMINDER_OFFSETS"], now=ctx.now)

Rules: nothing after the deadline; of the offsets already reached only the one closest to the
deadline is sent (after downtime a person gets one reminder, not a burst of stale ones); a row per
(object key, person, offset) makes each reminder happen once however often or wherever the job runs.
Put the deadline into ``key`` if a moved deadline should remind again.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.events import Event, publish
from notify import kinds
from notify.models import Reminder

DEFAULT_OFFSETS = (timedelta(days=3), timedelta(days=1))


@dataclass(frozen=True)
class Sent:
    offset: timedelta | None
    user_ids: tuple[int, ...]


def current_offset(due_at: datetime, offsets: Sequence[timedelta], now: datetime) -> timedelta | None:
    """The offset whose moment has come (the smallest reached one), or None (too early, or too late)."""
    if now >= due_at:
        return None
    reached = [o for o in offsets if now >= due_at - o]
    return min(reached) if reached else None


def remind_once(session: Session, *, key: str, user_ids: Iterable[int], kind: str, target_type: str,
                target_id: int, url: str, due_at: datetime, now: datetime,
                offsets: Sequence[timedelta] = DEFAULT_OFFSETS,
                params: Mapping[str, Any] | None = None) -> Sent:
    """Publish ``kind`` to those of ``user_ids`` not yet reminded at the current offset."""
    if due_at.tzinfo is None or now.tzinfo is None:
        raise ValueError("due_at and now must be aware datetimes")
    offset = current_offset(due_at, offsets, now)
    wanted = list(dict.fromkeys(user_ids))
    if offset is None or not wanted:
        return Sent(offset, ())
    minutes = int(offset.total_seconds() // 60)
    done = set(session.scalars(select(Reminder.user_id).where(
        Reminder.key == key, Reminder.offset_minutes == minutes, Reminder.user_id.in_(wanted))))
    new = [uid for uid in wanted if uid not in done]
    if not new:
        return Sent(offset, ())
    # The unique (key, user, offset) row is the guarantee: a concurrent duplicate fails the transaction.
    session.add_all([Reminder(key=key[:160], user_id=uid, offset_minutes=minutes, kind=kind, due_at=due_at,
                              sent_at=now) for uid in new])
    session.flush()
    due_key = kinds.get(kind).due_param or "due_at"
    publish(session, Event(kind=kind, recipient_ids=tuple(new), target_type=target_type, target_id=target_id,
                           url=url, params={**(params or {}), due_key: due_at.isoformat(),
                                            "offset_minutes": minutes}))
    return Sent(offset, tuple(new))
