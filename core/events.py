"""Domain events: areas announce what happened; notify (and anything else) listens.

An area calls ``publish(session, Event(...))`` inside the transaction that made the change; the
listeners run synchronously in the same session, so the notification rows commit (or roll back)
together with the change itself. With no listener connected, publishing does nothing.

Kinds used across the code base (keep this list in sync with notify/kinds.py):
assignment.posted, submission.feedback, review.assigned, review.released, deadline.near,
proposal.status, page.comment, page.mention, directory.confirm, session.reminder.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from blinker import Namespace
from sqlalchemy.orm import Session

_signals = Namespace()
happened = _signals.signal("renkei.event")


@dataclass(frozen=True)
class Event:
    kind: str  # e.g. "assignment.posted"
    recipient_ids: tuple[int, ...]  # user ids to tell
    target_type: str  # e.g. "assignment"
    target_id: int
    url: str  # path on this site, e.g. "/cohorts/3/assignments/7"
    params: dict[str, Any] = field(default_factory=dict)  # plain values for the message (title, due …)
    actor_id: int | None = None
    hide_actor: bool = False  # anonymity (peer review): never reveal who acted


def publish(session: Session, event: Event) -> None:
    """Tell every listener; listeners write rows with ``session`` and never commit."""
    if event.recipient_ids:
        happened.send(session, event=event)
