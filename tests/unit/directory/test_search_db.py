"""Directory search through the real database (SQLite and PostgreSQL): core.search's table, and our own."""
from __future__ import annotations

from datetime import date

import pytest

from core.extensions import db
from core.search import matches, person_search_key
from directory import services
from directory.search import Filters, matching_ids, search
from directory.visibility import Viewer
from people.models import Role, User
from tests import factories
from tests import factories_directory as fd
from tests.unit.core.test_search import CASES, PEOPLE


def _people_from_core_table() -> dict[str, int]:
    ids = {}
    for pid, (name, kana, romaji, extras) in PEOPLE.items():
        user = factories.user(Role.ALUMNUS, name=name, name_kana=kana, commit=False)
        for n, extra in enumerate(extras):
            fd.affiliation(user, extra, valid_from=date(2020 + n, 4, 1), commit=False)
        fd.profile(user, romaji=romaji or "", commit=False)
        ids[pid] = user.id
    db.session.commit()
    return ids


def test_core_table_through_the_database(session) -> None:
    """Every case of tests/unit/core/test_search.py, answered by SQL instead of the oracle."""
    ids = _people_from_core_table()
    admin = Viewer.of(factories.admin(name="管理 者", city_code=None))
    failures = []
    for pid, query, expected in CASES:
        found = ids[pid] in matching_ids(session, admin, query)
        if found is not expected:
            failures.append(f"{query!r} for {pid}: expected {expected}, got {found}")
    assert failures == []
    assert len(CASES) >= 121


def test_database_agrees_with_the_oracle_for_everyone(session) -> None:
    """For each query, the SQL result is exactly the set the reference matcher accepts."""
    ids = _people_from_core_table()
    admin_user = factories.admin(name="管理 者", city_code=None)
    admin = Viewer.of(admin_user)
    keys = {ids[pid]: person_search_key(n, k, r, e) for pid, (n, k, r, e) in PEOPLE.items()}
    keys[admin_user.id] = person_search_key(admin_user.name, "", None)
    for query in sorted({q for _, q, _ in CASES}):
        expected = {uid for uid, key in keys.items() if matches(query, key)}
        assert matching_ids(session, admin, query) == expected, query


# Our own table: (query, names expected) over a small directory; every other person must NOT match.
DIRECTORY: list[tuple[str, str, str, str, str]] = [
    # name, reading, department, position, interests
    ("佐藤 花子", "さとう はなこ", "危機管理部 防災課", "主任", "防災、DX"),
    ("加藤 太郎", "かとう たろう", "経済局 観光振興課", "主事", "観光"),
    ("髙橋 一郎", "たかはし いちろう", "総務局 人事課", "係長", "人材育成"),
    ("高橋 美咲", "たかはし みさき", "都市整備局 都市計画課", "技師", "地域交通、MaaS"),
    ("齋藤 優子", "さいとう ゆうこ", "健康福祉局 高齢福祉課", "主査", "医療・介護"),
    ("斎藤 健太", "さいとう けんた", "デジタル統括本部 DX推進課", "主任", "オープンデータ"),
    ("大野 洋子", "おおの ようこ", "こども青少年局 子育て支援課", "主事", "子育て"),
    ("小野 誠", "おの まこと", "環境創造局 脱炭素推進課", "主任", "脱炭素、防災"),
    ("難波 隼人", "なんば はやと", "道路局 道路維持課", "主任技師", "インフラ"),
    ("五島 咲", "ごとう さき", "市民局 市民協働推進課", "主事", "公民連携"),
]

OWN_CASES: list[tuple[str, set[str]]] = [
    ("さとう", {"佐藤 花子"}),
    ("かとう", {"加藤 太郎"}),
    ("サトウ", {"佐藤 花子"}),
    ("ｻﾄｳ", {"佐藤 花子"}),
    ("sato", {"佐藤 花子"}),
    ("satou", {"佐藤 花子"}),
    ("satoh", {"佐藤 花子"}),
    ("Satō", {"佐藤 花子"}),
    ("kato", {"加藤 太郎"}),
    ("hanako sato", {"佐藤 花子"}),
    ("satohanako", {"佐藤 花子"}),
    ("花子 佐藤", {"佐藤 花子"}),
    ("佐藤花子", {"佐藤 花子"}),
    ("高橋", {"髙橋 一郎", "高橋 美咲"}),
    ("髙橋", {"髙橋 一郎", "高橋 美咲"}),
    ("たかはし", {"髙橋 一郎", "高橋 美咲"}),
    ("takahashi misaki", {"高橋 美咲"}),
    ("斎藤", {"齋藤 優子", "斎藤 健太"}),
    ("齊藤", {"齋藤 優子", "斎藤 健太"}),
    ("saitou", {"齋藤 優子", "斎藤 健太"}),
    ("ono", {"大野 洋子", "小野 誠"}),
    ("おの", {"大野 洋子", "小野 誠"}),
    ("おおの", {"大野 洋子"}),
    ("小野", {"小野 誠"}),
    ("namba", {"難波 隼人"}),
    ("nanba", {"難波 隼人"}),
    ("五島", {"五島 咲"}),
    ("ごとう", {"五島 咲"}),
    ("goto", {"五島 咲"}),
    ("藤", {"佐藤 花子", "加藤 太郎", "齋藤 優子", "斎藤 健太"}),
    ("島", {"五島 咲"}),
    ("防災", {"佐藤 花子", "小野 誠"}),
    ("防災課", {"佐藤 花子"}),
    ("危機管理", {"佐藤 花子"}),
    ("観光", {"加藤 太郎"}),
    ("dx", {"佐藤 花子", "斎藤 健太"}),
    ("ＤＸ推進", {"斎藤 健太"}),
    ("maas", {"高橋 美咲"}),
    ("子育て", {"大野 洋子"}),
    ("係長", {"髙橋 一郎"}),
    ("主任技師", {"難波 隼人"}),
    ("佐藤 防災", {"佐藤 花子"}),
    ("小野 防災", {"小野 誠"}),
    ("子育て 防災", set()),
    ("佐藤 観光", set()),
    ("すずき", set()),
    ("suzuki", set()),
    ("たいすけ", set()),
    ("課佐藤", set()),
    ("子さとう", set()),
    ("%", set()),
    ("q", set()),
    ("橋一", {"髙橋 一郎"}),
    ("はやと なんば", {"難波 隼人"}),
    ("", {n for n, *_ in DIRECTORY}),
]


