"""Signing in and out, invitations, password reset, account settings — through HTTP."""
from __future__ import annotations

import re
from datetime import timedelta

from core.dates import utcnow
from core.extensions import db
from people import services
from people.models import Role, User
from tests import factories


def _link(message) -> str:  # type: ignore[no-untyped-def]
    body = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+", body).group(0).replace("http://localhost", "")


def test_login_logout_and_session_rotation(app, client) -> None:
    with app.app_context():
        factories.user(email="in@example.jp", name="入室 一")
    with client.session_transaction() as sess:
        sess["planted"] = "attacker"
    r = client.post("/login", data={"email": "in@example.jp", "password": factories.PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    with client.session_transaction() as sess:
        assert "planted" not in sess  # nothing from before sign-in survives
    assert "入室 一" in client.get("/").get_data(as_text=True)
    assert client.get("/logout").status_code == 405  # logout only by POST
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_address_give_the_same_answer(app, client) -> None:
    with app.app_context():
        factories.user(email="known@example.jp")
    a = client.post("/login", data={"email": "known@example.jp", "password": "nope"}).get_data(as_text=True)
    b = client.post("/login", data={"email": "unknown@example.jp", "password": "nope"}).get_data(as_text=True)
    msg = "メールアドレスまたはパスワードが正しくありません。"
    assert msg in a and msg in b
    assert 'value="known@example.jp"' in a  # what was typed is kept (not the password)
    assert 'value="nope"' not in a


def test_login_form_errors_are_shown_at_the_field_in_english(app, client) -> None:
    r = client.post("/login?lang=en", data={"email": "not-an-address", "password": ""})
    html = r.get_data(as_text=True)
    assert "This is not a valid e-mail address." in html
    assert "This field is required." in html
    assert 'value="not-an-address"' in html


def test_next_only_goes_to_same_site_paths(app, client) -> None:
    with app.app_context():
        factories.user(email="n@example.jp")
    for target, expected in [("/account", "/account"), ("https://evil.example/", "/"), ("//evil.example/", "/"),
                             ("/\\evil.example", "/")]:
        c = app.test_client()
        r = c.post(f"/login?next={target}", data={"email": "n@example.jp", "password": factories.PASSWORD})
        assert r.headers["Location"] == expected, target


def test_anonymous_visitor_is_sent_to_login_with_next(client) -> None:
    r = client.get("/account")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/account")


def test_password_change_signs_out_other_sessions(app, login) -> None:
    with app.app_context():
        user = factories.user(email="pw@example.jp")
    here, elsewhere = login(user), login(user)
    r = here.post("/account/password", data={"current_password": factories.PASSWORD,
                                             "new_password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert r.status_code == 302
    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302  # old cookie no longer valid


def test_password_change_errors_keep_the_page(app, login) -> None:
    with app.app_context():
        user = factories.user()
    r = login(user).post("/account/password", data={"current_password": "wrong", "new_password": "a brand new passphrase",
                                                    "confirm": "a brand new passphrase"})
    assert r.status_code == 400
    assert "現在のパスワードが正しくありません。" in r.get_data(as_text=True)


def test_language_choice_is_saved_and_used(app, login) -> None:
    with app.app_context():
        user = factories.user()
    c = login(user)
    assert "アカウント設定" in c.get("/account").get_data(as_text=True)
    c.post("/account/language", data={"locale": "en"})
    assert "Account settings" in c.get("/account").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).locale == "en"


def _without_csrf(page: str) -> str:
    return re.sub(r'(name="csrf-token" content|name="csrf_token"[^>]*value)="[^"]*"', r'\1=""', page)


def test_forgot_password_flow_is_neutral_and_single_use(app, client, outbox) -> None:
    with app.app_context():
        factories.user(email="reset@example.jp")
    known = client.post("/password/forgot", data={"email": "reset@example.jp"}).get_data(as_text=True)
    unknown = client.post("/password/forgot", data={"email": "ghost@example.jp"}).get_data(as_text=True)
    # The CSRF token carries a timestamp, so two pages a second apart differ only there.
    assert _without_csrf(known) == _without_csrf(unknown)
    assert len(outbox) == 1 and outbox[0]["To"] == "reset@example.jp"
    link = _link(outbox[0])
    r = client.post(link, data={"password": "short", "confirm": "short"})
    assert r.status_code == 200 and "12" in r.get_data(as_text=True)
    r = client.post(link, data={"password": "my new long passphrase", "confirm": "my new long passphrase"})
    assert r.status_code == 302
    assert client.post(link, data={"password": "my new long passphrase", "confirm": "my new long passphrase"}
                       ).status_code == 400  # the link works once
    r = client.post("/login", data={"email": "reset@example.jp", "password": "my new long passphrase"})
    assert r.headers["Location"] == "/"


def test_expired_reset_link_is_refused(app, client) -> None:
    with app.app_context():
        factories.user(email="old@example.jp")
        issued = services.request_password_reset(db.session, "old@example.jp", now=utcnow() - timedelta(hours=3),
                                                 hours=2)
        db.session.commit()
    assert client.get(f"/password/reset/{issued.raw}").status_code == 400


def test_admin_invites_a_coordinator_who_sets_a_password(app, login, client, outbox) -> None:
    with app.app_context():
        admin = factories.admin()
        kawasaki = factories.city(factories.KAWASAKI)
    r = login(admin).post("/invitations", data={"email": "coord@example.jp", "name": "川崎 担子",
                                                "name_kana": "かわさき たんこ", "role": "coordinator",
                                                "city": str(kawasaki.id)})
    assert r.status_code == 302
    link = _link(outbox[-1])
    r = client.post(link, data={"password": "welcome to renkei!", "confirm": "welcome to renkei!"})
    assert r.status_code == 302
    with app.app_context():
        user = services.get_user_by_email(db.session, "coord@example.jp")
        assert user.coordinator_city_ids() == {kawasaki.id}
        assert user.name_kana == "かわさき たんこ"


def test_coordinator_invites_only_participants_of_their_own_city(app, login) -> None:
    with app.app_context():
        coordinator = factories.coordinator(factories.YOKOHAMA)
        yokohama, kawasaki = factories.city(factories.YOKOHAMA), factories.city(factories.KAWASAKI)
    c = login(coordinator)
    ok = c.post("/invitations", data={"email": "p1@example.jp", "name": "横浜 一", "role": "participant",
                                      "city": str(yokohama.id)})
    assert ok.status_code == 302
    other_city = c.post("/invitations", data={"email": "p2@example.jp", "name": "川崎 二", "role": "participant",
                                              "city": str(kawasaki.id)})
    assert other_city.status_code == 400
    facilitator = c.post("/invitations", data={"email": "f@example.jp", "name": "進行 三", "role": "facilitator",
                                               "city": str(yokohama.id)})
    assert facilitator.status_code == 400
    html = facilitator.get_data(as_text=True)
    assert 'value="f@example.jp"' in html  # typed input survives the refusal
    with app.app_context():
        from sqlalchemy import select

        from people.models import Invitation
        assert [i.email for i in db.session.scalars(select(Invitation))] == ["p1@example.jp"]


def test_invite_form_requires_city_for_coordinators(app, login) -> None:
    with app.app_context():
        admin = factories.admin()
    r = login(admin).post("/invitations", data={"email": "c@example.jp", "name": "担当 者", "role": "coordinator"})
    assert r.status_code == 400
    assert "各市担当者には市を選んでください。" in r.get_data(as_text=True)


def test_email_change_is_confirmed_from_the_new_address(app, login, outbox) -> None:
    with app.app_context():
        user = factories.user(email="before@example.jp")
    c = login(user)
    r = c.post("/account/email", data={"email": "after@example.jp", "password": factories.PASSWORD})
    assert r.status_code == 302 and outbox[-1]["To"] == "after@example.jp"
    link = _link(outbox[-1])
    assert c.get(link).status_code == 200  # GET only shows a button
    with app.app_context():
        assert db.session.get(User, user.id).email == "before@example.jp"
    assert c.post(link).status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).email == "after@example.jp"


def test_role_labels_and_nav_follow_policy(app, login) -> None:
    with app.app_context():
        admin, participant = factories.admin(), factories.participant()
    admin_html = login(admin).get("/").get_data(as_text=True)
    participant_html = login(participant).get("/").get_data(as_text=True)
    assert "/admin/people" in admin_html and "/invitations" in admin_html
    assert "/admin/people" not in participant_html and "/invitations" not in participant_html


def test_users_create_cli(app) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "--email", "First@Example.jp", "--name", "最初 の管理者",
                                 "--role", "admin", "--password-stdin"], input="an admin passphrase\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = services.get_user_by_email(db.session, "first@example.jp")
        assert user.has_role(Role.ADMIN) and services.verify_password(user, "an admin passphrase")
    weak = runner.invoke(args=["users", "create", "--email", "x@example.jp", "--name", "x", "--role", "admin",
                               "--password-stdin"], input="short\n")
    assert weak.exit_code != 0
    bad_city = runner.invoke(args=["users", "create", "--email", "y@example.jp", "--name", "y", "--role",
                                   "coordinator", "--city", "999999"])
    assert bad_city.exit_code != 0
