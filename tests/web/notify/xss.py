"""User-written text that reaches notifications: titles in event params and actors' names, shown in
the list (and the secretariat's page of failed e-mails shows recipients' names)."""
from __future__ import annotations

from tests import factories
from tests.security.xss import Planted, XssTarget, packed


def _titles(payloads: list[str]) -> Planted:
    from tests.factories_notify import publish_event

    viewer = factories.participant(name="通知 受取")
    for i, payload in enumerate(payloads):
        publish_event("page.comment", [viewer], target=("page", i + 1), commit=False,
                      params={"title": payload, "title_en": payload, "status": payload, "due_at": payload})
        publish_event(f"unknown.{i}", [viewer], target=("page", i + 1), commit=False, params={"title": payload})
    return Planted(viewer, ["/notifications", "/notifications?lang=en"])


def _actor_names(payloads: list[str]) -> Planted:
    from tests.factories_notify import publish_event

    viewer = factories.participant(name="通知 受取")
    for i, name in enumerate(packed(payloads, 200)):
        actor = factories.user(name=name, email=f"actor{i}@example.jp", commit=False)
        publish_event("page.mention", [viewer], actor=actor, commit=False, params={"title": "ページ"})
    return Planted(viewer, ["/notifications"])


def _failed_mail(payloads: list[str]) -> Planted:
    from core.extensions import db
    from notify.models import Delivery, DeliveryStatus
    from tests.factories_notify import publish_event

    admin = factories.admin(name="事務 局")
    for i, name in enumerate(packed(payloads, 200)):
        person = factories.user(name=name, email=f"bounce{i}@example.jp", commit=False)
        publish_event("assignment.posted", [person], commit=False)
    db.session.flush()
    for delivery in db.session.query(Delivery):
        delivery.status, delivery.last_error = DeliveryStatus.FAILED, payloads[0][:500]
    return Planted(admin, ["/admin/jobs"])


TARGETS = [
    XssTarget("notify: titles and params in the list", _titles),
    XssTarget("notify: actors' names in the list", _actor_names),
    XssTarget("notify: recipients and errors on the jobs page", _failed_mail),
]
