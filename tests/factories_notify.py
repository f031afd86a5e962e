"""Builders for notification tests: publish events as an area would, run jobs at a given moment."""
from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.message import EmailMessage
from typing import Any

from flask import Flask

from core.events import Event, publish
from core.extensions import db
from core.scheduler import Outcome, run_job
from notify.models import Channel
from notify.services import set_preferences
from people.models import User


def event(kind: str, recipients: list[User], *, target: tuple[str, int] = ("assignment", 1), url: str = "/",
          params: dict[str, Any] | None = None, actor: User | None = None, hide_actor: bool = False) -> Event:
    return Event(kind=kind, recipient_ids=tuple(u.id for u in recipients), target_type=target[0],
                 target_id=target[1], url=url, params=params if params is not None else {"title": "課題1"},
                 actor_id=actor.id if actor else None, hide_actor=hide_actor)


def publish_event(kind: str, recipients: list[User], *, commit: bool = True, **kw: Any) -> Event:
    """Publish inside the current session, as an area's service would (then commit, as its view would)."""
    ev = event(kind, recipients, **kw)
    publish(db.session, ev)
    if commit:
        db.session.commit()
    return ev


def prefer(user: User, **channels: Channel) -> None:
    """prefer(user, page__comment=Channel.WEEKLY): keyword names use "__" for "."."""
    set_preferences(db.session, user, {k.replace("__", "."): v for k, v in channels.items()})
    db.session.commit()


def run(app: Flask, name: str, at: datetime) -> Outcome:
    """Run a job for fire time ``at`` with the clock at ``at`` (as the scheduler would)."""
    outcome = run_job(app, name, fire_time=at, now=at)
    db.session.expire_all()
    return outcome


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class CountingHandler:
    """An aiosmtpd handler that keeps what it accepts and can refuse the next messages."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse_next: int = 0
    refusal: str = "451 4.3.0 Mailbox busy, try again later"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd API)
        if self.refuse_next:
            self.refuse_next -= 1
            return self.refusal
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]
