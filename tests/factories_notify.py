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
from core.scheduler import JobContext, Outcome, run_job
from notify.models import Channel
from notify.reminders import remind_once
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


@dataclass
class FakeAssignment:
    """An assignment as an area would know it: a deadline, its members, and who submitted when."""

    id: int
    title: str
    due_at: datetime
    members: list[int]
    submitted: dict[int, datetime] = field(default_factory=dict)

    def missing(self, now: datetime) -> list[int]:
        return [u for u in self.members if not (u in self.submitted and self.submitted[u] <= now)]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "due_at": self.due_at.isoformat(), "members": self.members,
                "submitted": {str(k): v.isoformat() for k, v in self.submitted.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FakeAssignment:
        return cls(id=data["id"], title=data["title"], due_at=datetime.fromisoformat(data["due_at"]),
                   members=list(data["members"]),
                   submitted={int(k): datetime.fromisoformat(v) for k, v in data["submitted"].items()})


@dataclass
class FakeArea:
    """A stand-in for the curriculum area: its reminder job, written the way docs/scheduler.md says."""

    assignments: list[FakeAssignment] = field(default_factory=list)

    def job(self, ctx: JobContext) -> str:
        sent = 0
        for a in self.assignments:
            result = remind_once(ctx.session, key=f"assignment:{a.id}", user_ids=a.missing(ctx.now),
                                 kind="deadline.near", target_type="assignment", target_id=a.id,
                                 url=f"/assignments/{a.id}", params={"title": a.title}, due_at=a.due_at,
                                 offsets=ctx.config["REMINDER_OFFSETS"], now=ctx.now)
            sent += len(result.user_ids)
        return f"{sent} reminders"
