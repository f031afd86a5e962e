"""Events become notifications: who gets one, what is kept, which e-mail follows; preferences; reading."""
from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import func, select

from core.dates import TOKYO
from core.errors import DomainError
from core.events import Event, publish
from core.extensions import db
from notify import services
from notify.models import Channel, Delivery, Notification, NotificationPreference
from tests import factories
from tests.factories_notify import event, prefer, publish_event

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=TOKYO)


def notifications() -> list[Notification]:
    return list(db.session.scalars(select(Notification).order_by(Notification.id)))


def test_one_notification_per_recipient_never_the_actor_nor_closed_accounts(app, ctx) -> None:
    actor, a, b, gone = (factories.participant() for _ in range(4))
    gone.is_active = False
    db.session.commit()
    publish_event("page.comment", [a, b, actor, gone, a], actor=actor, params={"title": "p"})
    assert sorted(n.user_id for n in notifications()) == sorted([a.id, b.id])
    assert all(n.actor_id == actor.id for n in notifications())


def test_nothing_is_published_without_recipients(app, ctx) -> None:
    publish(db.session, Event(kind="page.comment", recipient_ids=(), target_type="page", target_id=1, url="/"))
    assert notifications() == []


def test_the_notification_commits_or_rolls_back_with_the_change(app, ctx) -> None:
    person = factories.participant()
    publish_event("assignment.posted", [person], commit=False)
    db.session.rollback()
    assert notifications() == [] and db.session.scalars(select(Delivery)).all() == []


def test_immediate_kinds_get_a_delivery_digest_kinds_wait(app, ctx) -> None:
    eager, lazy, silent = (factories.participant() for _ in range(3))
    prefer(lazy, assignment__posted=Channel.DAILY)
    prefer(silent, assignment__posted=Channel.NONE)
    with time_machine.travel(NOON, tick=False):
        publish_event("assignment.posted", [eager, lazy, silent])
    rows = {n.user_id: n for n in notifications()}
    assert rows[eager.id].delivery is not None and rows[eager.id].delivery.channel is Channel.IMMEDIATE
    assert rows[eager.id].delivery.object_key == f"assignment:1#{rows[eager.id].id}"
    assert rows[lazy.id].delivery is None and rows[silent.id].delivery is None
    assert rows[eager.id].created_at == NOON


def test_hidden_actor_is_not_stored_at_all(app, ctx) -> None:
    reviewer = factories.alumnus(name="査読 秘子", email="hidden@example.jp")
    author = factories.participant()
    publish_event("review.released", [author], actor=reviewer, hide_actor=True,
                  params={"title": "t", "actor_name": "x", "reviewer": "y", "reviewer_email": "hidden@example.jp",
                          "comment": "査読 秘子の意見", "comment2": "査読秘子", "nested": {"by": "hidden@example.jp"},
                          "kept": "ok"})
    [n] = notifications()
    assert n.actor_id is None
    assert n.params == {"title": "t", "kept": "ok"}


def test_params_are_stored_as_plain_json_and_urls_stay_on_site(app, ctx) -> None:
    person = factories.participant()
    ev = Event(kind="assignment.posted", recipient_ids=(person.id,), target_type="assignment", target_id=3,
               url="https://evil.example/phish", params={"title": "t", "due_at": NOON, "tags": ("a", "b")})
    publish(db.session, ev)
    db.session.commit()
    [n] = notifications()
    assert n.url == "" and n.params == {"title": "t", "due_at": NOON.isoformat(), "tags": ["a", "b"]}
    for url, kept in [("/cohorts/1", "/cohorts/1"), ("//evil.example", ""), ("/\\evil", ""), ("javascript:x", "")]:
        assert services.safe_path(url) == kept


def test_preferences_default_per_kind_and_save_changes(app, ctx) -> None:
    person = factories.participant()
    prefs = services.preferences_for(db.session, person)
    assert prefs["assignment.posted"] is Channel.IMMEDIATE and prefs["page.comment"] is Channel.DAILY
    changed = services.set_preferences(db.session, person, {"page.comment": Channel.WEEKLY,
                                                            "assignment.posted": Channel.IMMEDIATE})
    assert changed == 1
    assert services.preferences_for(db.session, person)["page.comment"] is Channel.WEEKLY
    with pytest.raises(DomainError):
        services.set_preferences(db.session, person, {"no.such.kind": Channel.NONE})


