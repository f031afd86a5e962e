"""Sessions (回): scheduling, materials, attendance; and each person's calendar feed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from core import storage
from core.errors import DomainError
from curriculum.models import (
    Assignment,
    AssignmentKind,
    Attendance,
    AttendanceStatus,
    CalendarFeed,
    Cohort,
    CohortFacilitator,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    SessionMaterial,
    StudySession,
    TeamMember,
)
from curriculum.services import Conflict, Refused, check_token
from people import services as people
from people.models import User

MATERIAL_RULES = storage.UploadRules(max_bytes=20 * 1024 * 1024)  # DEFAULT_ALLOWED types
PAST_TOLERANCE = timedelta(minutes=5)  # a datetime-local has minutes only


@dataclass(frozen=True)
class SessionValues:
    number: int
    title: str
    starts_at: datetime
    ends_at: datetime
    host_city_id: int | None
    venue: str
    online_url: str
    agenda: str


def _check(
    session: Session,
    cohort: Cohort,
    values: SessionValues,
    *,
    now: datetime,
    current: StudySession | None = None,
) -> None:
    if cohort.is_closed:
        raise Refused("cohort_closed")
    if values.number < 1:
        raise Refused("number_positive", "number")
    clash = session.scalar(
        select(StudySession.id).where(
            StudySession.cohort_id == cohort.id, StudySession.number == values.number
        )
    )
    if clash is not None and (current is None or clash != current.id):
        raise Refused("session_number_taken", "number", number=values.number)
    moved = current is None or values.starts_at != current.starts_at
    if moved and values.starts_at < now - PAST_TOLERANCE:
        raise Refused("date_in_past", "starts_at")
    if values.ends_at <= values.starts_at:
        raise Refused("ends_before_start", "ends_at")
    if values.ends_at - values.starts_at > timedelta(hours=24):
        raise Refused("session_too_long", "ends_at")
    if not values.venue.strip() and not values.online_url.strip():
        raise Refused("venue_or_link", "venue")
    if values.online_url.strip():
        parts = urlsplit(values.online_url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Refused("bad_url", "online_url")


def _apply(row: StudySession, values: SessionValues) -> None:
    row.number, row.title = values.number, values.title.strip()
    row.starts_at, row.ends_at = values.starts_at, values.ends_at
    row.host_city_id, row.venue = values.host_city_id, values.venue.strip()
    row.online_url, row.agenda = values.online_url.strip(), values.agenda


def create_session(
    session: Session, cohort: Cohort, values: SessionValues, *, actor: User, now: datetime
) -> StudySession:
    _check(session, cohort, values, now=now)
    row = StudySession(cohort_id=cohort.id, created_by_id=actor.id)
    _apply(row, values)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # the same number saved a moment ago (double submit); caller rolls back
        raise Conflict("session_number_taken", "number", number=values.number) from exc
    return row


def update_session(
    session: Session,
    row: StudySession,
    values: SessionValues,
    *,
    now: datetime,
    expected_token: str | None = None,
) -> StudySession:
    """Save an edit. ``expected_token`` is the ``edit_token`` the form showed: if someone saved in
    between, ``Conflict("edit_stale")`` and nothing changes."""
    check_token(session, row, expected_token)
    _check(session, row.cohort, values, now=now, current=row)
    _apply(row, values)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("session_number_taken", "number", number=values.number) from exc
    return row


def sessions_of(session: Session, cohort: Cohort, *, details: bool = False) -> list[StudySession]:
    """A cohort's sessions in time order, with their host city (and materials and attendance)."""
    options: list[Any] = [joinedload(StudySession.host_city)]
    if details:
        options += [selectinload(StudySession.materials), selectinload(StudySession.attendance)]
    return list(
        session.scalars(
            select(StudySession)
            .where(StudySession.cohort_id == cohort.id)
            .options(*options)
            .order_by(StudySession.starts_at, StudySession.number)
        )
    )


def next_session_number(session: Session, cohort: Cohort) -> int:
    numbers = session.scalars(select(StudySession.number).where(StudySession.cohort_id == cohort.id)).all()
    return max(numbers, default=0) + 1


def add_material(
    session: Session, row: StudySession, stream: IO[bytes], filename: str, *, upload_dir: str, actor: User
) -> SessionMaterial:
    if row.cohort.is_closed:
        raise Refused("cohort_closed", "file")
    try:
        stored = storage.store(
            session, stream, filename, rules=MATERIAL_RULES, upload_dir=upload_dir, uploaded_by_id=actor.id
        )
    except DomainError as error:
        raise Refused(
            error.message,
            "file",
            name=storage.clean_filename(filename),
            types=", ".join(sorted(MATERIAL_RULES.allowed)),
            mb=MATERIAL_RULES.max_bytes // (1024 * 1024),
        ) from error
    for material in row.materials:  # the same file twice (double click) is kept once
        if material.file.sha256 == stored.sha256 and material.file.original_name == stored.original_name:
            raise Conflict("material_exists", "file", name=stored.original_name)
    material = SessionMaterial(session=row, file=stored, added_by_id=actor.id)
    session.add(material)
    session.flush()
    session.expire(row, ["materials"])
    return material


