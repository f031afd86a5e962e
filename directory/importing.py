"""CSV import of people (``flask people import`` and the secretariat's upload page) and the CSV export.

Import columns: email, name, name_kana, city (code or name), department, position, cohort_fy,
interests. Files saved by Excel in Japan (CP932 / Shift_JIS) are read as well as UTF-8 with or
without BOM. ``check`` reports every problem with its line number; ``apply`` refuses a file with
any problem (all-or-nothing) and never overwrites what a person saved: a re-import of the same file
changes nothing.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import dates
from core.search import normalize
from curriculum.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from directory import services
from directory.models import Affiliation, ProfileTag, TagKind
from people import services as people_services
from people.models import City, Role, User

COLUMNS = ("email", "name", "name_kana", "city", "department", "position", "cohort_fy", "interests")
REQUIRED = ("email", "name")
LIMITS = {"email": 254, "name": 200, "name_kana": 200, "department": 200, "position": 100, "interests": 1000}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
KANA_RE = re.compile(r"^[\u3041-\u309f\u30a0-\u30ff\s]+$")
ERA_RE = re.compile(r"^(?:令和|r)\s*(\d{1,2})(?:年度?)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Problem:
    line: int  # 1 = the header line; 0 = the whole file
    key: str  # message key (directory.forms.IMPORT_MESSAGES)
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Row:
    line: int
    email: str
    name: str
    name_kana: str
    city: City | None
    department: str
    position: str
    cohort: Cohort | None
    interests: list[str]
    action: str = ""  # create / update / unchanged


@dataclass
class Report:
    encoding: str = ""
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


def decode(data: bytes) -> tuple[str, str] | Problem:
    """The text and the name of its encoding, or a problem naming the first unreadable line."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as error:
            return Problem(data[: error.start + 3].count(b"\n") + 1, "undecodable")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp932"), "Shift_JIS (CP932)"
        except UnicodeDecodeError:
            return Problem(data[: utf8_error.start].count(b"\n") + 1, "undecodable")


