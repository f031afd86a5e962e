"""The bell, the list, marking read, preferences, one-click unsubscribe and the jobs page, over HTTP."""
from __future__ import annotations

import re

from sqlalchemy import select

from core.extensions import db
from core.scheduler import run_job
from notify import services
from notify.models import Channel, Delivery, DeliveryStatus, Notification, NotificationPreference
from notify.tokens import unsubscribe_token
from tests import factories
from tests.factories_notify import publish_event


def bell(html: str) -> str:
    start = html.index('<a class="notify-bell"')
    return html[start:html.index("</a>", start)]


def bell_count(html: str) -> str | None:
    match = re.search(r'<span class="notify-count" data-unread-count( hidden)?>.*?<span data-unread-number>(\d+)</span>',
                      bell(html))
    assert match, "no bell in the header"
    return None if match.group(1) else match.group(2)


def test_the_bell_shows_the_unread_count(app, login) -> None:
    with app.app_context():
        person = factories.participant()
        publish_event("page.mention", [person], params={"title": "一"})
        publish_event("page.mention", [person], params={"title": "二"})
    client = login(person)
    listing = client.get("/notifications").get_data(as_text=True)
    assert bell_count(listing) == "2" and "data-unread-pending" not in bell(listing)
    assert re.sub(r"<[^>]+>|\s+", "", bell(listing)) == "お知らせ（未読2件）"  # what a screen reader announces
    # other pages leave the number to notify.js, which asks the API (no query on the page itself)
    home = client.get("/").get_data(as_text=True)
    assert "data-unread-pending" in bell(home) and "js/notify.js" in home
    assert client.get("/api/notifications/unread").json == {"unread": 2}


def test_the_list_reads_in_the_persons_language(app, login) -> None:
    with app.app_context():
        person = factories.participant(locale="en")
        actor = factories.facilitator(name="広域 連太郎")
        publish_event("page.comment", [person], actor=actor, target=("page", 5), url="/wiki/5",
                      params={"title": "チーム1", "title_en": "Team 1"})
    client = login(person)
    ja = client.get("/notifications?lang=ja").get_data(as_text=True)
    assert "広域 連太郎さんが「チーム1」にコメントしました" in ja and "未読" in ja
    en = client.get("/notifications?lang=en").get_data(as_text=True)
    assert "広域 連太郎 commented on “Team 1”" in en and "Mark as read" in en


def test_open_marks_read_and_goes_to_the_object(app, login) -> None:
    with app.app_context():
        person = factories.participant()
        publish_event("assignment.posted", [person], url="/cohorts/1/assignments/3")
        notification = db.session.scalar(select(Notification))
    client = login(person)
    r = client.post(f"/notifications/{notification.id}/open")
    assert r.status_code == 302 and r.headers["Location"] == "/cohorts/1/assignments/3"
    assert bell_count(client.get("/notifications").get_data(as_text=True)) is None


def test_mark_read_and_mark_all_read(app, login) -> None:
    with app.app_context():
        person = factories.participant()
        for title in ("一", "二", "三"):
            publish_event("page.mention", [person], params={"title": title})
        first = db.session.scalars(select(Notification).order_by(Notification.id)).first()
    client = login(person)
    r = client.post(f"/notifications/{first.id}/read", data={"next": "/notifications?unread=1"})
    assert r.status_code == 302 and r.headers["Location"] == "/notifications?unread=1"
    assert client.get("/api/notifications/unread").json == {"unread": 2}
    unread_page = client.get("/notifications?unread=1").get_data(as_text=True)
    assert "「一」" not in unread_page and "「二」" in unread_page
    r = client.post("/notifications/read-all", follow_redirects=True)
    assert "2件のお知らせを既読にしました。" in r.get_data(as_text=True)
    assert client.get("/api/notifications/unread").json == {"unread": 0}
    evil = client.post(f"/notifications/{first.id}/read", data={"next": "https://evil.example/"})
    assert evil.headers["Location"] == "/notifications"