def test_a_kind_moved_from_a_digest_to_immediately_takes_its_waiting_notifications_along(app, ctx) -> None:
    person, other = factories.participant(), factories.participant()
    prefer(person, assignment__posted=Channel.DAILY)
    prefer(other, assignment__posted=Channel.DAILY)
    with time_machine.travel(NOON, tick=False):
        publish_event("assignment.posted", [person, other])
        publish_event("assignment.posted", [person], target=("assignment", 2), params={"title": "課題2"})
        read = db.session.scalars(select(Notification).where(Notification.user_id == person.id)
                                  .order_by(Notification.id)).all()[1]
        read.read_at = NOON  # already read in the app: no e-mail needed
        services.set_preferences(db.session, person, {"assignment.posted": Channel.IMMEDIATE}, now=NOON)
        db.session.commit()
    mine = db.session.scalars(select(Notification).where(Notification.user_id == person.id)
                              .order_by(Notification.id)).all()
    assert mine[0].delivery is not None and mine[0].delivery.channel is Channel.IMMEDIATE
    assert mine[1].delivery is None  # read: nothing to send
    theirs = db.session.scalar(select(Notification).where(Notification.user_id == other.id))
    assert theirs.delivery is None  # someone else's digest is untouched
    with time_machine.travel(NOON, tick=False):  # choosing "immediately" again changes nothing more
        services.set_preferences(db.session, person, {"assignment.posted": Channel.IMMEDIATE}, now=NOON)
    assert db.session.scalar(select(func.count(Delivery.id)).where(Delivery.user_id == person.id)) == 1


def test_unsubscribe_from_a_kind_or_a_whole_digest(app, ctx) -> None:
    person = factories.participant()
    prefer(person, page__mention=Channel.DAILY)
    assert services.unsubscribe(db.session, person, "assignment.posted") == ["assignment.posted"]
    assert services.unsubscribe(db.session, person, "assignment.posted") == []  # twice is harmless
    assert sorted(services.unsubscribe(db.session, person, "digest.daily")) == ["page.comment", "page.mention"]
    prefs = services.preferences_for(db.session, person)
    assert prefs["page.comment"] is prefs["page.mention"] is prefs["assignment.posted"] is Channel.NONE
    assert prefs["review.assigned"] is Channel.IMMEDIATE
    # a kind only another area defines can be switched off through its signed link too
    assert services.unsubscribe(db.session, person, "wiki.rename") == ["wiki.rename"]
    assert db.session.scalar(select(NotificationPreference.channel).where(
        NotificationPreference.kind == "wiki.rename")) is Channel.NONE


def test_reading_one_or_all(app, ctx) -> None:
    person, other = factories.participant(), factories.participant()
    for title in ("一", "二", "三"):
        publish_event("page.mention", [person, other], params={"title": title})
    assert services.unread_count(db.session, person.id) == 3
    first = next(n for n in notifications() if n.user_id == person.id)
    services.mark_read(db.session, first, now=NOON)
    services.mark_read(db.session, first, now=datetime(2026, 12, 2, tzinfo=TOKYO))  # the first reading counts
    assert first.read_at == NOON
    assert services.unread_count(db.session, person.id) == 2
    assert services.mark_all_read(db.session, person.id, now=NOON) == 2
    assert services.unread_count(db.session, person.id) == 0
    assert services.unread_count(db.session, other.id) == 3  # someone else's stay unread


def test_pages_of_the_list_are_newest_first(app, ctx, monkeypatch) -> None:
    monkeypatch.setattr(services, "PAGE_SIZE", 2)
    person = factories.participant()
    for day in (1, 2, 3):
        with time_machine.travel(datetime(2026, 12, day, 9, tzinfo=TOKYO), tick=False):
            publish_event("page.mention", [person], params={"title": f"{day}日"})
    first, more = services.page_of(db.session, person.id, page=1)
    assert [n.params["title"] for n in first] == ["3日", "2日"] and more
    second, more = services.page_of(db.session, person.id, page=2)
    assert [n.params["title"] for n in second] == ["1日"] and not more


def test_event_helper_builds_what_areas_publish(app, ctx) -> None:
    person = factories.participant()
    ev = event("directory.confirm", [person], target=("confirmation_round", 1), url="/me/profile",
               params={"fiscal_year": 2026})
    assert ev.recipient_ids == (person.id,) and ev.hide_actor is False
