"""Builders for cohorts, sessions, assignments and teams over the real models (see tests/factories.py)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from core.dates import utcnow
from core.events import Event, happened
from core.extensions import db
from curriculum.models import (
    Assignment,
    AssignmentKind,
    CityQuota,
    Cohort,
    CohortFacilitator,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    StudySession,
    Team,
    TeamMember,
)
from curriculum.services.modules import sync_modules
from people.models import Role, User
from tests import factories

PDF = b"%PDF-1.4\n% test file\n"


def cohort(
    fy: int = 2026,
    *,
    status: CohortStatus = CohortStatus.OPEN,
    places: int = 3,
    facilitators: tuple[User, ...] = (),
    commit: bool = True,
) -> Cohort:
    row = Cohort(
        fiscal_year=fy,
        title_ja=f"{fy}年度 テスト期",
        title_en=f"FY{fy} test",
        status=status,
        starts_on=date(fy, 4, 1),
        ends_on=date(fy + 1, 3, 31),
    )
    row.quotas = [CityQuota(city_id=c.id, places=places) for c in factories.cities().values()]
    row.facilitators = [CohortFacilitator(user=f) for f in facilitators]
    db.session.add(row)
    db.session.flush()
    if commit:
        db.session.commit()
    return row


def enrol(
    row: Cohort,
    user: User,
    *,
    status: EnrolmentStatus = EnrolmentStatus.ENROLLED,
    interests: str = "",
    commit: bool = True,
) -> Enrolment:
    enrolment = Enrolment(cohort=row, user=user, city_id=user.city_id, status=status, interests=interests)
    db.session.add(enrolment)
    db.session.flush()
    if commit:
        db.session.commit()
    return enrolment


def participant_in(row: Cohort, city_code: str = factories.YOKOHAMA, **kw: Any) -> User:
    person = factories.participant(city_code, **kw)
    enrol(row, person)
    return person


def study_session(
    row: Cohort,
    *,
    number: int = 1,
    starts_in: timedelta = timedelta(days=-2),
    hours: int = 3,
    title: str = "第1回",
    commit: bool = True,
) -> StudySession:
    start = utcnow() + starts_in
    item = StudySession(
        cohort_id=row.id,
        number=number,
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        venue="市役所 会議室",
        agenda="",
    )
    db.session.add(item)
    db.session.flush()
    if commit:
        db.session.commit()
    return item


def assignment(
    row: Cohort,
    *,
    title: str = "課題",
    kind: AssignmentKind = AssignmentKind.INDIVIDUAL,
    published: timedelta = timedelta(days=-1),
    due: timedelta = timedelta(days=3),
    late: timedelta | None = None,
    types: str = "pdf,docx",
    max_mb: int = 1,
    announced: bool = True,
    commit: bool = True,
) -> Assignment:
    now = utcnow()
    item = Assignment(
        cohort_id=row.id,
        title=title,
        instructions="**書いてください**",
        kind=kind,
        publish_at=now + published,
        due_at=now + due,
        late_until=now + late if late is not None else None,
        allowed_types=types,
        max_mb=max_mb,
        announced_at=now if announced else None,
    )
    db.session.add(item)
    db.session.flush()
    if commit:
        db.session.commit()
    return item


def team(
    row: Cohort, members: list[User], *, number: int = 1, name: str | None = None, commit: bool = True
) -> Team:
    item = Team(cohort_id=row.id, number=number, name=name or f"チーム{number}")
    item.members = [TeamMember(cohort_id=row.id, user_id=m.id) for m in members]
    db.session.add(item)
    db.session.flush()
    if commit:
        db.session.commit()
    return item


def modules() -> None:
    sync_modules(db.session, now=utcnow())
    db.session.commit()


def upload(data: bytes = PDF, name: str = "報告書.pdf") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def has_role(user: User, role: Role) -> bool:
    db.session.refresh(user)
    return user.has_role(role)


@contextmanager
def captured_events() -> Iterator[list[Event]]:
    """Collect the domain events published inside the block."""
    seen: list[Event] = []

    def _listener(sender: Any, event: Event) -> None:
        seen.append(event)

    happened.connect(_listener)
    try:
        yield seen
    finally:
        happened.disconnect(_listener)


def at(days: float = 0, hours: float = 0) -> datetime:
    return utcnow() + timedelta(days=days, hours=hours)