def test_someone_elses_notification_is_refused(app, login) -> None:
    with app.app_context():
        owner, other = factories.participant(), factories.participant()
        publish_event("page.mention", [owner])
        notification = db.session.scalar(select(Notification))
    client = login(other)
    assert client.post(f"/notifications/{notification.id}/read").status_code == 403
    assert client.post(f"/notifications/{notification.id}/open").status_code == 403
    assert client.post("/notifications/999999/read").status_code == 404
    with app.app_context():
        assert db.session.get(Notification, notification.id).read_at is None


def test_hidden_actor_is_absent_from_the_page_source(app, login) -> None:
    with app.app_context():
        reviewer = factories.alumnus(name="覆面 査読子", email="masked@example.jp")
        author = factories.participant()
        publish_event("page.comment", [author], actor=reviewer, hide_actor=True, params={"title": "査読コメント"})
    html = login(author).get("/notifications").get_data(as_text=True)
    assert "「査読コメント」に新しいコメントがあります" in html
    assert "覆面" not in html and "masked@" not in html


def test_preferences_save_and_refuse_bad_input_at_the_field(app, login) -> None:
    with app.app_context():
        person = factories.participant()
    client = login(person)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "ページにコメントがついたとき" in page and "22時から翌朝7時まではメールを送りません" in page
    assert re.search(r'<option selected value="daily">毎日のまとめ</option>', page)
    r = client.post("/notifications/preferences", data={"kind_page__comment": "weekly",
                                                         "kind_assignment__posted": "none"})
    assert r.status_code == 302
    with app.app_context():
        prefs = services.preferences_for(db.session, person)
        assert prefs["page.comment"] is Channel.WEEKLY and prefs["assignment.posted"] is Channel.NONE
        assert prefs["review.assigned"] is Channel.IMMEDIATE  # untouched fields keep their values
    bad = client.post("/notifications/preferences?lang=ja", data={"kind_page__comment": "hourly",
                                                                  "kind_page__mention": "weekly"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "選択肢の中から選んでください。" in html
    assert re.search(r'<option selected value="weekly">毎週のまとめ</option>', html)  # what was typed stays
    with app.app_context():
        assert services.preferences_for(db.session, person)["page.mention"] is Channel.IMMEDIATE  # nothing saved
    empty = client.post("/notifications/preferences?lang=en", data={"kind_page__mention": ""})
    assert empty.status_code == 400 and "Choose how to receive these." in empty.get_data(as_text=True)


def test_one_click_unsubscribe_without_signing_in(app, client) -> None:
    with app.app_context():
        person = factories.participant(email="quit@example.jp")
        token = unsubscribe_token(app.config["SECRET_KEY"], person.id, "page.comment")
    page = client.get(f"/unsubscribe/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "quit@example.jp" in html and "「ページにコメントがついたとき」" in html
    with app.app_context():  # opening the link (mail scanners do) changes nothing
        assert services.preferences_for(db.session, person)["page.comment"] is Channel.DAILY
    r = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and "メールの配信を停止しました" in r.get_data(as_text=True)
    with app.app_context():
        assert services.preferences_for(db.session, person)["page.comment"] is Channel.NONE


def test_one_click_post_needs_no_csrf_token(app, database_url, instance_dir) -> None:
    from tests.conftest import make_app

    strict = make_app(database_url, instance_dir, WTF_CSRF_ENABLED=True)
    with strict.app_context():
        person = factories.participant()
        token = unsubscribe_token(strict.config["SECRET_KEY"], person.id, "digest.daily")
    r = strict.test_client().post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    with strict.app_context():
        assert services.preferences_for(db.session, person)["page.comment"] is Channel.NONE


def test_tampered_unsubscribe_links_are_refused(app, client) -> None:
    with app.app_context():
        victim = factories.participant()
        other = factories.participant()
        token = unsubscribe_token(app.config["SECRET_KEY"], other.id, "assignment.posted")
        forged = unsubscribe_token("another-secret-key-of-some-length-0000000", victim.id, "assignment.posted")
    payload, signature = token.split(".")
    swapped = unsubscribe_token(app.config["SECRET_KEY"], victim.id, "assignment.posted").split(".")[0]
    for bad in (f"{swapped}.{signature}", forged, token[:-2], "garbage", f"{payload}."):
        for method in ("GET", "POST"):
            r = client.open(f"/unsubscribe/{bad}", method=method)
            assert r.status_code == 400 and "リンクが正しくありません" in r.get_data(as_text=True), (bad, method)
    with app.app_context():
        assert db.session.scalars(select(NotificationPreference)).all() == []


def test_jobs_page_shows_runs_errors_and_failed_mail_and_requeues(app, login) -> None:
    from datetime import datetime

    from core.dates import TOKYO
    from core.scheduler import register_job
    from core.scheduler.registry import EXTENSION_KEY

    def broken(ctx):  # type: ignore[no-untyped-def]
        raise RuntimeError("接続できません")

    register_job(app, "t-web-broken", broken, {"hour": 2}, "壊れたジョブ")
    try:
        at = datetime(2026, 12, 1, 10, tzinfo=TOKYO)
        run_job(app, "heartbeat", fire_time=at, now=at)
        run_job(app, "t-web-broken", fire_time=at, now=at)
        with app.app_context():
            admin = factories.admin()
            person = factories.participant(email="bounce@example.jp")
            publish_event("assignment.posted", [person])
            delivery = db.session.scalar(select(Delivery))
            delivery.status, delivery.attempts, delivery.last_error = DeliveryStatus.FAILED, 6, "451 mailbox busy"
            db.session.commit()
        client = login(admin)
        html = client.get("/admin/jobs").get_data(as_text=True)
        for expected in ("heartbeat", "deliver", "daily-digest", "backup", "動作中", "RuntimeError: 接続できません",
                         "bounce@example.jp", "451 mailbox busy", "再送する"):
            assert expected in html, expected
        r = client.post(f"/admin/jobs/deliveries/{delivery.id}/retry", follow_redirects=True)
        assert "メールを再送の列に戻しました" in r.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(Delivery, delivery.id).status is DeliveryStatus.PENDING
        again = client.post(f"/admin/jobs/deliveries/{delivery.id}/retry", follow_redirects=True)
        assert "再送の対象ではありません" in again.get_data(as_text=True)
        en = client.get("/admin/jobs?lang=en").get_data(as_text=True)
        assert "Jobs and e-mail" in en and "Send the e-mails that are due" in en
    finally:
        app.extensions[EXTENSION_KEY].pop("t-web-broken")


def test_jobs_page_warns_when_the_scheduler_is_silent(app, login) -> None:
    with app.app_context():
        admin = factories.admin()
    html = login(admin).get("/admin/jobs").get_data(as_text=True)
    assert "応答の記録がありません" in html


def test_demo_data_gives_the_demo_accounts_notifications(app) -> None:
    from core.cli import load_demo, run_sync

    with app.app_context():
        run_sync(app)
        ctx = load_demo(app)
        participant = ctx.made["user:participant"]
        assert services.unread_count(db.session, participant.id) >= 2
        rows = db.session.scalars(select(Notification).where(Notification.user_id == participant.id)).all()
        assert any(n.read_at is not None for n in rows) and any(n.read_at is None for n in rows)
        assert services.preferences_for(db.session, ctx.made["user:alumnus"])["page.comment"] is Channel.WEEKLY
        assert db.session.scalar(select(NotificationPreference).where(
            NotificationPreference.user_id == participant.id)) is not None
        pending = db.session.scalars(select(Delivery).where(Delivery.status == DeliveryStatus.PENDING)).all()
        assert pending == []  # old demo events were e-mailed back then, not again at start-up
        assert len(ctx.made["notifications"]) >= 8
