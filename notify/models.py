"""Notifications (the in-app list), deliveries (each e-mail, recorded before it is sent), preferences
per kind, and the record of reminders already sent."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.extensions import db
from core.models import TimestampMixin, UTCDateTime, created, intpk
from people.models import User


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e],
                validate_strings=True)


class Channel(enum.StrEnum):
    """How a person wants to hear about one kind of event (the in-app list always shows it)."""

    IMMEDIATE = "immediate"  # an e-mail each time (held during quiet hours)
    DAILY = "daily"  # in the daily digest
    WEEKLY = "weekly"  # in the weekly digest
    NONE = "none"  # no e-mail


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its time (quiet hours, backoff)
    SENDING = "sending"  # claimed by a process that is sending it now
    SENT = "sent"
    FAILED = "failed"  # gave up (or interrupted): shown to the secretariat, who may queue it again
    CANCELLED = "cancelled"  # no longer wanted (preference changed, deadline passed, account closed)


class Delivery(db.Model):  # type: ignore[name-defined]
    """One e-mail to one person. Inserted before anything is sent and keyed uniquely, so a retry or a
    second process can never send the same thing twice."""

    __tablename__ = "delivery"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))  # event kind, or "digest"
    object_key: Mapped[str] = mapped_column(String(160))  # "proposal:5#81" (object#occurrence) or "digest"
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "notify_channel"))
    period: Mapped[str] = mapped_column(String(20), default="")  # digest period: "2026-11-25", "2026-W48"
    status: Mapped[DeliveryStatus] = mapped_column(_enum(DeliveryStatus, "delivery_status"),
                                                   default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[created]

    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("user_id", "kind", "object_key", "channel", "period"),
        Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),
    )

    def __repr__(self) -> str:
        return f"<Delivery {self.id} {self.kind} {self.channel.value} {self.status.value}>"


class Notification(db.Model):  # type: ignore[name-defined]
    """One event told to one person: a line in their list, and the source of e-mails and digests."""

    __tablename__ = "notification"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int]
    url: Mapped[str] = mapped_column(String(500), default="")  # a path on this site
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # plain values for the message
    # Who acted; always empty when the event hid the actor (peer review anonymity).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[created]
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The e-mail (immediate or digest) that carried it; empty while none did.
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id", ondelete="SET NULL"),
                                                    index=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    delivery: Mapped[Delivery | None] = relationship()

    __table_args__ = (
        Index("ix_notification_user_id_created_at", "user_id", "created_at"),
        Index("ix_notification_user_id_read_at", "user_id", "read_at"),
    )

    @property
    def object_key(self) -> str:
        return f"{self.target_type}:{self.target_id}#{self.id}"

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} user={self.user_id}>"


class NotificationPreference(TimestampMixin, db.Model):  # type: ignore[name-defined]
    """A person's choice for one kind; without a row the kind's default applies."""

    __tablename__ = "notification_preference"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "notify_channel"))

    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    def __repr__(self) -> str:
        return f"<NotificationPreference {self.user_id} {self.kind}={self.channel.value}>"


class Reminder(db.Model):  # type: ignore[name-defined]
    """A reminder already sent: one row per (object, person, offset), so each is sent once."""

    __tablename__ = "reminder"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(160))  # the object, e.g. "assignment:7"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    offset_minutes: Mapped[int]  # how long before the deadline (4320 = 3 days)
    kind: Mapped[str] = mapped_column(String(60))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("key", "user_id", "offset_minutes"),)

    def __repr__(self) -> str:
        return f"<Reminder {self.key} user={self.user_id} -{self.offset_minutes}min>"
