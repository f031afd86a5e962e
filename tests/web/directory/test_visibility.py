"""A hidden field is never shown, matched by someone else's search or filter, nor exported in the API."""
from __future__ import annotations

import pytest

from core.extensions import db
from directory.models import Visibility
from people.models import Role
from tests import factories
from tests import factories_directory as fd

SECRET_DEPARTMENT = "危機管理部 秘匿課"
SECRET_INTEREST = "潜水調査"

# viewer -> visibilities under which the viewer sees the owner's hidden field
SEES = {
    "member": {Visibility.MEMBERS},
    "cohort_mate": {Visibility.MEMBERS, Visibility.COHORT},
    "city_mate": {Visibility.MEMBERS, Visibility.CITY},
    "city_coordinator": {Visibility.MEMBERS, Visibility.CITY},
    "withdrawn_mate": {Visibility.MEMBERS},
    "admin": set(Visibility),
    "owner": set(Visibility),
}


@pytest.fixture()
def world(app):  # type: ignore[no-untyped-def]
    from curriculum.models import EnrolmentStatus

    with app.app_context():
        owner = factories.alumnus(factories.FUJISAWA, name="秘密 守", name_kana="ひみつ まもる")
        fd.enrol(owner, 2024)
        people = {
            "owner": owner,
            "member": factories.alumnus(factories.MACHIDA, name="無関係 一"),
            "cohort_mate": factories.alumnus(factories.YAMATO, name="同期 二"),
            "city_mate": factories.alumnus(factories.FUJISAWA, name="同市 三"),
            "city_coordinator": factories.coordinator(factories.FUJISAWA, name="藤沢 担当"),
            "withdrawn_mate": factories.alumnus(factories.ZUSHI, name="辞退 四"),
            "admin": factories.admin(name="事務 局", city_code=factories.KAMAKURA),
        }
        fd.enrol(people["cohort_mate"], 2024)
        fd.enrol(people["city_mate"], 2023)
        fd.enrol(people["withdrawn_mate"], 2024, EnrolmentStatus.WITHDRAWN)
        fd.affiliation(owner, SECRET_DEPARTMENT, "主任")
        ids = {k: (v.id, v.get_id()) for k, v in people.items()}
    return ids  # outside the app context: each request then signs in afresh


def _set(app, owner_id: int, visibility: Visibility) -> None:  # type: ignore[no-untyped-def]
    from people.models import User

    with app.app_context():
        owner = db.session.get(User, owner_id)
        fd.profile(owner, interests=SECRET_INTEREST, bio="秘密の自己紹介", contact_email="himitsu@example.jp",
                   hide={"department": visibility, "interests": visibility, "bio": visibility, "contact": visibility})


def _client(app, session_id: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = session_id
        sess["_fresh"] = True
    return client


@pytest.mark.parametrize("visibility", list(Visibility), ids=[v.value for v in Visibility])
@pytest.mark.parametrize("viewer", list(SEES))
def test_hidden_fields_everywhere(app, world, visibility: Visibility, viewer: str) -> None:
    owner_id = world["owner"][0]
    _set(app, owner_id, visibility)
    client = _client(app, world[viewer][1])
    sees = visibility in SEES[viewer]

    page = client.get(f"/directory/{owner_id}").get_data(as_text=True)
    assert "秘密 守" in page  # the name is always visible
    assert (SECRET_DEPARTMENT in page) is sees
    assert (SECRET_INTEREST in page) is sees
    assert ("秘密の自己紹介" in page) is sees
    assert ("himitsu@example.jp" in page) is sees

    listing = client.get("/directory?q=ひみつ").get_data(as_text=True)
    assert "秘密 守" in listing and (SECRET_DEPARTMENT in listing) is sees

    # Two terms: the hidden one may drive the search or be checked per person (directory/search.py).
    for query in ("秘匿課", "秘匿", "hitoku", "潜水", "ひみつ 秘匿課", "秘匿課 ひみつ", "主任 秘匿"):
        found = "秘密 守" in client.get(f"/directory?q={query}").get_data(as_text=True)
        if query != "hitoku":
            assert found is sees, query
        api = client.get(f"/api/v1/people?q={query}").json
        assert (owner_id in [p["id"] for p in api["items"]]) is (sees and query != "hitoku"), query

    filtered = client.get("/directory?department=秘匿課").get_data(as_text=True)
    assert ("秘密 守" in filtered) is sees
    by_interest = client.get(f"/directory?interest={SECRET_INTEREST}").get_data(as_text=True)
    assert ("秘密 守" in by_interest) is sees
    api_filter = client.get(f"/api/v1/people?interest={SECRET_INTEREST}").json
    assert (owner_id in [p["id"] for p in api_filter["items"]]) is sees

    detail = client.get(f"/api/v1/people/{owner_id}").json
    assert ("department" in detail) is sees and ("interests" in detail) is sees
    assert ("bio" in detail) is sees and ("contact" in detail) is sees
    assert (SECRET_DEPARTMENT in str(detail)) is sees
    listed = client.get("/api/v1/people?q=ひみつ").json["items"]
    assert len(listed) == 1 and ("department" in listed[0]) is sees


def test_secretariat_export_contains_hidden_fields_and_nobody_else_can_export(app, world) -> None:
    _set(app, world["owner"][0], Visibility.SECRETARIAT)
    assert _client(app, world["member"][1]).get("/admin/directory/export.csv").status_code == 403
    response = _client(app, world["admin"][1]).get("/admin/directory/export.csv")
    assert response.status_code == 200, response.get_data(as_text=True)[-800:]
    body = response.data.decode("utf-8-sig")
    assert SECRET_DEPARTMENT in body and SECRET_INTEREST in body


def test_own_download_holds_everything(app, world) -> None:
    _set(app, world["owner"][0], Visibility.SECRETARIAT)
    data = _client(app, world["owner"][1]).get("/me/data.json").json
    assert data["affiliations"][0]["department"] == SECRET_DEPARTMENT
    assert data["interests"] == [SECRET_INTEREST] and data["profile"]["visibility"]["department"] == "secretariat"
    assert data["cohorts"][0]["fiscal_year"] == 2024 and data["account"]["name"] == "秘密 守"


def test_changing_visibility_back_makes_the_field_searchable_again(app, world) -> None:
    owner_id = world["owner"][0]
    client = _client(app, world["member"][1])
    _set(app, owner_id, Visibility.CITY)
    assert "秘密 守" not in client.get("/directory?q=秘匿課").get_data(as_text=True)
    _set(app, owner_id, Visibility.MEMBERS)
    assert "秘密 守" in client.get("/directory?q=秘匿課").get_data(as_text=True)


def test_role_filter_and_cohort_filter_pages(app, world) -> None:
    client = _client(app, world["member"][1])
    page = client.get("/directory?fy=2024&role=alumnus").get_data(as_text=True)
    assert "秘密 守" in page and "同期 二" in page and "同市 三" not in page
    assert client.get("/directory?fy=abc").status_code == 400
    assert Role.ALUMNUS.value  # the enum value used in the query string
