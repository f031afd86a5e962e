"""E-mail delivery through a real SMTP server: once only, quiet hours, retries with backoff, failures
kept visible, the recipient's language, unsubscribe headers, and anonymity."""
from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from sqlalchemy import select

from core.dates import TOKYO
from core.extensions import db
from notify.models import Channel, Delivery, DeliveryStatus, Notification
from notify.tokens import read_unsubscribe_token
from tests import factories
from tests.factories_notify import prefer, publish_event, run


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TOKYO)


def deliveries() -> list[Delivery]:
    return list(db.session.scalars(select(Delivery).order_by(Delivery.id)))


def test_an_event_is_mailed_once_however_often_delivery_runs(app, ctx, smtp) -> None:
    person = factories.participant(email="once@example.jp", name="一度 届子")
    with time_machine.travel(jst(1, 10), tick=False):
        publish_event("assignment.posted", [person], params={"title": "課題3：連携事業の棚卸し"})
    assert run(app, "deliver", jst(1, 10, 1)).status == "ok"
    assert run(app, "deliver", jst(1, 10, 1)).status == "already-ran"  # same moment: the guard skips
    assert run(app, "deliver", jst(1, 10, 2)).status == "ok"  # next minute: nothing left to send
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "once@example.jp"
    assert "課題3：連携事業の棚卸し" in message["Subject"]
    [row] = deliveries()
    assert row.status is DeliveryStatus.SENT and row.attempts == 1 and row.sent_at == jst(1, 10, 1)


def test_plain_text_and_html_in_the_recipients_language(app, ctx, smtp) -> None:
    ja = factories.participant(email="ja@example.jp", name="日本 語子")
    en = factories.participant(email="en@example.jp", name="Eigo Hanako", locale="en")
    with time_machine.travel(jst(1, 9), tick=False):
        publish_event("assignment.posted", [ja, en], target=("assignment", 4), url="/proposals/4",
                      params={"title": "空き家の広域活用", "title_en": "Using vacant houses across cities",
                              "due_at": jst(8, 17).isoformat()})
    run(app, "deliver", jst(1, 9, 1))
    ja_mail, en_mail = smtp.handler.to("ja@example.jp")[0], smtp.handler.to("en@example.jp")[0]
    assert ja_mail["Subject"] == "【Renkei】新しい課題「空き家の広域活用」が出されました"
    ja_text = ja_mail.get_body(("plain",)).get_content()
    assert "日本 語子 さん" in ja_text and "締切：2026年12月8日(火) 17:00" in ja_text
    assert "http://127.0.0.1:5000/proposals/4" in ja_text
    assert en_mail["Subject"] == "[Renkei] New assignment: “Using vacant houses across cities”"
    en_text = en_mail.get_body(("plain",)).get_content()
    assert "Dear Eigo Hanako," in en_text and "Due: Tue 8 Dec 2026, 17:00" in en_text
    en_html = en_mail.get_body(("html",)).get_content()
    assert '<html lang="en">' in en_html and 'href="http://127.0.0.1:5000/proposals/4"' in en_html


def test_one_click_unsubscribe_headers_name_the_kind(app, ctx, smtp) -> None:
    person = factories.participant(email="unsub@example.jp")
    with time_machine.travel(jst(1, 9), tick=False):
        publish_event("page.mention", [person], target=("page", 3), params={"title": "防災ワークスペース"})
    run(app, "deliver", jst(1, 9, 1))
    [message] = smtp.messages
    header = message["List-Unsubscribe"]
    assert header.startswith("<http://127.0.0.1:5000/unsubscribe/") and header.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = header[1:-1].rsplit("/", 1)[1]
    assert read_unsubscribe_token(app.config["SECRET_KEY"], token) == (person.id, "page.mention")
    assert header[1:-1] in message.get_body(("plain",)).get_content()


def test_quiet_hours_hold_mail_until_seven(app, ctx, smtp) -> None:
    person = factories.participant(email="night@example.jp")
    with time_machine.travel(jst(1, 23, 10), tick=False):
        publish_event("proposal.status", [person], target=("proposal", 2),
                      params={"title": "観光DX", "status": "submitted"})
    [row] = deliveries()
    assert row.next_attempt_at == jst(2, 7)
    for moment in (jst(1, 23, 11), jst(2, 3), jst(2, 6, 59)):
        run(app, "deliver", moment)
    assert smtp.messages == []
    run(app, "deliver", jst(2, 7))
    assert len(smtp.messages) == 1
    assert "「提出済み」" in smtp.messages[0]["Subject"]


