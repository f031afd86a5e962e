"""Notifications: events become rows, people read them and choose how to hear about each kind.

Plain functions: session and values in, rows out. They flush, never commit, never read the request.
"""
from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import dates
from core.errors import DomainError
from core.events import Event
from notify import kinds, rules
from notify.models import Channel, Delivery, DeliveryStatus, Notification, NotificationPreference
from notify.tokens import DIGEST_DAILY, DIGEST_WEEKLY
from people.models import User

# Params that could name the actor; dropped when an event hides the actor (peer review).
ACTOR_PARAM = re.compile(r"^(actor|reviewer|sender|by|from)(_|$)", re.IGNORECASE)
PAGE_SIZE = 30


def _plain(value: Any) -> Any:
    """A JSON-safe copy: datetimes as ISO strings, enums as their values."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _mentions(value: Any, needles: list[str]) -> bool:
    if isinstance(value, str):
        return any(n in value for n in needles)
    if isinstance(value, list):
        return any(_mentions(v, needles) for v in value)
    if isinstance(value, dict):
        return any(_mentions(v, needles) for v in value.values())
    return False


def clean_params(params: Mapping[str, Any], *, hide_actor: bool, actor: User | None = None) -> dict[str, Any]:
    """The params to store. With ``hide_actor`` nothing that names the actor is kept: no actor-ish key,
    and no value containing the actor's name or e-mail address."""
    cleaned = {str(k): _plain(v) for k, v in params.items()}
    if not hide_actor:
        return cleaned
    needles = [n for n in ((actor.name, actor.email, actor.name.replace(" ", "")) if actor else ()) if n]
    return {k: v for k, v in cleaned.items() if not ACTOR_PARAM.match(k) and not _mentions(v, needles)}


def safe_path(url: str) -> str:
    """Only a path on this site may become a link (e-mails prefix it with BASE_URL)."""
    url = (url or "").strip()
    if url.startswith("/") and not url.startswith("//") and "\\" not in url and len(url) <= 500:
        return url
    return ""


# --- preferences ---------------------------------------------------------------------------------

def stored_preferences(session: Session, user_id: int) -> dict[str, Channel]:
    rows = session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    return {row.kind: row.channel for row in rows}


def effective_channel(kind: str, stored: Mapping[str, Channel]) -> Channel:
    return stored.get(kind) or kinds.get(kind).default


def preferences_for(session: Session, user: User) -> dict[str, Channel]:
    """Every defined kind with the channel that applies to this person (their choice or the default)."""
    stored = stored_preferences(session, user.id)
    return {kind.name: effective_channel(kind.name, stored) for kind in kinds.known()}


