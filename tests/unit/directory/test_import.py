"""CSV import: real files in CP932 and UTF-8 (with and without BOM), broken files, all-or-nothing, idempotent."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from core.dates import utcnow
from core.extensions import db
from curriculum.models import Enrolment
from directory import importing
from directory.models import Affiliation, ProfileTag
from directory.search import matching_ids
from directory.visibility import Viewer
from people.models import AuditEntry, Role, User
from tests import factories
from tests import factories_directory as fd

TODAY = date(2026, 11, 25)
HEADER = "email,name,name_kana,city,department,position,cohort_fy,interests\r\n"
GOOD = (HEADER
        + "sato.hanako@example.jp,佐藤 花子,さとう はなこ,141003,危機管理部 防災課,主任,2024,防災;DX\r\n"
        + "Kato.Taro@example.jp,加藤 太郎,カトウ タロウ,川崎市,経済局 観光振興課,主事,R6,観光\r\n"
        + "takahashi@example.jp,髙橋 一郎,たかはし いちろう,Fujisawa,,,,\r\n")


def _check(session, text: str, encoding: str = "utf-8") -> importing.Report:  # type: ignore[no-untyped-def]
    return importing.check(session, text.encode(encoding), today=TODAY)


@pytest.fixture()
def cohort(session):  # type: ignore[no-untyped-def]
    factories.cities()
    row = fd.cohort(2024)
    db.session.commit()
    return row


@pytest.mark.parametrize(("encoding", "label"), [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"),
                                                  ("cp932", "Shift_JIS (CP932)"), ("shift_jis", "Shift_JIS (CP932)")])
def test_encodings_are_read(session, cohort, encoding: str, label: str) -> None:
    # plain Shift_JIS has no 髙 (CP932, what Excel writes, does)
    text = GOOD.replace("髙", "高") if encoding == "shift_jis" else GOOD
    report = _check(session, text, encoding)
    assert report.ok, report.problems
    assert report.encoding == label
    assert [r.name for r in report.rows] == ["佐藤 花子", "加藤 太郎", "髙橋 一郎" if encoding != "shift_jis" else "高橋 一郎"]
    assert report.rows[1].email == "kato.taro@example.jp" and report.rows[1].city.code == "141305"
    assert [r.action for r in report.rows] == ["create", "create", "create"]


def test_import_creates_people_and_is_idempotent(session, cohort) -> None:
    report = importing.apply(session, _check(session, GOOD, "cp932"), actor=None, now=utcnow())
    db.session.commit()
    assert report.applied and report.count("create") == 3
    sato = session.scalar(select(User).where(User.email == "sato.hanako@example.jp"))
    assert sato.city.code == "141003" and sato.has_role(Role.ALUMNUS)
    assert session.scalar(select(Affiliation.department).where(Affiliation.user_id == sato.id)) == "危機管理部 防災課"
    assert session.scalar(select(Enrolment.status).where(Enrolment.user_id == sato.id)).value == "completed"
    assert sorted(session.scalars(select(ProfileTag.label).where(ProfileTag.user_id == sato.id))) == ["DX", "防災"]
    viewer = Viewer.of(factories.admin(name="管理 者"))
    assert matching_ids(session, viewer, "satou") == {sato.id}
    assert matching_ids(session, viewer, "防災課") == {sato.id}
    counts = [session.scalar(select(func.count()).select_from(m)) for m in (User, Affiliation, Enrolment, ProfileTag)]

    again = _check(session, GOOD, "utf-8-sig")  # the same data saved as UTF-8 this time
    assert [r.action for r in again.rows] == ["unchanged"] * 3
    importing.apply(session, again, actor=None, now=utcnow())
    db.session.commit()
    assert [session.scalar(select(func.count()).select_from(m)) for m in (User, Affiliation, Enrolment, ProfileTag)] == counts
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "directory.import")) == 2


def test_import_never_overwrites_what_a_person_saved(session, cohort) -> None:
    person = factories.alumnus(email="sato.hanako@example.jp", name="佐藤 花子", name_kana="さとう はなこ")
    fd.affiliation(person, "政策局 政策企画課", "係長", valid_from=date(2026, 4, 1))
    report = _check(session, GOOD)
    assert report.rows[0].action == "update"  # enrolment and interests are added …
    importing.apply(session, report, actor=None, now=utcnow())
    db.session.commit()
    departments = list(session.scalars(select(Affiliation.department).where(Affiliation.user_id == person.id)))
    assert departments == ["政策局 政策企画課"]  # … but the person's own entry for this year is kept


BROKEN = [
    ("missing columns", "mail,name_kana\r\nx@example.jp,さとう\r\n", [(1, "missing_columns")]),
    ("empty", "", [(0, "empty_file")]),
    ("header only", HEADER, [(0, "no_rows")]),
    ("duplicate e-mails", HEADER + "a@example.jp,甲 一,,141003,,,,\r\nb@example.jp,乙 二,,141003,,,,\r\n"
     "A@example.jp,丙 三,,141003,,,,\r\n", [(4, "email_duplicate")]),
    ("unknown city", HEADER + "a@example.jp,甲 一,,ニューヨーク市,,,,\r\n", [(2, "city_unknown")]),
    ("bad rows everywhere", HEADER + "not-an-email,甲 一,,141003,,,,\r\nb@example.jp,,,141003,,,,\r\n"
     "c@example.jp,丙 三,hei san,141003,,,,\r\nd@example.jp,丁 四,,141003,,,1999,\r\n"
     "e@example.jp,戊 五,,141003,,,abc,\r\nf@example.jp,己 六,,,,,2024,\r\n",
     [(2, "email_invalid"), (3, "name_missing"), (4, "kana_invalid"), (5, "cohort_missing"),
      (6, "cohort_fy_invalid"), (7, "city_needed")]),
    ("too long", HEADER + "a@example.jp," + "長" * 201 + ",,141003,,,,\r\n", [(2, "too_long")]),
]


@pytest.mark.parametrize(("label", "text", "expected"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_files_report_every_problem_with_its_line(session, cohort, label: str, text: str,
                                                         expected: list[tuple[int, str]]) -> None:
    report = _check(session, text)
    assert [(p.line, p.key) for p in report.problems] == expected
    before = session.scalar(select(func.count()).select_from(User))
    importing.apply(session, report, actor=None, now=utcnow())
    db.session.commit()
    assert not report.applied and session.scalar(select(func.count()).select_from(User)) == before


def test_undecodable_bytes_name_the_line(session, cohort) -> None:
    data = GOOD.encode("utf-8") + b"bad@example.jp,\xff\xfe\xfa\xff,,141003,,,,\r\n"
    report = importing.check(session, data, today=TODAY)
    assert [(p.line, p.key) for p in report.problems] == [(5, "undecodable")]
    bom = b"\xef\xbb\xbf" + HEADER.encode() + b"x@example.jp,\xe4\xbd,,141003,,,,\r\n"
    assert [(p.line, p.key) for p in importing.check(session, bom, today=TODAY).problems] == [(2, "undecodable")]


def test_one_bad_row_means_nothing_is_imported(session, cohort) -> None:
    report = _check(session, GOOD + "broken@example.jp,,,141003,,,,\r\n")
    assert [(p.line, p.key) for p in report.problems] == [(5, "name_missing")]
    importing.apply(session, report, actor=None, now=utcnow())
    db.session.commit()
    assert session.scalar(select(User).where(User.email == "sato.hanako@example.jp")) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+81", "'+81"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("＝1+1", "'＝1+1"), ("\tx", "'\tx"), ("佐藤", "佐藤"), ("", ""), (None, ""), (3, "3"),
])
def test_export_cells_are_formula_safe(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert importing.safe_cell(value) == expected


def test_export_round_trips_through_import(session, cohort) -> None:
    importing.apply(session, _check(session, GOOD), actor=None, now=utcnow())
    db.session.commit()
    person = session.scalar(select(User).where(User.email == "kato.taro@example.jp"))
    person.name = "=cmd|' /C calc'!A0"
    db.session.commit()
    body = "".join(importing.export_rows(session, today=TODAY))
    assert body.startswith("\ufeffemail,name,name_kana,city,department,position,cohort_fy,interests")
    assert "'=cmd" in body and "\n=cmd" not in body and ",=cmd" not in body
    again = importing.check(session, body.encode("utf-8"), today=TODAY)
    assert again.ok, again.problems
