"""Assignments: posting, submitting (every re-submission a new version), feedback, the overview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, lazyload, selectinload

from core import storage
from core.errors import DomainError
from core.events import Event, publish
from curriculum.models import (
    Assignment,
    AssignmentKind,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Feedback,
    Submission,
    SubmissionFile,
    SubmissionStatus,
    SubmissionVersion,
    Team,
    TeamMember,
)
from curriculum.services import Conflict, Refused, check_token
from curriculum.services.cohorts import participants
from people.models import User

MAX_MB = 20  # what a facilitator may allow per file (the server refuses bodies over MAX_UPLOAD_MB anyway)
MAX_FILES = 10  # per submission
PAST_TOLERANCE = timedelta(minutes=5)


@dataclass(frozen=True)
class AssignmentValues:
    title: str
    instructions: str
    kind: AssignmentKind
    publish_at: datetime
    due_at: datetime
    late_until: datetime | None
    allowed_types: list[str]
    max_mb: int


def _check(
    session: Session,
    cohort: Cohort,
    values: AssignmentValues,
    *,
    now: datetime,
    current: Assignment | None = None,
) -> None:
    if cohort.is_closed:
        raise Refused("cohort_closed")
    if not values.title.strip():
        raise Refused("required", "title")
    clash = session.scalar(
        select(Assignment.id).where(
            Assignment.cohort_id == cohort.id, Assignment.title == values.title.strip()
        )
    )
    if clash is not None and (current is None or clash != current.id):
        raise Refused("assignment_title_taken", "title")
    if not values.allowed_types:
        raise Refused("types_required", "allowed_types")
    unknown = sorted(set(values.allowed_types) - storage.DEFAULT_ALLOWED)
    if unknown:
        raise Refused("type_not_allowed", "allowed_types", types=", ".join(unknown))
    if not 1 <= values.max_mb <= MAX_MB:
        raise Refused("max_mb_range", "max_mb", max=MAX_MB)
    # A new publish time must not lie in the past (moving an already published one changes nothing).
    moved = current is None or values.publish_at != current.publish_at
    unpublished = current is None or current.publish_at > now
    if moved and unpublished and values.publish_at < now - PAST_TOLERANCE:
        raise Refused("date_in_past", "publish_at")
    if (current is None or values.due_at != current.due_at) and values.due_at < now:
        raise Refused("date_in_past", "due_at")
    if values.due_at <= values.publish_at:
        raise Refused("due_before_publish", "due_at")
    if values.late_until is not None and values.late_until <= values.due_at:
        raise Refused("late_before_due", "late_until")
    if current is not None and values.kind is not current.kind and current.submissions:
        raise Refused("kind_locked", "kind")


def _apply(row: Assignment, values: AssignmentValues) -> None:
    row.title, row.instructions, row.kind = values.title.strip(), values.instructions, values.kind
    row.publish_at, row.due_at, row.late_until = values.publish_at, values.due_at, values.late_until
    row.allowed_types = ",".join(sorted(set(values.allowed_types)))
    row.max_mb = values.max_mb


def create_assignment(
    session: Session, cohort: Cohort, values: AssignmentValues, *, actor: User, now: datetime
) -> Assignment:
    _check(session, cohort, values, now=now)
    row = Assignment(cohort_id=cohort.id, created_by_id=actor.id)
    _apply(row, values)
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:  # the same title a moment ago: a double submit (caller rolls back)
        raise Conflict("assignment_title_taken", "title") from exc
    announce(session, row, now=now)
    return row


def update_assignment(
    session: Session,
    row: Assignment,
    values: AssignmentValues,
    *,
    now: datetime,
    expected_token: str | None = None,
) -> Assignment:
    """Save an edit. ``expected_token`` is the ``edit_token`` the form showed: if someone saved in
    between, ``Conflict("edit_stale")`` and nothing changes."""
    check_token(session, row, expected_token)
    _check(session, row.cohort, values, now=now, current=row)
    _apply(row, values)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("assignment_title_taken", "title") from exc
    announce(session, row, now=now)
    return row


def announce(session: Session, row: Assignment, *, now: datetime) -> bool:
    """Tell the participants once the assignment is published (``assignment.posted``)."""
    if row.announced_at is not None or row.publish_at > now or row.cohort.is_closed:
        return False
    recipients = tuple(
        e.user_id for e in participants(session, row.cohort) if e.status is EnrolmentStatus.ENROLLED
    )
    publish(
        session,
        Event(
            kind="assignment.posted",
            recipient_ids=recipients,
            target_type="assignment",
            target_id=row.id,
            url=f"/assignments/{row.id}",
            actor_id=row.created_by_id,
            params={
                "title": row.title,
                "due_at": row.due_at.isoformat(),
                "cohort": row.cohort.title_ja,
                "kind": row.kind.value,
            },
        ),
    )
    row.announced_at = now
    session.flush()
    return True


def announce_due(session: Session, *, now: datetime) -> int:
    """For the scheduler: announce assignments whose publish time has come. Safe to run any time."""
    due = session.scalars(
        select(Assignment)
        .where(Assignment.announced_at.is_(None), Assignment.publish_at <= now)
        .order_by(Assignment.id)
    )
    return sum(1 for row in due if announce(session, row, now=now))


def assignments_of(
    session: Session, cohort: Cohort, *, published_by: datetime | None = None
) -> list[Assignment]:
    query = select(Assignment).where(Assignment.cohort_id == cohort.id)
    if published_by is not None:
        query = query.where(Assignment.publish_at <= published_by)
    return list(session.scalars(query.order_by(Assignment.due_at, Assignment.id)))


# --- submitting ------------------------------------------------------------------------------------


def team_of(session: Session, cohort_id: int, user_id: int) -> Team | None:
    return session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.cohort_id == cohort_id, TeamMember.user_id == user_id)
    )


def submission_for(session: Session, assignment: Assignment, user: User) -> Submission | None:
    """The submission a participant works on: their own, or their team's."""
    if assignment.kind is AssignmentKind.TEAM:
        team = team_of(session, assignment.cohort_id, user.id)
        if team is None:
            return None
        return session.scalar(
            select(Submission).where(Submission.assignment_id == assignment.id, Submission.team_id == team.id)
        )
    return session.scalar(
        select(Submission).where(Submission.assignment_id == assignment.id, Submission.user_id == user.id)
    )