def _clean(value: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def _city_index(session: Session) -> dict[str, City]:
    out: dict[str, City] = {}
    for city in session.scalars(select(City)):
        for name in (city.code, city.name_ja, city.name_ja.removesuffix("市"), city.name_en.lower(),
                     city.name_kana, city.code[:5]):
            if name:
                out[unicodedata.normalize("NFKC", name).lower()] = city
    return out


def _fiscal_year(value: str) -> int | None:
    if value.isdecimal():
        return int(value)
    m = ERA_RE.match(value.replace("年度", "").strip()) or ERA_RE.match(value)
    if m:
        return 2018 + int(m.group(1))
    return None


def check(session: Session, data: bytes, *, today: date) -> Report:
    """Read and validate a file; nothing is written. Every row's problem is reported."""
    report = Report()
    decoded = decode(data)
    if isinstance(decoded, Problem):
        report.problems.append(decoded)
        return report
    text, report.encoding = decoded
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [(_clean(h)).lower() for h in (reader.fieldnames or [])]
    except csv.Error:
        header = []
    if not header:
        report.problems.append(Problem(0, "empty_file"))
        return report
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        report.problems.append(Problem(1, "missing_columns", {"columns": ", ".join(missing)}))
        return report
    cities = _city_index(session)
    cohorts = {c.fiscal_year: c for c in session.scalars(select(Cohort))}
    seen: dict[str, int] = {}
    try:
        for raw in reader:
            line = reader.line_num
            if not any((v or "").strip() for k, v in raw.items() if isinstance(v, str)):
                continue  # a blank line (Excel leaves some at the end)
            row, problems = _row(line, raw, cities, cohorts, seen)
            report.problems += problems
            if row is not None:
                report.rows.append(row)
    except csv.Error as error:
        report.problems.append(Problem(reader.line_num, "csv_error", {"detail": str(error)}))
    if not report.rows and not report.problems:
        report.problems.append(Problem(0, "no_rows"))
    if report.ok:
        for row in report.rows:
            row.action = _plan(session, row, today)
    return report


def _row(line: int, raw: dict[str, Any], cities: dict[str, City], cohorts: dict[int, Cohort],
         seen: dict[str, int]) -> tuple[Row | None, list[Problem]]:
    v = {c: _clean(raw.get(c)) for c in COLUMNS}
    problems: list[Problem] = []
    for col, limit in LIMITS.items():
        if len(v[col]) > limit:
            problems.append(Problem(line, "too_long", {"column": col, "n": limit}))
    email = v["email"].lower()
    if not email:
        problems.append(Problem(line, "email_missing"))
    elif not EMAIL_RE.match(email):
        problems.append(Problem(line, "email_invalid", {"value": email}))
    elif email in seen:
        problems.append(Problem(line, "email_duplicate", {"value": email, "first": seen[email]}))
    else:
        seen[email] = line
    if not v["name"]:
        problems.append(Problem(line, "name_missing"))
    if v["name_kana"] and not KANA_RE.match(v["name_kana"]):
        problems.append(Problem(line, "kana_invalid", {"value": v["name_kana"]}))
    city = None
    if v["city"]:
        city = cities.get(v["city"].lower())
        if city is None:
            problems.append(Problem(line, "city_unknown", {"value": v["city"]}))
    cohort = None
    if v["cohort_fy"]:
        fy = _fiscal_year(v["cohort_fy"])
        if fy is None:
            problems.append(Problem(line, "cohort_fy_invalid", {"value": v["cohort_fy"]}))
        elif fy not in cohorts:
            problems.append(Problem(line, "cohort_missing", {"value": fy}))
        else:
            cohort = cohorts[fy]
            if city is None and not v["city"]:
                problems.append(Problem(line, "city_needed", {"value": fy}))
    interests = services.parse_tags(v["interests"])
    if len(interests) > services.MAX_TAGS:
        problems.append(Problem(line, "too_many_tags", {"n": services.MAX_TAGS}))
    if problems:
        return None, problems
    return Row(line, email, v["name"], v["name_kana"], city, v["department"], v["position"], cohort, interests), []


def _role_for(cohort: Cohort | None) -> Role:
    return Role.PARTICIPANT if cohort is not None and cohort.status is not CohortStatus.CLOSED else Role.ALUMNUS


def _changes(session: Session, row: Row, user: User, today: date) -> list[str]:
    """What importing ``row`` would add to an existing account (never overwriting the person's data)."""
    out: list[str] = []
    if row.name_kana and not user.name_kana:
        out.append("name_kana")
    if row.city is not None and user.city_id is None:
        out.append("city")
    if row.department or row.position:
        current = services.current_affiliation(services.affiliations(session, user.id), today)
        if current is None or (current.department, current.position) != (row.department, row.position):
            start, _ = dates.fiscal_year_bounds(dates.fiscal_year(today))
            taken = session.scalar(select(Affiliation.id).where(Affiliation.user_id == user.id,
                                                                Affiliation.valid_from == start))
            if current is None or taken is None:
                out.append("affiliation")
    if row.cohort is not None and session.scalar(select(Enrolment.id).where(
            Enrolment.user_id == user.id, Enrolment.cohort_id == row.cohort.id)) is None:
        out.append("enrolment")
    have = set(session.scalars(select(ProfileTag.norm).where(ProfileTag.user_id == user.id,
                                                             ProfileTag.kind == TagKind.INTEREST)))
    if any(normalize(label) not in have for label in row.interests):
        out.append("interests")
    if not user.has_role(_role_for(row.cohort)) and not user.roles:
        out.append("role")
    return out


def _plan(session: Session, row: Row, today: date) -> str:
    user = people_services.get_user_by_email(session, row.email)
    if user is None:
        return "create"
    return "update" if _changes(session, row, user, today) else "unchanged"


def apply(session: Session, report: Report, *, actor: User | None, now: datetime) -> Report:
    """Write a checked file: everything or nothing (the caller commits, or rolls back on error)."""
    if not report.ok:
        return report
    today = dates.to_tokyo(now).date()
    start, _ = dates.fiscal_year_bounds(dates.fiscal_year(today))
    for row in report.rows:
        user = people_services.get_user_by_email(session, row.email)
        if user is None:
            user = people_services.create_user(session, email=row.email, name=row.name, name_kana=row.name_kana,
                                               city=row.city, role=_role_for(row.cohort), granted_by=actor)
            row.action = "create"
            changes = ["affiliation", "enrolment", "interests"]
        else:
            changes = _changes(session, row, user, today)
            row.action = "update" if changes else "unchanged"
            if "name_kana" in changes:
                user.name_kana = row.name_kana
            if "city" in changes:
                user.city = row.city
            if "role" in changes:
                people_services.grant_role(session, user, _role_for(row.cohort), by=actor)
        session.flush()
        services.get_profile(session, user)
        if "affiliation" in changes and (row.department or row.position):
            existing = session.scalar(select(Affiliation).where(Affiliation.user_id == user.id,
                                                                Affiliation.valid_from == start))
            if existing is None:
                session.add(Affiliation(user_id=user.id, city_id=user.city_id, department=row.department,
                                        position=row.position, valid_from=start))
        if "enrolment" in changes and row.cohort is not None:
            status = (EnrolmentStatus.COMPLETED if row.cohort.status is CohortStatus.CLOSED
                      else EnrolmentStatus.ENROLLED)
            city = row.city or user.city
            assert city is not None  # checked: a row with a cohort names a city or the person has one
            session.add(Enrolment(cohort=row.cohort, user_id=user.id, city_id=city.id, status=status, completed_at=now if status is EnrolmentStatus.COMPLETED else None))
        if "interests" in changes and row.interests:
            labels = list(session.scalars(select(ProfileTag.label).where(
                ProfileTag.user_id == user.id, ProfileTag.kind == TagKind.INTEREST).order_by(ProfileTag.position)))
            services.set_tags(session, user.id, TagKind.INTEREST, [*labels, *row.interests])
        session.flush()
        services.reindex(session, user.id)
    created, updated = report.count("create"), report.count("update")
    people_services.audit(session, actor, "directory.import", None,
                          f"{len(report.rows)} rows: {created} created, {updated} updated")
    report.applied = True
    return report


# --- export ---------------------------------------------------------------------------------------

EXPORT_COLUMNS = (*COLUMNS, "romaji", "roles", "cohorts", "skills", "welcomes_mentoring", "affiliation_since",
                  "contact_email", "contact_phone")
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): prefix with '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_DANGEROUS) else text