def test_a_busy_server_is_retried_with_backoff_then_delivered(app, ctx, smtp) -> None:
    person = factories.participant(email="retry@example.jp")
    smtp.handler.refuse_next = 3  # 451: try again later
    with time_machine.travel(jst(1, 10), tick=False):
        publish_event("assignment.posted", [person])
    run(app, "deliver", jst(1, 10, 0))
    [row] = deliveries()
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1 and "451" in row.last_error
    assert row.next_attempt_at == jst(1, 10, 1)  # 1 minute
    run(app, "deliver", jst(1, 10, 0, ) + timedelta(seconds=30))  # not yet due: untouched
    db.session.refresh(row)
    assert row.attempts == 1
    run(app, "deliver", jst(1, 10, 1))
    db.session.refresh(row)
    assert row.attempts == 2 and row.next_attempt_at == jst(1, 10, 6)  # then 5 minutes
    run(app, "deliver", jst(1, 10, 6))
    db.session.refresh(row)
    assert row.attempts == 3 and row.next_attempt_at == jst(1, 10, 21)  # then 15 minutes
    run(app, "deliver", jst(1, 10, 21))
    db.session.refresh(row)
    assert row.status is DeliveryStatus.SENT and row.attempts == 4 and row.last_error == ""
    assert len(smtp.messages) == 1


def test_a_retry_falling_in_quiet_hours_waits_for_morning(app, ctx, smtp) -> None:
    person = factories.participant(email="late@example.jp")
    smtp.handler.refuse_next = 1
    with time_machine.travel(jst(1, 21, 59), tick=False):
        publish_event("assignment.posted", [person])
    smtp.handler.refuse_next = 4
    smtp.handler.refusal = "421 4.7.0 Too many connections"
    run(app, "deliver", jst(1, 21, 59))
    row = deliveries()[0]
    assert row.next_attempt_at == jst(2, 7)  # 22:00 is quiet: the retry waits


def test_permanent_refusal_and_exhausted_retries_end_as_failed_and_visible(app, ctx, smtp, login) -> None:
    refused = factories.participant(email="refused@example.jp", name="拒否 される")
    with time_machine.travel(jst(1, 10), tick=False):
        publish_event("assignment.posted", [refused])
    smtp.handler.refuse_next = 1
    smtp.handler.refusal = "550 5.1.1 No such mailbox"
    run(app, "deliver", jst(1, 10))
    [row] = deliveries()
    assert row.status is DeliveryStatus.FAILED and row.attempts == 1 and "550" in row.last_error

    admin = factories.admin()
    page = login(admin).get("/admin/jobs").get_data(as_text=True)
    assert "refused@example.jp" in page and "550 5.1.1 No such mailbox" in page and "再送する" in page


def test_after_the_last_attempt_the_delivery_fails_and_can_be_queued_again(app, ctx, smtp, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 2)
    person = factories.participant(email="twice@example.jp")
    with time_machine.travel(jst(1, 10), tick=False):
        publish_event("assignment.posted", [person])
    smtp.handler.refuse_next = 2
    run(app, "deliver", jst(1, 10))
    run(app, "deliver", jst(1, 10, 1))
    [row] = deliveries()
    assert row.status is DeliveryStatus.FAILED and row.attempts == 2
    run(app, "deliver", jst(1, 12))
    assert smtp.messages == []  # failed stays failed: never silently retried forever, never dropped

    from notify.services import requeue

    with time_machine.travel(jst(1, 12, 5), tick=False):
        requeue(db.session, row, now=jst(1, 12, 5))
        db.session.commit()
    run(app, "deliver", jst(1, 12, 5))
    db.session.refresh(row)
    assert row.status is DeliveryStatus.SENT and len(smtp.messages) == 1


def test_an_unreachable_server_is_a_temporary_failure(app, ctx, monkeypatch) -> None:
    from tests.factories_notify import free_port

    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens there
    person = factories.participant(email="down@example.jp")
    with time_machine.travel(jst(1, 10), tick=False):
        publish_event("assignment.posted", [person])
    run(app, "deliver", jst(1, 10))
    [row] = deliveries()
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1 and row.last_error