def upload_rules(assignment: Assignment) -> storage.UploadRules:
    return storage.UploadRules(
        allowed=frozenset(assignment.extensions), max_bytes=assignment.max_mb * 1024 * 1024
    )


def submit(
    session: Session,
    assignment: Assignment,
    *,
    user: User,
    text: str,
    uploads: list[tuple[IO[bytes], str]],
    base_version: int,
    upload_dir: str,
    now: datetime,
) -> SubmissionVersion:
    """Hand in text and/or files as a new version. ``base_version`` is the version the form showed:
    a second click of the same form (or a team-mate submitting meanwhile) is refused, not duplicated."""
    cohort = assignment.cohort
    if cohort.is_closed:
        raise Refused("cohort_closed", "text")
    if assignment.publish_at > now:
        raise Refused("not_published", "text")
    if now > assignment.closes_at:
        raise Refused("submission_closed", "text")
    enrolment = session.scalar(
        select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id)
    )
    if enrolment is None or enrolment.status is not EnrolmentStatus.ENROLLED:
        raise Refused("not_enrolled", "text")
    team = None
    if assignment.kind is AssignmentKind.TEAM:
        team = team_of(session, cohort.id, user.id)
        if team is None:
            raise Refused("no_team", "text")
    text = text.strip()
    if not text and not uploads:
        raise Refused("empty_submission", "text")
    if len(uploads) > MAX_FILES:
        raise Refused("too_many_files", "files", max=MAX_FILES)
    submission = submission_for(session, assignment, user)
    current = submission.version_count if submission is not None else 0
    if current != base_version:
        raise Conflict("submission_stale", "text", number=current)
    rules = upload_rules(assignment)
    stored = []
    for stream, filename in uploads:
        try:
            stored.append(
                storage.store(
                    session, stream, filename, rules=rules, upload_dir=upload_dir, uploaded_by_id=user.id
                )
            )
        except DomainError as error:
            raise Refused(
                error.message,
                "files",
                name=storage.clean_filename(filename),
                types=", ".join(assignment.extensions),
                mb=assignment.max_mb,
            ) from error
    if submission is None:
        submission = Submission(
            assignment=assignment,
            user_id=None if team else user.id,
            team_id=team.id if team else None,
            version_count=0,
        )
        session.add(submission)
    version = SubmissionVersion(
        submission=submission,
        number=current + 1,
        text=text,
        submitted_by_id=user.id,
        submitted_at=now,
        is_late=now > assignment.due_at,
    )
    version.files = [SubmissionFile(file=f) for f in stored]
    submission.version_count = current + 1
    submission.status = SubmissionStatus.SUBMITTED
    session.add(version)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent submit of the same version; the caller rolls back
        raise Conflict("submission_stale", "text", number=current + 1) from exc
    return version


