"""Cohort pages: opening a year, nominating within places, withdrawing, closing. Bad input stays typed."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from core.extensions import db
from curriculum.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from people.models import Role, User
from tests import factories
from tests import factories_curriculum as fc


def _places_form(cities, places: int = 3) -> dict[str, str]:  # type: ignore[no-untyped-def]
    data = {}
    for i, city in enumerate(sorted(cities, key=lambda c: (c.sort_order, c.code))):
        data[f"places-{i}-city_id"] = str(city.id)
        data[f"places-{i}-places"] = str(places)
    return data


def test_the_secretariat_opens_a_year(app, login) -> None:
    with app.app_context():
        admin = factories.admin()
        facilitator = factories.facilitator(name="広域 連太郎")
        cities = list(factories.cities().values())
    client = login(admin)
    form = client.get("/cohorts/new").get_data(as_text=True)
    assert "広域 連太郎" in form and "横浜市" in form
    data = {"fiscal_year": "2026", "facilitators": str(facilitator.id), **_places_form(cities)}
    r = client.post("/cohorts/new", data=data)
    assert r.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort))
        assert (
            cohort.title_ja == "令和8年度 8市連携スタディミーティング"
            and cohort.status is CohortStatus.PLANNED
        )
        assert [f.user_id for f in cohort.facilitators] == [facilitator.id]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "令和8年度 8市連携スタディミーティング" in page and "期を開始する" in page
    # The same year again: refused at the field, what was typed is still there, nothing duplicated.
    again = client.post("/cohorts/new", data={**data, "title_ja": "二重の期"})
    body = again.get_data(as_text=True)
    assert again.status_code == 400
    assert re.search(r'id="fiscal_year-error"><li>令和8年度の期は既にあります。', body)
    assert 'value="二重の期"' in body
    with app.app_context():
        assert db.session.scalar(select(func.count(Cohort.id))) == 1


def test_places_cannot_drop_below_enrolled_and_the_message_is_at_the_city(app, login) -> None:
    with app.app_context():
        admin = factories.admin()
        cohort = fc.cohort()
        for _ in range(2):
            fc.participant_in(cohort)
        cities = list(factories.cities().values())
        cohort_id = cohort.id
    data = {"title_ja": "令和8年度", **_places_form(cities)}
    data["places-0-places"] = "1"  # Yokohama comes first
    r = login(admin).post(f"/cohorts/{cohort_id}/edit", data=data)
    body = r.get_data(as_text=True)
    assert r.status_code == 400
    assert re.search(r'id="places-0-places-error"><li>既に2名が参加しているため', body)
    assert 'value="令和8年度"' in body


def test_a_coordinator_cannot_overfill_and_keeps_the_list(app, login, outbox) -> None:
    with app.app_context():
        cohort = fc.cohort(places=2)
        coordinator = factories.coordinator(factories.YOKOHAMA)
        yokohama = factories.city(factories.YOKOHAMA)
        cohort_id = cohort.id
    client = login(coordinator)
    page = client.get(f"/cohorts/{cohort_id}/nominate").get_data(as_text=True)
    assert "横浜市" in page and "川崎市</option>" not in page  # only their own city to choose
    listing = "a@city.example.jp, 佐藤 花子, さとう はなこ\nb@city.example.jp, 鈴木 一郎\nc@city.example.jp, 高橋 美咲"
    r = client.post(f"/cohorts/{cohort_id}/nominate", data={"city": str(yokohama.id), "nominees": listing})
    body = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "横浜市の枠は2名で、残りは2名です（3名が入力されています）。" in body
    assert "b@city.example.jp, 鈴木 一郎" in body
    with app.app_context():
        assert db.session.scalar(select(func.count(Enrolment.id))) == 0
    r = client.post(
        f"/cohorts/{cohort_id}/nominate",
        data={"city": str(yokohama.id), "nominees": "\n".join(listing.splitlines()[:2])},
    )
    assert r.status_code == 302
    assert sorted(m["To"] for m in outbox) == ["a@city.example.jp", "b@city.example.jp"]
    assert "/invitation/" in outbox[0].get_body(("plain",)).get_content()
    with app.app_context():
        assert db.session.scalar(select(func.count(Enrolment.id))) == 2


def test_nomination_lines_are_checked_one_by_one(app, login) -> None:
    with app.app_context():
        cohort = fc.cohort()
        admin = factories.admin()
        city_id = factories.city().id
    r = login(admin).post(
        f"/cohorts/{cohort.id}/nominate",
        data={"city": str(city_id), "nominees": "not-an-email, 佐藤 花子\nx@city.example.jp, 佐藤花子"},
    )
    body = r.get_data(as_text=True)
    assert r.status_code == 400
    assert (
        "1行目：メールアドレスの形式が正しくありません。" in body and "2行目：氏名は姓と名の間に空白" in body
    )


def test_a_coordinator_cannot_nominate_for_another_city(app, login) -> None:
    with app.app_context():
        cohort = fc.cohort()
        coordinator = factories.coordinator(factories.YOKOHAMA)
        kawasaki = factories.city(factories.KAWASAKI).id
    r = login(coordinator).post(
        f"/cohorts/{cohort.id}/nominate",
        data={"city": str(kawasaki), "nominees": "k@city.example.jp, 川崎 一郎"},
    )
    assert r.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(Enrolment.id))) == 0


def test_a_participant_withdraws_and_the_record_stays(app, login) -> None:
    with app.app_context():
        cohort = fc.cohort()
        person = fc.participant_in(cohort)
        enrolment_id = db.session.scalar(select(Enrolment.id))
    client = login(person)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "参加を辞退する" in page
    r = client.post(f"/enrolments/{enrolment_id}/withdraw")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    with app.app_context():
        assert db.session.get(Enrolment, enrolment_id).status is EnrolmentStatus.WITHDRAWN


def test_closing_a_year_from_the_page(app, login) -> None:
    with app.app_context():
        cohort = fc.cohort()
        person = fc.participant_in(cohort, name="修了 予定")
        admin = factories.admin()
    client = login(admin)
    assert "修了 予定" in client.get(f"/cohorts/{cohort.id}/close").get_data(as_text=True)
    assert client.post(f"/cohorts/{cohort.id}/close").status_code == 302
    with app.app_context():
        assert db.session.get(User, person.id).has_role(Role.ALUMNUS)
    assert "期を終了する" not in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)


def test_the_secretariat_sees_every_city_at_a_glance(app, login) -> None:
    with app.app_context():
        cohort = fc.cohort(places=3)
        fc.participant_in(cohort, factories.MACHIDA, name="町田 太郎")
        admin = factories.admin()
        coordinator = factories.coordinator(factories.YOKOHAMA)
    page = login(admin).get(f"/cohorts/{cohort.id}/enrolment").get_data(as_text=True)
    assert page.count("/ 3</td>") >= 8 and "町田 太郎" in page and "1 / 24" in page
    own = login(coordinator).get(f"/cohorts/{cohort.id}/enrolment").get_data(as_text=True)
    assert "町田 太郎" not in own and "横浜市" in own  # a coordinator sees their own city only