def export_rows(session: Session, *, today: date, batch: int = 1000) -> Iterator[str]:
    """CSV lines (UTF-8 with BOM first) of everyone listed in the directory, for the secretariat."""
    from directory.search import listed

    yield "\ufeff"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    yield buf.getvalue()
    ids = list(session.scalars(listed().order_by(User.id)))
    for i in range(0, len(ids), batch):
        chunk = ids[i: i + batch]
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        for record in _export_records(session, chunk, today):
            writer.writerow([safe_cell(v) for v in record])
        yield buf.getvalue()


def _export_records(session: Session, ids: list[int], today: date) -> Iterator[list[Any]]:
    from collections import defaultdict

    from directory.models import Profile

    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    profiles = {p.user_id: p for p in session.scalars(select(Profile).where(Profile.user_id.in_(ids)))}
    affs: dict[int, list[Affiliation]] = defaultdict(list)
    for a in session.scalars(select(Affiliation).where(Affiliation.user_id.in_(ids))):
        affs[a.user_id].append(a)
    tags: dict[tuple[int, TagKind], list[str]] = defaultdict(list)
    for t in session.scalars(select(ProfileTag).where(ProfileTag.user_id.in_(ids))
                             .order_by(ProfileTag.position, ProfileTag.id)):
        tags[(t.user_id, t.kind)].append(t.label)
    years: dict[int, list[int]] = defaultdict(list)
    for uid, fy in session.execute(select(Enrolment.user_id, Cohort.fiscal_year).join(Cohort)
                                   .where(Enrolment.user_id.in_(ids),
                                          Enrolment.status != EnrolmentStatus.WITHDRAWN)):
        years[uid].append(fy)
    for uid in ids:
        user, profile = users[uid], profiles[uid]
        current = services.current_affiliation(affs[uid], today)
        fys = sorted(years[uid])
        yield [user.email, user.name, user.name_kana, user.city.code if user.city else "",
               current.department if current else "", current.position if current else "",
               fys[-1] if fys else "", "; ".join(tags[(uid, TagKind.INTEREST)]), profile.romaji,
               " ".join(sorted(r.value for r in user.roles)), " ".join(str(y) for y in fys),
               "; ".join(tags[(uid, TagKind.SKILL)]), "1" if profile.welcomes_mentoring else "0",
               current.valid_from.isoformat() if current else "", profile.contact_email, profile.contact_phone]