def set_preferences(session: Session, user: User, choices: Mapping[str, Channel], *,
                    allow_unknown: bool = False, now: datetime | None = None) -> int:
    """Save the person's choices; returns how many changed. Unknown kinds are refused unless allowed
    (an unsubscribe link signed for a kind only another area defines).

    A kind moved from a digest to "immediately" takes its waiting notifications along: the digest
    would no longer carry them, so each gets its own e-mail now (within the digest's look-back)."""
    unknown = [k for k in choices if not kinds.is_known(k)]
    if unknown and not allow_unknown:
        raise DomainError("unknown_kind", field=unknown[0])
    rows = {row.kind: row for row in session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    changed = 0
    to_immediate: list[tuple[str, Channel]] = []
    for kind, channel in choices.items():
        channel = Channel(channel)
        row = rows.get(kind)
        before = row.channel if row is not None else (kinds.get(kind).default if kinds.is_known(kind) else None)
        if row is None:
            session.add(NotificationPreference(user_id=user.id, kind=kind, channel=channel))
            changed += channel != before
        elif row.channel != channel:
            row.channel = channel
            changed += 1
        if channel is Channel.IMMEDIATE and before in (Channel.DAILY, Channel.WEEKLY):
            to_immediate.append((kind, before))
    session.flush()
    if to_immediate:
        _deliver_waiting(session, user.id, to_immediate, now=now or dates.utcnow())
    return changed


def _deliver_waiting(session: Session, user_id: int, moved: list[tuple[str, Channel]], *, now: datetime) -> None:
    for kind, digest in moved:
        lookback = rules.DAILY_LOOKBACK if digest is Channel.DAILY else rules.WEEKLY_LOOKBACK
        waiting = session.scalars(select(Notification).where(
            Notification.user_id == user_id, Notification.kind == kind, Notification.delivery_id.is_(None),
            Notification.read_at.is_(None), Notification.created_at > now - lookback))
        for notification in waiting:
            due = kinds.due_of(kinds.get(kind), notification.params or {})
            if due is not None and due <= now:
                continue  # a reminder whose deadline has passed is never sent
            delivery = session.scalar(select(Delivery).where(
                Delivery.user_id == user_id, Delivery.kind == kind, Delivery.object_key == notification.object_key,
                Delivery.channel == Channel.IMMEDIATE, Delivery.period == ""))
            if delivery is None:
                delivery = Delivery(user_id=user_id, kind=kind, object_key=notification.object_key,
                                    channel=Channel.IMMEDIATE, period="", next_attempt_at=rules.send_time(now),
                                    created_at=now)
                session.add(delivery)
                session.flush()
            notification.delivery_id = delivery.id
    session.flush()


def unsubscribe(session: Session, user: User, kind: str) -> list[str]:
    """One-click unsubscribe: no more e-mail for ``kind``, or for every kind in a digest.

    Returns the kinds switched to "none" (the in-app list still shows them)."""
    current = preferences_for(session, user)
    if kind == DIGEST_DAILY:
        targets = [k for k, c in current.items() if c is Channel.DAILY]
    elif kind == DIGEST_WEEKLY:
        targets = [k for k, c in current.items() if c is Channel.WEEKLY]
    else:
        stored = stored_preferences(session, user.id)
        targets = [kind[:60]] if effective_channel(kind, stored) is not Channel.NONE else []
    set_preferences(session, user, {k: Channel.NONE for k in targets}, allow_unknown=True)
    # Immediate e-mails of those kinds still waiting (quiet hours) are not sent either.
    if targets:
        session.execute(update(Delivery).where(
            Delivery.user_id == user.id, Delivery.kind.in_(targets), Delivery.channel == Channel.IMMEDIATE,
            Delivery.status == DeliveryStatus.PENDING).values(status=DeliveryStatus.CANCELLED,
                                                               last_error="unsubscribed"))
    session.flush()
    return targets


# --- events → notifications ----------------------------------------------------------------------

def _recipients(session: Session, event: Event) -> list[User]:
    wanted = [uid for uid in dict.fromkeys(event.recipient_ids) if uid != event.actor_id]
    if not wanted:
        return []
    users = {u.id: u for u in session.scalars(select(User).where(
        User.id.in_(wanted), User.is_active.is_(True), User.anonymized_at.is_(None)))}
    return [users[uid] for uid in wanted if uid in users]


def record_event(session: Session, event: Event, *, now: datetime) -> list[Notification]:
    """One notification per recipient (never the actor), and an e-mail delivery for those who want
    this kind immediately. Runs inside the publisher's transaction."""
    users = _recipients(session, event)
    if not users:
        return []
    actor = session.get(User, event.actor_id) if event.actor_id else None
    params = clean_params(event.params, hide_actor=event.hide_actor, actor=actor)
    actor_id = None if event.hide_actor else event.actor_id
    created = [Notification(user_id=u.id, kind=event.kind[:60], target_type=event.target_type[:40],
                            target_id=int(event.target_id), url=safe_path(event.url), params=params,
                            actor_id=actor_id, created_at=now) for u in users]
    session.add_all(created)
    session.flush()
    stored = _stored_for(session, [u.id for u in users], event.kind)
    for notification in created:
        if effective_channel(event.kind, stored.get(notification.user_id, {})) is Channel.IMMEDIATE:
            delivery = Delivery(user_id=notification.user_id, kind=notification.kind,
                                object_key=notification.object_key, channel=Channel.IMMEDIATE, period="",
                                next_attempt_at=rules.send_time(now), created_at=now)
            session.add(delivery)
            notification.delivery = delivery
    session.flush()
    return created


def _stored_for(session: Session, user_ids: list[int], kind: str) -> dict[int, dict[str, Channel]]:
    rows = session.scalars(select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids),
                                                                NotificationPreference.kind == kind))
    found: dict[int, dict[str, Channel]] = {}
    for row in rows:
        found.setdefault(row.user_id, {})[row.kind] = row.channel
    return found


# --- reading -------------------------------------------------------------------------------------

def unread_count(session: Session, user_id: int) -> int:
    return int(session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0)


def page_of(session: Session, user_id: int, *, page: int = 1,
            unread_only: bool = False) -> tuple[list[Notification], bool]:
    """A page of someone's notifications, newest first, and whether there are more."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    rows = list(session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc())
                                .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def mark_read(session: Session, notification: Notification, *, now: datetime) -> None:
    if notification.read_at is None:
        notification.read_at = now
        session.flush()


def mark_all_read(session: Session, user_id: int, *, now: datetime) -> int:
    result = session.execute(update(Notification).where(Notification.user_id == user_id,
                                                        Notification.read_at.is_(None)).values(read_at=now))
    session.flush()
    return int(result.rowcount or 0)


def requeue(session: Session, delivery: Delivery, *, now: datetime) -> None:
    """The secretariat sends a failed delivery again (once more, from now)."""
    if delivery.status is not DeliveryStatus.FAILED:
        raise DomainError("not_failed")
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = rules.send_time(now)
    delivery.claimed_at = None
    session.flush()


def actor_names(session: Session, notifications: Iterable[Notification]) -> dict[int, str]:
    ids = {n.actor_id for n in notifications if n.actor_id}
    if not ids:
        return {}
    return {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(ids)))}