def owner_ids(session: Session, submission: Submission) -> tuple[int, ...]:
    """Who a submission belongs to: the person, or the team's current members."""
    if submission.user_id is not None:
        return (submission.user_id,)
    return tuple(
        session.scalars(
            select(TeamMember.user_id)
            .where(TeamMember.team_id == submission.team_id)
            .order_by(TeamMember.user_id)
        )
    )


def give_feedback(
    session: Session,
    submission: Submission,
    *,
    author: User,
    status: SubmissionStatus,
    body: str,
    version_id: int,
    request_key: str | None,
    now: datetime,
    seen_feedback: int | None = None,
) -> Feedback:
    """Comment on the latest version and set the status (提出済 / 要修正 / 完了).

    ``seen_feedback``: how many feedback entries the facilitator's page showed; if another arrived
    since (a co-facilitator set 完了 while this one writes 要修正), it is refused, not silently
    overruled."""
    if request_key:
        earlier = session.scalar(select(Feedback).where(Feedback.request_key == request_key))
        if earlier is not None:  # the same form posted twice: one feedback
            return earlier
    if submission.assignment.cohort.is_closed:
        raise Refused("cohort_closed", "body")
    latest = submission.latest
    if latest is None:
        raise Refused("nothing_submitted", "body")
    if version_id != latest.id:
        raise Conflict("feedback_stale", "body", number=latest.number)
    if seen_feedback is not None and len(submission.feedback) != seen_feedback:
        newest = max(submission.feedback, key=lambda f: (f.created_at, f.id))
        raise Conflict("feedback_since", "body", who=newest.author.name if newest.author else "")
    body = body.strip()
    if not body and status is submission.status:
        raise Refused("feedback_empty", "body")
    feedback = Feedback(
        submission=submission,
        version_id=latest.id,
        author_id=author.id,
        status=status,
        body=body,
        created_at=now,
        request_key=request_key or None,
    )
    submission.status = status
    session.add(feedback)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("feedback_duplicate", "body") from exc
    assignment = submission.assignment
    publish(
        session,
        Event(
            kind="submission.feedback",
            recipient_ids=owner_ids(session, submission),
            target_type="submission",
            target_id=submission.id,
            url=f"/submissions/{submission.id}",
            actor_id=author.id,
            params={
                "assignment": assignment.title,
                "status": status.value,
                "version": latest.number,
                "author": author.name,
            },
        ),
    )
    return feedback


# --- the facilitator's overview --------------------------------------------------------------------


