"""Access rules for notification routes: one's own list and preferences, the signed unsubscribe link
(no sign-in), and the secretariat's jobs page."""
from __future__ import annotations

from tests.access import ADMIN, EVERYONE, PARTICIPANT, POST_OK, SIGNED_IN, Rule

ORDER = 60
OWNER = frozenset({PARTICIPANT})

RULES = [
    Rule("notify.index", "/notifications", SIGNED_IN),
    Rule("notify.unread_count", "/api/notifications/unread", SIGNED_IN),
    Rule("notify.mark_read", lambda w: f"/notifications/{w.notification.id}/read", OWNER, method="POST",
         ok=frozenset({302}), note="only the person it was for"),
    Rule("notify.open_notification", lambda w: f"/notifications/{w.notification.id}/open", OWNER, method="POST",
         ok=frozenset({302})),
    Rule("notify.mark_all_read", "/notifications/read-all", SIGNED_IN, method="POST", ok=frozenset({302})),
    Rule("notify.preferences", "/notifications/preferences", SIGNED_IN),
    Rule("notify.preferences", "/notifications/preferences", SIGNED_IN, method="POST",
         data={"kind_page__comment": "weekly"}, ok=POST_OK),
    Rule("notify.unsubscribe", lambda w: f"/unsubscribe/{w.unsubscribe_token}", EVERYONE,
         note="signed link from an e-mail: no sign-in"),
    Rule("notify.unsubscribe", lambda w: f"/unsubscribe/{w.unsubscribe_token}", EVERYONE, method="POST",
         data={"List-Unsubscribe": "One-Click"}, note="RFC 8058 one-click"),
    Rule("notify.admin_jobs", "/admin/jobs", frozenset({ADMIN})),
    Rule("notify.retry_delivery", lambda w: f"/admin/jobs/deliveries/{w.failed_delivery.id}/retry",
         frozenset({ADMIN}), method="POST", ok=frozenset({302})),
]


def build(world):  # type: ignore[no-untyped-def]
    from flask import current_app

    from core.dates import utcnow
    from core.events import Event, publish
    from core.extensions import db
    from notify.models import Delivery, DeliveryStatus, Notification
    from notify.tokens import unsubscribe_token

    participant = world.users[PARTICIPANT]
    publish(db.session, Event(kind="assignment.posted", recipient_ids=(participant.id,), target_type="assignment",
                              target_id=1, url="/", params={"title": "課題1"}))
    db.session.flush()
    # Other areas' builders may already have told the participant something: take the newest one, ours.
    world.notification = (db.session.query(Notification).filter_by(user_id=participant.id)
                          .order_by(Notification.id.desc()).first())
    delivery = db.session.get(Delivery, world.notification.delivery_id)
    delivery.status = DeliveryStatus.FAILED
    delivery.attempts = 6
    delivery.last_error = "451 try again later"
    delivery.next_attempt_at = utcnow()
    world.failed_delivery = delivery
    world.unsubscribe_token = unsubscribe_token(current_app.config["SECRET_KEY"], participant.id, "page.comment")
    db.session.commit()