@pytest.fixture()
def directory(session):  # type: ignore[no-untyped-def]
    people = {}
    for name, kana, dep, pos, interests in DIRECTORY:
        user = factories.user(Role.ALUMNUS, name=name, name_kana=kana, commit=False)
        fd.affiliation(user, dep, pos, commit=False)
        fd.profile(user, interests=interests, commit=False)
        people[user.id] = name
    db.session.commit()
    return people


def test_own_table_is_big_with_negatives() -> None:
    assert len(OWN_CASES) >= 50
    assert sum(1 for _q, names in OWN_CASES if len(names) < len(DIRECTORY)) >= 40


def test_own_table(session, directory) -> None:
    member = Viewer.of(factories.user(Role.ALUMNUS, name="閲覧 者", city_code=factories.MACHIDA))
    failures = []
    for query, expected in OWN_CASES:
        found = {directory[i] for i in matching_ids(session, member, query) if i in directory}
        if found != expected:
            failures.append(f"{query!r}: expected {sorted(expected)}, got {sorted(found)}")
    assert failures == []


def test_exact_name_ranks_first_and_pages(session, directory) -> None:
    viewer = Viewer.of(factories.admin(name="管理 者"))
    result = search(session, viewer, "おの")
    names = [directory[i] for i in result.ids]
    assert names[0] == "小野 誠" and set(names) == {"小野 誠", "大野 洋子"}
    result = search(session, viewer, "", per_page=4, page=2)
    assert result.total == len(DIRECTORY) + 1 and len(result.ids) == 4 and result.pages == 3
    assert search(session, viewer, "", page=99).ids == []


def test_a_big_match_is_capped_and_said_so(session, directory, monkeypatch) -> None:
    """Beyond CAP people the count stops ("1,000+"), pages cover the first CAP found, exact first."""
    from directory import search as search_module

    viewer = Viewer.of(factories.admin(name="管理 者"))
    everyone = matching_ids(session, viewer, "a")  # most romaji here have an a (exact, no cap)
    assert len(everyone) >= 5
    monkeypatch.setattr(search_module, "CAP", 3)
    result = search(session, viewer, "a", per_page=2)
    assert result.capped and result.total == 3 and result.pages == 2 and len(result.ids) == 2
    assert set(result.ids) <= everyone
    rest = search(session, viewer, "a", per_page=2, page=2)
    assert len(rest.ids) == 1 and not set(rest.ids) & set(result.ids)
    assert search(session, viewer, "a", per_page=2, page=3).ids == []
    small = search(session, viewer, "sato")
    assert not small.capped and small.total == 1
    listing = search(session, viewer, "", per_page=2)
    assert listing.capped and listing.total == 3
    assert matching_ids(session, viewer, "a") == everyone  # matching_ids is never capped


def test_filters(session, directory) -> None:
    viewer = Viewer.of(factories.admin(name="管理 者", city_code=None))
    by_name = {v: k for k, v in directory.items()}
    alum = db.session.get(User, by_name["五島 咲"])
    fd.enrol(alum, 2023)
    assert {directory[i] for i in matching_ids(session, viewer, "", Filters(fiscal_year=2023))} == {"五島 咲"}
    assert {directory[i] for i in matching_ids(session, viewer, "", Filters(interest="防災")) if i in directory} == {
        "佐藤 花子", "小野 誠"}
    assert {directory[i] for i in matching_ids(session, viewer, "", Filters(department="防災課"))} == {"佐藤 花子"}
    assert matching_ids(session, viewer, "", Filters(role=Role.ADMIN)) == {viewer.user_id}
    city = factories.city(factories.YOKOHAMA)
    assert matching_ids(session, viewer, "さとう", Filters(city_id=city.id)) == {by_name["佐藤 花子"]}
    assert matching_ids(session, viewer, "さとう", Filters(city_id=factories.city(factories.ZUSHI).id)) == set()


def test_anonymised_and_inactive_people_are_not_listed(session, directory) -> None:
    viewer = Viewer.of(factories.admin(name="管理 者"))
    by_name = {v: k for k, v in directory.items()}
    person = db.session.get(User, by_name["加藤 太郎"])
    person.is_active = False
    db.session.commit()
    assert matching_ids(session, viewer, "かとう") == set()


def test_renaming_reindexes_the_name(session) -> None:
    user = factories.alumnus(name="旧姓 花子", name_kana="きゅうせい はなこ")
    viewer = Viewer.of(factories.admin(name="管理 者"))
    assert matching_ids(session, viewer, "kyusei") == {user.id}
    user.name, user.name_kana = "新姓 花子", "しんせい はなこ"
    db.session.commit()
    assert matching_ids(session, viewer, "kyusei") == set()
    assert matching_ids(session, viewer, "しんせい") == {user.id}
    assert services.get_profile(session, user).romaji == "Shinsei Hanako"
