"""Daily and weekly digests: grouped by kind, only what is unread and wanted, one per person and period."""
from __future__ import annotations

from datetime import datetime

import time_machine
from sqlalchemy import select

from core.dates import TOKYO
from core.extensions import db
from notify import digest, rules
from notify.models import Channel, Delivery, DeliveryStatus, Notification
from tests import factories
from tests.factories_notify import prefer, publish_event, run


def jst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TOKYO)


def test_periods_are_japan_dates_and_iso_weeks() -> None:
    assert rules.daily_period(jst(12, 1, 7, 30)) == "2026-12-01"
    assert rules.daily_period(datetime(2026, 11, 30, 22, 30, tzinfo=TOKYO)) == "2026-11-30"
    assert rules.weekly_period(jst(11, 30, 7, 30)) == "2026-W49"
    assert rules.weekly_period(datetime(2027, 1, 4, 7, 30, tzinfo=TOKYO)) == "2027-W01"


def test_daily_digest_groups_by_kind_and_lists_only_unread(app, ctx, smtp) -> None:
    person = factories.participant(email="digest@example.jp", name="要約 読子")
    facilitator = factories.facilitator(name="進行 役子")
    prefer(person, assignment__posted=Channel.DAILY, review__assigned=Channel.DAILY)
    with time_machine.travel(jst(11, 30, 15), tick=False):
        publish_event("page.comment", [person], target=("page", 1), actor=facilitator,
                      params={"title": "チーム2 ワークスペース"})
        publish_event("assignment.posted", [person], target=("assignment", 5), params={"title": "課題5"})
        publish_event("page.comment", [person], target=("page", 2), actor=facilitator,
                      params={"title": "防災ノート"})
        publish_event("assignment.posted", [person], target=("assignment", 6), params={"title": "課題6（読んだ）"})
        publish_event("proposal.status", [person], target=("proposal", 1), params={"title": "X", "status": "final"})
    read = db.session.scalar(select(Notification).where(Notification.params["title"].as_string() == "課題6（読んだ）"))
    read.read_at = jst(11, 30, 16)
    db.session.commit()
    assert run(app, "daily-digest", jst(12, 1, 7, 30)).message == "1 daily digests queued for 2026-12-01"
    run(app, "deliver", jst(12, 1, 7, 31))
    digests = [m for m in smtp.messages if m["X-Renkei-Kind"] == "digest"]
    assert len(digests) == 1
    mail = digests[0]
    assert mail["Subject"] == "【Renkei】今日のお知らせのまとめ（3件）"
    text = mail.get_body(("plain",)).get_content()
    # grouped by kind, in the kinds' order: assignments before comments
    assert text.index("■ 課題が出されたとき") < text.index("■ ページにコメントがついたとき")
    assert "新しい課題「課題5」が出されました" in text
    assert "進行 役子さんが「チーム2 ワークスペース」にコメントしました" in text
    assert "進行 役子さんが「防災ノート」にコメントしました" in text
    assert "課題6" not in text  # already read
    assert "状態" not in text  # proposal.status is immediate: it had its own e-mail
    assert "/unsubscribe/" in mail["List-Unsubscribe"]
    html = mail.get_body(("html",)).get_content()
    assert html.count("<h2>") == 2


def test_a_digest_is_made_once_per_period_even_when_run_again(app, ctx, smtp) -> None:
    person = factories.participant(email="again@example.jp")
    with time_machine.travel(jst(11, 30, 20), tick=False):
        publish_event("page.comment", [person], params={"title": "A"})
    run(app, "daily-digest", jst(12, 1, 7, 30))
    assert run(app, "daily-digest", jst(12, 1, 7, 30)).status == "already-ran"
    with time_machine.travel(jst(12, 1, 9), tick=False):
        publish_event("page.comment", [person], params={"title": "B"})
    # a manual run later the same day (another fire time) finds the period's digest made: B waits
    assert run(app, "daily-digest", jst(12, 1, 12)).message == "0 daily digests queued for 2026-12-01"
    run(app, "deliver", jst(12, 1, 12, 1))
    run(app, "daily-digest", jst(12, 2, 7, 30))
    run(app, "deliver", jst(12, 2, 7, 31))
    rows = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
    assert [(r.period, r.status) for r in rows] == [("2026-12-01", DeliveryStatus.SENT),
                                                   ("2026-12-02", DeliveryStatus.SENT)]
    assert ["「A」" in m.get_body(("plain",)).get_content() for m in smtp.messages] == [True, False]


def test_weekly_digest_takes_weekly_kinds_and_not_daily_ones(app, ctx) -> None:
    person = factories.participant()
    prefer(person, page__mention=Channel.WEEKLY)
    with time_machine.travel(jst(11, 25, 10), tick=False):
        publish_event("page.mention", [person], params={"title": "週"})
        publish_event("page.comment", [person], params={"title": "日"})
    made = digest.build_digests(db.session, channel=Channel.WEEKLY, fire_time=jst(11, 30, 7, 30),
                                now=jst(11, 30, 7, 30))
    assert made == 1
    [delivery] = db.session.scalars(select(Delivery)).all()
    assert delivery.channel is Channel.WEEKLY and delivery.period == "2026-W49"
    carried = db.session.scalars(select(Notification).where(Notification.delivery_id == delivery.id)).all()
    assert [n.params["title"] for n in carried] == ["週"]


def test_the_digest_never_reaches_back_past_its_lookback(app, ctx) -> None:
    person = factories.participant()
    with time_machine.travel(jst(11, 20, 10), tick=False):  # 11 days before: older than a week
        publish_event("page.comment", [person], params={"title": "古い"})
    with time_machine.travel(jst(11, 30, 10), tick=False):
        publish_event("page.comment", [person], params={"title": "新しい"})
    digest.build_digests(db.session, channel=Channel.DAILY, fire_time=jst(12, 1, 7, 30), now=jst(12, 1, 7, 30))
    titles = [n.params["title"] for n in db.session.scalars(
        select(Notification).where(Notification.delivery_id.is_not(None)))]
    assert titles == ["新しい"]


def test_reminders_past_their_deadline_stay_out_of_the_digest(app, ctx) -> None:
    person = factories.participant()
    prefer(person, deadline__near=Channel.DAILY)
    with time_machine.travel(jst(11, 30, 10), tick=False):
        publish_event("deadline.near", [person], params={"title": "過ぎた", "due_at": jst(11, 30, 17).isoformat()})
        publish_event("deadline.near", [person], params={"title": "まだ", "due_at": jst(12, 3, 17).isoformat()})
    digest.build_digests(db.session, channel=Channel.DAILY, fire_time=jst(12, 1, 7, 30), now=jst(12, 1, 7, 30))
    carried = [n.params["title"] for n in db.session.scalars(
        select(Notification).where(Notification.delivery_id.is_not(None)))]
    assert carried == ["まだ"]


def test_nobody_gets_an_empty_digest(app, ctx) -> None:
    factories.participant()
    assert digest.build_digests(db.session, channel=Channel.DAILY, fire_time=jst(12, 1, 7, 30),
                                now=jst(12, 1, 7, 30)) == 0
