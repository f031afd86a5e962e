"""Daily and weekly digests: one e-mail per person and period, listing what they have not read.

The digest job records one delivery per (person, period) — unique, so a second run or a second process
never makes another — and attaches the notifications it carries; the delivery job sends it. Only
unread notifications of kinds the person currently wants in that digest are taken, never older than
the look-back (no flood after an outage), and never a reminder whose deadline has passed.
"""
from __future__ import annotations

from datetime import datetime
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from notify import kinds, rules
from notify.models import Channel, Delivery, Notification
from notify.services import effective_channel, stored_preferences

DIGEST_KIND = "digest"


def period_of(channel: Channel, fire_time: datetime) -> str:
    return rules.daily_period(fire_time) if channel is Channel.DAILY else rules.weekly_period(fire_time)


def build_digests(session: Session, *, channel: Channel, fire_time: datetime, now: datetime) -> int:
    """Record this period's digest for everyone who has something unread for it; returns how many."""
    if channel not in (Channel.DAILY, Channel.WEEKLY):
        raise ValueError("digests are daily or weekly")
    period = period_of(channel, fire_time)
    lookback = rules.DAILY_LOOKBACK if channel is Channel.DAILY else rules.WEEKLY_LOOKBACK
    candidates = session.scalars(
        select(Notification).where(Notification.delivery_id.is_(None), Notification.read_at.is_(None),
                                   Notification.created_at <= fire_time,
                                   Notification.created_at > fire_time - lookback)
        .order_by(Notification.user_id, Notification.created_at, Notification.id))
    made = 0
    for user_id, group in groupby(candidates, key=lambda n: n.user_id):
        stored = stored_preferences(session, user_id)
        items = [n for n in group if effective_channel(n.kind, stored) is channel
                 and not _stale(n, now)]
        if not items:
            continue
        exists = session.scalar(select(Delivery.id).where(
            Delivery.user_id == user_id, Delivery.kind == DIGEST_KIND, Delivery.object_key == DIGEST_KIND,
            Delivery.channel == channel, Delivery.period == period))
        if exists is not None:
            continue  # this period's digest is already made; the rest waits for the next one
        delivery = Delivery(user_id=user_id, kind=DIGEST_KIND, object_key=DIGEST_KIND, channel=channel,
                            period=period, next_attempt_at=rules.send_time(now), created_at=now)
        session.add(delivery)
        session.flush()
        for n in items:
            n.delivery_id = delivery.id
        made += 1
    session.flush()
    return made


def _stale(notification: Notification, now: datetime) -> bool:
    due = kinds.due_of(kinds.get(notification.kind), notification.params or {})
    return due is not None and due <= now