def remove_material(session: Session, material: SessionMaterial, *, actor: User, now: datetime) -> bool:
    """Take a file off a session; the record and the file are kept. False if it was already off."""
    if material.removed_at is not None:
        return False
    material.removed_at, material.removed_by_id = now, actor.id
    session.flush()
    session.expire(material.session, ["materials"])
    people.audit(session, actor, "session.material.remove", material, material.file.original_name)
    return True


def attendees(session: Session, row: StudySession) -> list[Enrolment]:
    """Who is expected: participants enrolled in the cohort (and those who completed it)."""
    return list(
        session.scalars(
            select(Enrolment)
            .join(User, User.id == Enrolment.user_id)
            .where(
                Enrolment.cohort_id == row.cohort_id,
                Enrolment.status.in_((EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)),
            )
            .order_by(Enrolment.city_id, User.name_kana, User.id)
        )
    )


Mark = tuple[AttendanceStatus | None, str]  # (status, note); None: nothing recorded


def record_attendance(
    session: Session,
    row: StudySession,
    marks: dict[int, tuple[AttendanceStatus, str]],
    *,
    actor: User,
    now: datetime,
    seen: dict[int, Mark] | None = None,
) -> int:
    """Set attendance for the given people (user id → status, note). Saving again updates; returns changes.

    ``seen``: what the form showed for each person. A person whose saved mark changed since then is
    left as saved when this form did not change them, and refused (``attendance_stale``, with their
    ids) when both changed them: two facilitators taking attendance never overwrite each other unseen.
    """
    if row.starts_at > now + timedelta(hours=12):
        raise Refused("attendance_too_early")
    expected = {e.user_id for e in attendees(session, row)}
    existing = {a.user_id: a for a in row.attendance}
    marks = dict(marks)
    if seen is not None:
        clashes = []
        for user_id, (status, note) in list(marks.items()):
            mark = existing.get(user_id)
            now_saved: Mark = (mark.status, mark.note) if mark else (None, "")
            before = seen.get(user_id, now_saved)
            if now_saved == before:
                continue
            if (status, note.strip()[:200]) in (before, now_saved):
                del marks[user_id]  # untouched here (or already the same): keep what was saved
            else:
                clashes.append(user_id)
        if clashes:
            raise Conflict("attendance_stale", user_ids=clashes)
    changed = 0
    for user_id, (status, note) in marks.items():
        if user_id not in expected:
            raise Refused("not_in_cohort")
        mark = existing.get(user_id)
        if mark is None:
            session.add(
                Attendance(
                    session=row,
                    user_id=user_id,
                    status=status,
                    note=note.strip()[:200],
                    recorded_by_id=actor.id,
                    recorded_at=now,
                )
            )
            changed += 1
        elif mark.status is not status or mark.note != note.strip()[:200]:
            mark.status, mark.note = status, note.strip()[:200]
            mark.recorded_by_id, mark.recorded_at = actor.id, now
            changed += 1
    try:
        session.flush()
    except IntegrityError as exc:  # two facilitators saved at once; caller rolls back and shows the latest
        raise Conflict("attendance_conflict") from exc
    return changed


# --- calendar feed ---------------------------------------------------------------------------------


def feed_of(session: Session, user: User) -> CalendarFeed | None:
    return session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def issue_feed(session: Session, user: User) -> CalendarFeed:
    """A new private address; any earlier one stops working at once."""
    feed = feed_of(session, user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, token="")
        session.add(feed)
    feed.token = secrets.token_urlsafe(32)
    feed.last_used_at = None
    session.flush()
    return feed


def revoke_feed(session: Session, user: User) -> None:
    feed = feed_of(session, user)
    if feed is not None:
        session.delete(feed)
        session.flush()


def feed_by_token(session: Session, token: str) -> CalendarFeed | None:
    if not token or len(token) > 64:
        return None
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None or not feed.user.is_active or feed.user.anonymized_at is not None:
        return None
    return feed


@dataclass(frozen=True)
class Schedule:
    sessions: list[StudySession]
    assignments: list[Assignment]


def schedule_for(session: Session, user: User, *, now: datetime, days_back: int = 120) -> Schedule:
    """The sessions and published deadlines that concern a person, in running cohorts and recent past."""
    since = now - timedelta(days=days_back)
    taking = select(Enrolment.cohort_id).where(
        Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN
    )
    running = select(CohortFacilitator.cohort_id).where(CohortFacilitator.user_id == user.id)
    cohort_ids = select(Cohort.id).where(
        or_(Cohort.id.in_(taking), Cohort.id.in_(running)), Cohort.status != CohortStatus.CLOSED
    )
    sessions = list(
        session.scalars(
            select(StudySession)
            .where(StudySession.cohort_id.in_(cohort_ids), StudySession.ends_at >= since)
            .order_by(StudySession.starts_at)
        )
    )
    assignments = list(
        session.scalars(
            select(Assignment)
            .where(
                Assignment.cohort_id.in_(cohort_ids), Assignment.publish_at <= now, Assignment.due_at >= since
            )
            .order_by(Assignment.due_at)
        )
    )
    in_team = set(session.scalars(select(TeamMember.cohort_id).where(TeamMember.user_id == user.id)))
    runs = set(session.scalars(running))
    assignments = [
        a
        for a in assignments
        if a.kind is AssignmentKind.INDIVIDUAL or a.cohort_id in in_team or a.cohort_id in runs
    ]
    return Schedule(sessions, assignments)