@dataclass
class Matrix:
    """People × assignments; a team assignment's cell is the person's team's submission."""

    assignments: list[Assignment]
    people: list[Enrolment]
    teams: dict[int, Team]  # user id → team
    by_user: dict[tuple[int, int], Submission]  # (assignment id, user id)
    by_team: dict[tuple[int, int], Submission]  # (assignment id, team id)

    def cell(self, enrolment: Enrolment, assignment: Assignment) -> Submission | None:
        if assignment.kind is AssignmentKind.TEAM:
            team = self.teams.get(enrolment.user_id)
            return self.by_team.get((assignment.id, team.id)) if team else None
        return self.by_user.get((assignment.id, enrolment.user_id))

    def missing(self, assignment: Assignment) -> list[Enrolment]:
        return [
            e
            for e in self.people
            if e.status is EnrolmentStatus.ENROLLED and self.cell(e, assignment) is None
        ]


def submission_options() -> tuple[Any, ...]:
    """Load a submission with its owner, team and versions (a list page never loads row by row)."""
    return (
        joinedload(Submission.user).lazyload(User.grants),
        joinedload(Submission.team),
        selectinload(Submission.versions),
    )


def submissions_of(session: Session, assignments: list[Assignment], *, user_id: int,
                   team_id: int | None, with_versions: bool = True) -> dict[int, Submission]:
    """Assignment id → the submission a participant works on (own, or their team's), in one query
    (and one more for their versions, unless ``with_versions`` is False: a status is enough)."""
    if not assignments:
        return {}
    owners = Submission.user_id == user_id
    if team_id is not None:
        owners = or_(owners, Submission.team_id == team_id)
    rows = session.scalars(
        select(Submission)
        .where(Submission.assignment_id.in_([a.id for a in assignments]), owners)
        .options(selectinload(Submission.versions) if with_versions else lazyload(Submission.versions))
    )
    kinds = {a.id: a.kind for a in assignments}
    found: dict[int, Submission] = {}
    for row in rows:
        wanted = kinds[row.assignment_id] is AssignmentKind.TEAM
        if (row.team_id is not None) == wanted:
            found[row.assignment_id] = row
    return found


def matrix(session: Session, cohort: Cohort) -> Matrix:
    assignments = assignments_of(session, cohort)
    people = participants(session, cohort)
    teams = {
        m.user_id: m.team
        for m in session.scalars(
            select(TeamMember).where(TeamMember.cohort_id == cohort.id).options(joinedload(TeamMember.team))
        )
    }
    subs = (
        session.scalars(
            select(Submission)
            .where(Submission.assignment_id.in_([a.id for a in assignments]))
            .options(*submission_options())
        ).unique()
        if assignments
        else []
    )
    by_user, by_team = {}, {}
    for s in subs:
        if s.user_id is not None:
            by_user[(s.assignment_id, s.user_id)] = s
        else:
            by_team[(s.assignment_id, s.team_id)] = s  # type: ignore[index]
    return Matrix(assignments, people, teams, by_user, by_team)


def archive_entries(
    session: Session,
    assignment: Assignment,
    *,
    upload_dir: str,
    folder: Callable[[Submission], str],
    version_folder: Callable[[SubmissionVersion], str],
    text_name: str,
) -> list[tuple[str, bytes | Path]]:
    """Every file (and text) of every version of an assignment, one folder per person or team."""
    entries: list[tuple[str, bytes | Path]] = []
    for submission in session.scalars(
        select(Submission)
        .where(Submission.assignment_id == assignment.id)
        .options(
            *submission_options(),
            selectinload(Submission.versions).selectinload(SubmissionVersion.files).joinedload(SubmissionFile.file),
        )
        .order_by(Submission.id)
    ).unique():
        base = folder(submission)
        for version in submission.versions:
            where = f"{base}/{version_folder(version)}"
            if version.text:
                entries.append((f"{where}/{text_name}", version.text.encode("utf-8")))
            for item in version.files:
                entries.append((f"{where}/{item.file.original_name}", storage.path_of(item.file, upload_dir)))
    return entries
