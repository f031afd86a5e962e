"""Sending e-mail: each delivery is claimed (and the claim committed) before its message is sent.

A claim is an UPDATE … WHERE status = 'pending', so of two processes only one gets a delivery. A
failed send waits (backoff) and is tried again; after NOTIFY_MAX_ATTEMPTS, or a permanent refusal,
it is marked failed and shown on /admin/jobs, where the secretariat can queue it again. A process
that dies while sending leaves a claim that is marked failed ("interrupted") — never sent again on
its own, because it may have arrived.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from typing import Any

from flask import Flask, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from core import mail as mailer
from core.i18n import SUPPORTED
from notify import kinds, rules
from notify.models import Channel, Delivery, DeliveryStatus, Notification
from notify.services import effective_channel, stored_preferences
from notify.tokens import DIGEST_DAILY, DIGEST_WEEKLY, unsubscribe_token

log = logging.getLogger("renkei.notify")
CLAIM_TIMEOUT = timedelta(minutes=15)
BATCH = 200


@dataclass(frozen=True)
class Item:
    kind: str
    kind_label: str
    text: str
    detail: str
    url: str  # absolute


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    interrupted: int = 0
    quiet: bool = False

    def __str__(self) -> str:
        if self.quiet:
            return f"quiet hours: nothing sent ({self.interrupted} interrupted claims marked failed)"
        return (f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed, "
                f"{self.cancelled} cancelled, {self.interrupted} interrupted")


def _stale(kind: kinds.Kind, notification: Notification, now: datetime) -> bool:
    due = kinds.due_of(kind, notification.params or {})
    return due is not None and due <= now


def _items(notifications: list[Notification], *, locale: str, base_url: str, now: datetime) -> list[Item]:
    items = []
    for n in notifications:
        kind = kinds.get(n.kind)
        message = kinds.render(n.kind, n.params or {}, locale=locale, now=now,
                               actor_name=n.actor.name if n.actor is not None else None)
        link = base_url + (n.url or url_for("notify.index"))
        items.append(Item(kind=n.kind, kind_label=str(kind.label), text=message.text, detail=message.detail,
                          url=link))
    return items


def compose(app: Flask, delivery: Delivery, notifications: list[Notification], *,
            now: datetime) -> mailer.Mail:
    """The e-mail in the recipient's language: plain text and HTML, with a one-click unsubscribe."""
    user = delivery.user
    locale = user.locale if user.locale in SUPPORTED else "ja"
    base_url = str(app.config["BASE_URL"]).rstrip("/")
    unsubscribe_kind = delivery.kind if delivery.channel is Channel.IMMEDIATE else (
        DIGEST_DAILY if delivery.channel is Channel.DAILY else DIGEST_WEEKLY)
    token = unsubscribe_token(str(app.config["SECRET_KEY"]), user.id, unsubscribe_kind)
    with app.test_request_context("/", base_url=base_url), force_locale(locale):
        items = _items(notifications, locale=locale, base_url=base_url, now=now)
        unsubscribe_url = url_for("notify.unsubscribe", token=token, _external=True)
        context: dict[str, Any] = {
            "user": user, "items": items, "unsubscribe_url": unsubscribe_url, "locale": locale,
            "preferences_url": url_for("notify.preferences", _external=True),
            "list_url": url_for("notify.index", _external=True),
        }
        if delivery.channel is Channel.IMMEDIATE:
            subject = _("【Renkei】%(text)s", text=items[0].text)
            template = "notify/mail/notification"
            context["what"] = str(kinds.get(delivery.kind).label)
        else:
            groups = [(label, list(group)) for label, group in groupby(
                sorted(items, key=lambda i: (kinds.get(i.kind).order, i.kind)), key=lambda i: i.kind_label)]
            context["groups"] = groups
            context["daily"] = delivery.channel is Channel.DAILY
            if delivery.channel is Channel.DAILY:
                subject = _("【Renkei】今日のお知らせのまとめ（%(count)d件）", count=len(items))
            else:
                subject = _("【Renkei】今週のお知らせのまとめ（%(count)d件）", count=len(items))
            template = "notify/mail/digest"
        body = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "X-Renkei-Kind": delivery.kind,
        "X-Renkei-Delivery": str(delivery.id),
    }
    return mailer.Mail(to=user.email, subject=subject, body=body, html=html, headers=headers)


