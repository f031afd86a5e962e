"""Forming the cross-city teams of a cohort: a suggestion, adjustments by hand, publishing."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from curriculum import formation
from curriculum.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Submission,
    Team,
    TeamMember,
    TeamPublication,
)
from curriculum.services import Conflict, Refused
from curriculum.services.cohorts import participants
from people import services as people
from people.models import Role, User


def active_people(session: Session, cohort: Cohort) -> list[Enrolment]:
    return [e for e in participants(session, cohort) if e.status is EnrolmentStatus.ENROLLED]


def formation_input(session: Session, cohort: Cohort) -> list[formation.Person]:
    return [
        formation.Person(e.user_id, e.city_id, formation.parse_interests(e.interests))
        for e in active_people(session, cohort)
    ]


def fingerprint(people_in: list[formation.Person]) -> str:
    """Changes when anyone joins, leaves, moves city or changes interests (a preview gone stale)."""
    text = "|".join(
        f"{p.id}:{p.city}:{','.join(sorted(p.interests))}" for p in sorted(people_in, key=lambda p: p.id)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def teams_with_sizes(session: Session, cohort: Cohort) -> list[tuple[Team, int]]:
    """The cohort's teams and how many members each has, in one query."""
    return [
        (team, size)
        for team, size in session.execute(
            select(Team, func.count(TeamMember.id))
            .outerjoin(TeamMember, TeamMember.team_id == Team.id)
            .where(Team.cohort_id == cohort.id)
            .group_by(Team.id)
            .order_by(Team.number)
        ).all()
    ]


def teams_of(session: Session, cohort: Cohort) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.cohort_id == cohort.id).order_by(Team.number)))


def _check_open(cohort: Cohort) -> None:
    if cohort.is_closed:
        raise Refused("cohort_closed")


def apply_suggestion(
    session: Session, cohort: Cohort, suggestion: formation.Suggestion, *, expected: str, actor: User
) -> list[Team]:
    """Replace the draft teams with a suggestion. Only before the teams are published: after that,
    teams have workspaces and submissions and are adjusted by hand."""
    _check_open(cohort)
    if cohort.teams_published:
        raise Refused("teams_published")
    if fingerprint(formation_input(session, cohort)) != expected:
        raise Conflict("suggestion_stale")
    existing = teams_of(session, cohort)
    used = set(
        session.scalars(select(Submission.team_id).where(Submission.team_id.in_([t.id for t in existing])))
    )
    if used:
        raise Refused("teams_have_work")
    for team in existing:
        team.members.clear()
    session.flush()
    by_number = {t.number: t for t in existing}
    result = []
    for index, member_ids in enumerate(suggestion.teams, start=1):
        team = by_number.pop(index, None)
        if team is None:
            team = Team(cohort_id=cohort.id, number=index, name=_free_name(session, cohort, index))
            session.add(team)
        team.members.extend(TeamMember(cohort_id=cohort.id, user_id=uid) for uid in member_ids)
        result.append(team)
    for leftover in by_number.values():  # fewer teams than before: the empty drafts go
        session.delete(leftover)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("suggestion_stale") from exc
    people.audit(session, actor, "teams.suggest", cohort, f"{len(result)} teams")
    return result


def _free_name(session: Session, cohort: Cohort, number: int) -> str:
    name = f"チーム{number}"
    taken = set(session.scalars(select(Team.name).where(Team.cohort_id == cohort.id)))
    while name in taken:
        name += "'"
    return name


def add_team(session: Session, cohort: Cohort, *, name: str, actor: User) -> Team:
    _check_open(cohort)
    number = (session.scalar(select(func.max(Team.number)).where(Team.cohort_id == cohort.id)) or 0) + 1
    name = name.strip() or _free_name(session, cohort, number)
    if session.scalar(select(Team.id).where(Team.cohort_id == cohort.id, Team.name == name)) is not None:
        raise Refused("team_name_taken", "name")
    team = Team(cohort_id=cohort.id, number=number, name=name)
    session.add(team)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("team_name_taken", "name") from exc
    return team


def update_team(session: Session, team: Team, *, name: str, mentor: User | None, actor: User) -> Team:
    """Rename a team and choose (or clear) its mentor, an alumnus who advises it."""
    _check_open(team.cohort)
    name = name.strip()
    if not name:
        raise Refused("required", "name")
    clash = session.scalar(select(Team.id).where(Team.cohort_id == team.cohort_id, Team.name == name))
    if clash is not None and clash != team.id:
        raise Refused("team_name_taken", "name")
    if mentor is not None and not mentor.has_role(Role.ALUMNUS):
        raise Refused("mentor_not_alumnus", "mentor")
    team.name, team.mentor_id = name, mentor.id if mentor else None
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict("team_name_taken", "name") from exc
    people.audit(session, actor, "team.update", team, name)
    return team


def move_member(session: Session, cohort: Cohort, user_id: int, team: Team | None, *, actor: User) -> None:
    """Put a participant into ``team`` (None: out of every team)."""
    _check_open(cohort)
    if team is not None and team.cohort_id != cohort.id:
        raise Refused("not_in_cohort", "team")
    enrolment = session.scalar(
        select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user_id)
    )
    if enrolment is None or enrolment.status is not EnrolmentStatus.ENROLLED:
        raise Refused("not_in_cohort", "person")
    membership = session.scalar(
        select(TeamMember).where(TeamMember.cohort_id == cohort.id, TeamMember.user_id == user_id)
    )
    if membership is not None and team is not None and membership.team_id == team.id:
        return
    if membership is not None:
        session.delete(membership)
        session.flush()
    if team is not None:
        session.add(TeamMember(team_id=team.id, cohort_id=cohort.id, user_id=user_id))
    try:
        session.flush()
    except IntegrityError as exc:  # someone moved the same person at the same moment
        raise Conflict("move_conflict", "person") from exc
    people.audit(session, actor, "team.move", enrolment, f"user {user_id} → {team.name if team else '-'}")


def publish_teams(session: Session, cohort: Cohort, *, actor: User, now: datetime) -> None:
    _check_open(cohort)
    teams = teams_of(session, cohort)
    if not teams:
        raise Refused("no_teams")
    if cohort.publication is None:
        cohort.publication = TeamPublication(published_at=now, published_by_id=actor.id)
        session.flush()
        people.audit(session, actor, "teams.publish", cohort, f"{len(teams)} teams")


def unplaced(session: Session, cohort: Cohort) -> list[Enrolment]:
    placed = set(session.scalars(select(TeamMember.user_id).where(TeamMember.cohort_id == cohort.id)))
    return [e for e in active_people(session, cohort) if e.user_id not in placed]


def cities_by_user(session: Session, cohort: Cohort) -> dict[int, int]:
    """The city each participant was nominated by in this cohort."""
    return dict(
        session.execute(
            select(Enrolment.user_id, Enrolment.city_id).where(Enrolment.cohort_id == cohort.id)
        ).all()
    )


def rule_problems(team: Team, city_of: dict[int, int]) -> list[tuple[str, dict[str, object]]]:
    """The formation rules this team breaks now (after hand adjustments)."""
    return formation.team_problems([city_of.get(m.user_id, 0) for m in team.members])
