"""Notify's part of the demo data: a few notifications for the demo accounts, and their preferences."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import update

from core.cli import DemoContext, register_demo
from core.events import Event
from notify import kinds, services
from notify.models import Channel, Delivery, DeliveryStatus, Notification


def _event(kind: str, user_ids: list[int], target: tuple[str, int], url: str, params: dict[str, object], *,
           actor_id: int | None = None, hide_actor: bool = False) -> Event:
    return Event(kind=kind, recipient_ids=tuple(user_ids), target_type=target[0], target_id=target[1],
                 url=url, params=params, actor_id=actor_id, hide_actor=hide_actor)


def seed_notifications(ctx: DemoContext) -> None:
    s, now = ctx.session, ctx.now
    roles = ("admin", "facilitator", "coordinator", "participant", "alumnus")
    users = {key: ctx.made.get(f"user:{key}") for key in roles}
    if not all(users.values()):
        return
    admin, facilitator, coordinator, participant, alumnus = (users[k] for k in roles)
    # Everyone starts from the defaults; the alumnus reads comments once a week instead.
    for user in users.values():
        services.set_preferences(s, user, {k.name: k.default for k in kinds.known()})
    services.set_preferences(s, alumnus, {"page.comment": Channel.WEEKLY})

    due = now + timedelta(days=2, hours=5)
    assignment = {"title": "課題2：2040年の自分の市を描く", "title_en": "Assignment 2: our city in 2040"}
    proposal = {"title": "8市共同の防災備蓄の融通", "title_en": "Sharing disaster stockpiles across the 8 cities"}
    story = [  # (days ago, read?, event)
        (6, True, _event("assignment.posted", [participant.id], ("assignment", 2), "/",
                         {**assignment, "due_at": due.isoformat()}, actor_id=facilitator.id)),
        (3, False, _event("page.comment", [participant.id], ("page", 1), "/",
                          {"title": "チーム1 ワークスペース", "title_en": "Team 1 workspace"},
                          actor_id=facilitator.id)),
        (1, False, _event("deadline.near", [participant.id], ("assignment", 2), "/",
                          {**assignment, "due_at": due.isoformat(), "offset_minutes": 4320})),
        (5, True, _event("page.mention", [facilitator.id], ("page", 1), "/",
                         {"title": "チーム1 ワークスペース", "title_en": "Team 1 workspace"},
                         actor_id=participant.id)),
        (2, False, _event("review.assigned", [alumnus.id], ("review_round", 1), "/reviews",
                          {"round": "中間発表後の相互評価", "round_en": "Peer review after the interim presentation",
                           "count": 2, "due_at": (now + timedelta(days=9)).isoformat()},
                          actor_id=facilitator.id)),
        (4, False, _event("directory.confirm", [alumnus.id], ("confirmation_round", 2026), "/account",
                          {"fiscal_year": 2026})),
        (2, False, _event("proposal.status", [coordinator.id, admin.id], ("proposal", 1), "/",
                          {**proposal, "status": "submitted"}, actor_id=participant.id)),
    ]
    made: list[Notification] = []
    for days_ago, read, event in story:
        at = now - timedelta(days=days_ago, hours=ctx.rng.randint(1, 8))
        created = services.record_event(s, event, now=at)
        for notification in created:
            if read:
                notification.read_at = at + timedelta(hours=2)
        made.extend(created)
    # Everything the demo's story (this hook's and earlier areas' events) e-mailed is in the past:
    # it counts as sent, so `make run` does not print a pile of old e-mails at start-up.
    s.execute(update(Delivery).where(Delivery.status == DeliveryStatus.PENDING).values(
        status=DeliveryStatus.SENT, attempts=1, sent_at=Delivery.created_at))
    s.flush()
    ctx.made["notifications"] = made


def init_app(app: Flask) -> None:
    register_demo(app, 60, "notify", seed_notifications)