def _carried(session: Session, delivery: Delivery) -> list[Notification]:
    return list(session.scalars(select(Notification).options(selectinload(Notification.actor))
                                .where(Notification.delivery_id == delivery.id)
                                .order_by(Notification.created_at, Notification.id)))


def _still_wanted(session: Session, delivery: Delivery, notifications: list[Notification],
                  now: datetime) -> tuple[list[Notification], str]:
    """What is still worth sending, or the reason to cancel."""
    user = delivery.user
    if not user.is_active or user.anonymized_at is not None:
        return [], "account closed"
    keep = [n for n in notifications if n.read_at is None and not _stale(kinds.get(n.kind), n, now)]
    if delivery.channel is Channel.IMMEDIATE and notifications:
        n = notifications[0]
        if n.read_at is not None:
            return [], "already read in the app"
        if _stale(kinds.get(n.kind), n, now):
            return [], "deadline passed"
        channel = effective_channel(n.kind, stored_preferences(session, user.id))
        if channel is not Channel.IMMEDIATE:
            if channel in (Channel.DAILY, Channel.WEEKLY):
                n.delivery_id = None  # the digest will carry it
            return [], f"preference changed to {channel.value}"
    if not keep:
        return [], "nothing left to tell"
    return keep, ""


def deliver_due(app: Flask, session: Session, *, now: datetime, max_attempts: int,
                checkpoint: Callable[[], None], batch: int = BATCH) -> Report:
    report = Report()
    report.interrupted = int(session.execute(update(Delivery).where(
        Delivery.status == DeliveryStatus.SENDING, Delivery.claimed_at < now - CLAIM_TIMEOUT).values(
        status=DeliveryStatus.FAILED,
        last_error="interrupted while sending: it may or may not have arrived")).rowcount or 0)
    if rules.in_quiet_hours(now):
        report.quiet = True
        return report
    due = list(session.scalars(select(Delivery.id).where(
        Delivery.status == DeliveryStatus.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at, Delivery.id).limit(batch)))
    for delivery_id in due:
        claimed = session.execute(update(Delivery).where(
            Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING,
            Delivery.next_attempt_at <= now).values(status=DeliveryStatus.SENDING, claimed_at=now,
                                                    attempts=Delivery.attempts + 1)).rowcount
        if not claimed:
            continue  # another process took it
        delivery = session.get(Delivery, delivery_id)
        assert delivery is not None
        session.refresh(delivery)
        notifications, reason = _still_wanted(session, delivery, _carried(session, delivery), now)
        if reason:
            delivery.status, delivery.last_error = DeliveryStatus.CANCELLED, reason
            report.cancelled += 1
            checkpoint()
            continue
        try:
            message = compose(app, delivery, notifications, now=now)
        except Exception as error:  # noqa: BLE001 - a broken template must not stop the other deliveries
            log.exception("delivery %s could not be composed", delivery_id)
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, f"could not compose: {error}"[:500]
            report.failed += 1
            checkpoint()
            continue
        checkpoint()  # the claim is on record before anything leaves
        try:
            mailer.send(message, app.config)
        except mailer.MailError as error:
            delivery.last_error = str(error)[:500] or type(error).__name__
            if error.permanent or delivery.attempts >= max_attempts:
                delivery.status = DeliveryStatus.FAILED
                report.failed += 1
            else:
                delivery.status = DeliveryStatus.PENDING
                delivery.next_attempt_at = rules.send_time(now + rules.backoff(delivery.attempts))
                report.retrying += 1
        else:
            delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, now, ""
            report.sent += 1
        checkpoint()
    return report