def test_an_interrupted_send_is_marked_failed_not_sent_again(app, ctx, smtp) -> None:
    person = factories.participant(email="crash@example.jp")
    with time_machine.travel(jst(1, 10), tick=False):
        publish_event("assignment.posted", [person])
    [row] = deliveries()
    row.status, row.claimed_at, row.attempts = DeliveryStatus.SENDING, jst(1, 10), 1  # a process died here
    db.session.commit()
    run(app, "deliver", jst(1, 10, 5))
    db.session.refresh(row)
    assert row.status is DeliveryStatus.SENDING  # another process may still be sending it
    run(app, "deliver", jst(1, 10, 20))
    db.session.refresh(row)
    assert row.status is DeliveryStatus.FAILED and "interrupted" in row.last_error
    assert smtp.messages == []


def test_hidden_actor_never_appears_in_mail(app, ctx, smtp) -> None:
    reviewer = factories.alumnus(email="secret.reviewer@example.jp", name="匿名 査読者")
    author = factories.participant(email="author@example.jp")
    with time_machine.travel(jst(1, 10), tick=False):
        publish_event("review.released", [author], target=("proposal", 9), actor=reviewer, hide_actor=True,
                      params={"title": "公共施設の相互利用", "reviewer_name": "匿名 査読者",
                              "note": "匿名 査読者 より"})
        publish_event("page.comment", [author], target=("review", 9), actor=reviewer, hide_actor=True,
                      params={"title": "査読コメント"})
    [n1, n2] = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert n1.actor_id is None and n2.actor_id is None
    assert n1.params == {"title": "公共施設の相互利用"}
    run(app, "deliver", jst(1, 10, 1))
    assert len(smtp.messages) == 1  # comments go to the daily digest by default
    raw = smtp.messages[0].as_string() + smtp.messages[0].get_body(("html",)).get_content() + \
        smtp.messages[0].get_body(("plain",)).get_content()
    for secret in ("匿名", "査読者", "secret.reviewer"):
        assert secret not in raw
    run(app, "daily-digest", jst(2, 7, 30))
    run(app, "deliver", jst(2, 7, 31))
    digest = smtp.messages[-1]
    text = digest.get_body(("plain",)).get_content()
    assert "「査読コメント」に新しいコメントがあります" in text and "匿名" not in text


def test_reminder_mail_whose_deadline_passed_in_quiet_hours_is_cancelled(app, ctx, smtp) -> None:
    person = factories.participant(email="missed@example.jp")
    with time_machine.travel(jst(1, 23), tick=False):
        publish_event("deadline.near", [person], params={"title": "課題4", "due_at": jst(2, 6).isoformat()})
    run(app, "deliver", jst(2, 7))
    [row] = deliveries()
    assert row.status is DeliveryStatus.CANCELLED and row.last_error == "deadline passed"
    assert smtp.messages == []


def test_read_in_the_app_or_unsubscribed_before_morning_means_no_mail(app, ctx, smtp) -> None:
    reader, quitter, switcher = (factories.participant(email=f"{n}@example.jp") for n in ("reader", "quitter",
                                                                                          "switcher"))
    with time_machine.travel(jst(1, 23), tick=False):
        publish_event("assignment.posted", [reader, quitter, switcher])
    for n in db.session.scalars(select(Notification).where(Notification.user_id == reader.id)):
        n.read_at = jst(1, 23, 30)
    db.session.commit()
    from notify.services import unsubscribe

    unsubscribe(db.session, quitter, "assignment.posted")
    db.session.commit()
    prefer(switcher, assignment__posted=Channel.DAILY)
    run(app, "deliver", jst(2, 7))
    assert smtp.messages == []
    reasons = {d.user_id: d.last_error for d in deliveries()}
    assert reasons[reader.id] == "already read in the app"
    assert reasons[quitter.id] == "unsubscribed"
    assert reasons[switcher.id] == "preference changed to daily"
    run(app, "daily-digest", jst(2, 7, 30))  # the switcher's notification moved to the digest
    run(app, "deliver", jst(2, 7, 31))
    assert [m["To"] for m in smtp.messages] == ["switcher@example.jp"]


def test_closed_accounts_get_nothing(app, ctx, smtp) -> None:
    person = factories.participant(email="closed@example.jp")
    with time_machine.travel(jst(1, 10), tick=False):
        publish_event("assignment.posted", [person])
    person.is_active = False
    db.session.commit()
    run(app, "deliver", jst(1, 10, 1))
    assert smtp.messages == [] and deliveries()[0].last_error == "account closed"
