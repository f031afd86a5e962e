"""Opening, running and closing a cohort; nominating (enrolling) and withdrawing participants."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from core.dates import fiscal_year_bounds, fiscal_year_label, to_tokyo
from curriculum.models import (
    CityQuota,
    Cohort,
    CohortFacilitator,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    TeamMember,
)
from curriculum.services import Conflict, Refused, check_token
from people import services as people
from people.models import City, Role, User, active_cities_query

TAKING_PLACE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED)  # statuses that hold a place


def default_titles(fiscal_year: int) -> tuple[str, str]:
    """("令和8年度 8市連携スタディミーティング", "FY2026 8-City Study Meeting")."""
    return (
        f"{fiscal_year_label(fiscal_year, 'ja')} 8市連携スタディミーティング",
        f"FY{fiscal_year} 8-City Study Meeting",
    )


def _check_dates(
    fiscal_year: int, starts_on: date, ends_on: date, *, today: date, changed: bool = True
) -> None:
    first, last = fiscal_year_bounds(fiscal_year)
    if not first <= starts_on <= last:
        raise Refused("date_outside_fy", "starts_on", fy=fiscal_year_label(fiscal_year))
    if not first <= ends_on <= last:
        raise Refused("date_outside_fy", "ends_on", fy=fiscal_year_label(fiscal_year))
    if ends_on < starts_on:
        raise Refused("ends_before_start", "ends_on")
    if changed and ends_on < today:
        raise Refused("date_in_past", "ends_on")


def _check_facilitators(facilitators: list[User]) -> None:
    for person in facilitators:
        if not person.has_role(Role.FACILITATOR, Role.ADMIN):
            raise Refused("not_facilitator", "facilitators", name=person.name)


def open_cohort(
    session: Session,
    *,
    fiscal_year: int,
    title_ja: str,
    title_en: str,
    starts_on: date,
    ends_on: date,
    facilitators: list[User],
    places: dict[int, int],
    actor: User,
    now: datetime,
) -> Cohort:
    """The secretariat opens the year's cohort (status planned: cities nominate, then it starts)."""
    label = fiscal_year_label(fiscal_year)
    if session.scalar(select(Cohort.id).where(Cohort.fiscal_year == fiscal_year)) is not None:
        raise Refused("cohort_exists", "fiscal_year", fy=label)
    _check_dates(fiscal_year, starts_on, ends_on, today=to_tokyo(now).date())
    _check_facilitators(facilitators)
    if any(n < 0 for n in places.values()):
        raise Refused("places_negative", "places")
    cohort = Cohort(
        fiscal_year=fiscal_year,
        title_ja=title_ja.strip(),
        title_en=title_en.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        status=CohortStatus.PLANNED,
    )
    cohort.facilitators = [CohortFacilitator(user=f) for f in facilitators]
    cohort.quotas = [CityQuota(city_id=city_id, places=n) for city_id, n in sorted(places.items())]
    session.add(cohort)
    try:
        session.flush()
    except IntegrityError as exc:  # a second click, or another secretary, was first (caller rolls back)
        raise Conflict("cohort_exists", "fiscal_year", fy=label) from exc
    people.audit(session, actor, "cohort.open", cohort, label)
    return cohort


def taken_places(session: Session, cohort: Cohort, city_id: int) -> int:
    return (
        session.scalar(
            select(func.count(Enrolment.id)).where(
                Enrolment.cohort_id == cohort.id,
                Enrolment.city_id == city_id,
                Enrolment.status.in_(TAKING_PLACE),
            )
        )
        or 0
    )


def update_cohort(
    session: Session,
    cohort: Cohort,
    *,
    title_ja: str,
    title_en: str,
    starts_on: date,
    ends_on: date,
    facilitators: list[User],
    places: dict[int, int],
    actor: User,
    now: datetime,
    expected_token: str | None = None,
) -> Cohort:
    """Save the year's settings; a stale ``expected_token`` (see ``check_token``) is refused."""
    if cohort.is_closed:
        raise Refused("cohort_closed")
    check_token(session, cohort, expected_token)
    _check_dates(
        cohort.fiscal_year, starts_on, ends_on, today=to_tokyo(now).date(), changed=ends_on != cohort.ends_on
    )
    _check_facilitators(facilitators)
    quotas = {q.city_id: q for q in cohort.quotas}
    for city_id, n in places.items():
        if n < 0:
            raise Refused("places_negative", f"city:{city_id}")
        taken = taken_places(session, cohort, city_id)
        if n < taken:
            raise Refused("places_below_enrolled", f"city:{city_id}", taken=taken)
    cohort.title_ja, cohort.title_en = title_ja.strip(), title_en.strip()
    cohort.starts_on, cohort.ends_on = starts_on, ends_on
    wanted = {f.id for f in facilitators}
    for link in list(cohort.facilitators):
        if link.user_id not in wanted:
            cohort.facilitators.remove(link)
    have = {link.user_id for link in cohort.facilitators}
    cohort.facilitators.extend(CohortFacilitator(user=f) for f in facilitators if f.id not in have)
    for city_id, n in places.items():
        if city_id in quotas:
            quotas[city_id].places = n
        else:
            cohort.quotas.append(CityQuota(city_id=city_id, places=n))
    session.flush()
    people.audit(session, actor, "cohort.update", cohort, fiscal_year_label(cohort.fiscal_year))
    return cohort


def start_cohort(session: Session, cohort: Cohort, *, actor: User) -> None:
    """Planned → open: the year begins."""
    if cohort.status is not CohortStatus.PLANNED:
        raise Refused("cohort_not_planned")
    cohort.status = CohortStatus.OPEN
    session.flush()
    people.audit(session, actor, "cohort.start", cohort, fiscal_year_label(cohort.fiscal_year))


@dataclass
class Closing:
    completed: list[Enrolment] = field(default_factory=list)
    withdrawn: int = 0


def _has_open_enrolment(session: Session, user: User, *, besides: Cohort | None = None) -> bool:
    query = (
        select(Enrolment.id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(
            Enrolment.user_id == user.id,
            Enrolment.status == EnrolmentStatus.ENROLLED,
            Cohort.status != CohortStatus.CLOSED,
        )
    )
    if besides is not None:
        query = query.where(Cohort.id != besides.id)
    return session.scalar(query.limit(1)) is not None


def close_cohort(session: Session, cohort: Cohort, *, actor: User, now: datetime) -> Closing:
    """The year ends: every participant still enrolled completes it and becomes an alumnus.

    Nothing is deleted: enrolments, teams and submissions stay as the record of the year. The
    participant role ends for those with no other running cohort; the alumnus role is added.
    """
    if cohort.is_closed:
        raise Refused("cohort_closed")
    result = Closing()
    for enrolment in session.scalars(
        select(Enrolment).where(Enrolment.cohort_id == cohort.id).order_by(Enrolment.id)
    ):
        if enrolment.status is EnrolmentStatus.WITHDRAWN:
            result.withdrawn += 1
            continue
        if enrolment.status is EnrolmentStatus.ENROLLED:
            enrolment.status = EnrolmentStatus.COMPLETED
            enrolment.completed_at = now
        result.completed.append(enrolment)
    cohort.status = CohortStatus.CLOSED
    cohort.closed_at = now
    cohort.closed_by_id = actor.id
    session.flush()
    for enrolment in result.completed:
        person = enrolment.user
        people.grant_role(session, person, Role.ALUMNUS, by=actor)
        if not _has_open_enrolment(session, person):
            people.revoke_role(session, person, Role.PARTICIPANT, now=now)
    people.audit(
        session,
        actor,
        "cohort.close",
        cohort,
        f"{fiscal_year_label(cohort.fiscal_year)}: {len(result.completed)} completed",
    )
    return result


# --- enrolment -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nominee:
    email: str
    name: str
    name_kana: str = ""


@dataclass
class Nominated:
    user: User
    enrolment: Enrolment
    invitation: people.IssuedToken | None = None  # a new account: the link to mail


def lock_quota(session: Session, cohort: Cohort, city_id: int) -> CityQuota | None:
    """The city's quota row, locked until the transaction ends.

    An UPDATE that changes nothing takes the row lock on PostgreSQL and the write lock on SQLite,
    so a count of places made after it cannot be raced by another nomination for the same city.
    """
    session.execute(
        update(CityQuota)
        .where(CityQuota.cohort_id == cohort.id, CityQuota.city_id == city_id)
        .values(places=CityQuota.places)
        .execution_options(synchronize_session=False)
    )
    return session.scalar(
        select(CityQuota)
        .where(CityQuota.cohort_id == cohort.id, CityQuota.city_id == city_id)
        .execution_options(populate_existing=True)
    )


def nominate(
    session: Session,
    cohort: Cohort,
    city: City,
    nominees: list[Nominee],
    *,
    actor: User,
    now: datetime,
    invitation_days: int = 14,
) -> list[Nominated]:
    """A city enrols its participants within its places. All or nothing.

    Existing accounts are enrolled directly; new people get an account without a password and an
    invitation (the caller mails the link). Refusals name the field "nominees".
    """
    if cohort.is_closed:
        raise Refused("cohort_closed", "nominees")
    if not nominees:
        raise Refused("no_nominees", "nominees")
    emails = [people.normalize_email(n.email) for n in nominees]
    for e in emails:
        if emails.count(e) > 1:
            raise Refused("duplicate_nominee", "nominees", email=e)
    quota = lock_quota(session, cohort, city.id)  # first: everything below happens under the lock
    if quota is None or quota.places == 0:
        raise Refused("no_places", "nominees", city=city.name_ja)
    plans: list[tuple[Nominee, str, User | None, Enrolment | None]] = []
    for nominee, email in zip(nominees, emails, strict=True):
        user = people.get_user_by_email(session, email)
        enrolment = None
        if user is not None:
            if user.city_id not in (None, city.id):
                raise Refused(
                    "other_city", "nominees", name=user.name, city=user.city.name_ja if user.city else ""
                )
            enrolment = session.scalar(
                select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id)
            )
            if enrolment is not None and enrolment.status is not EnrolmentStatus.WITHDRAWN:
                raise Refused("already_enrolled", "nominees", name=user.name)
        plans.append((nominee, email, user, enrolment))
    taken = taken_places(session, cohort, city.id)
    if taken + len(plans) > quota.places:
        raise Refused(
            "too_many_nominees",
            "nominees",
            city=city.name_ja,
            places=quota.places,
            left=max(0, quota.places - taken),
            count=len(plans),
        )
    done: list[Nominated] = []
    for nominee, email, user, enrolment in plans:
        issued = None
        if user is None:
            issued = people.invite(
                session,
                email=email,
                name=nominee.name,
                name_kana=nominee.name_kana,
                role=Role.PARTICIPANT,
                city=city,
                invited_by=actor,
                now=now,
                days=invitation_days,
            )
            assert isinstance(issued, people.IssuedToken)
            user = people.create_user(
                session, email=email, name=nominee.name, name_kana=nominee.name_kana, city=city
            )
        people.grant_role(session, user, Role.PARTICIPANT, by=actor)
        if enrolment is None:
            enrolment = Enrolment(cohort=cohort, user=user, city_id=city.id, nominated_by_id=actor.id)
            session.add(enrolment)
        else:  # nominated again after withdrawing: the same record, back in
            enrolment.status = EnrolmentStatus.ENROLLED
            enrolment.withdrawn_at = None
            enrolment.city_id = city.id
            enrolment.nominated_by_id = actor.id
        done.append(Nominated(user, enrolment, issued))
    try:
        session.flush()
    except IntegrityError as exc:  # the caller rolls back
        raise Conflict("already_enrolled", "nominees", name="") from exc
    people.audit(
        session, actor, "cohort.nominate", cohort, f"{city.code}: " + ", ".join(d.user.email for d in done)
    )
    return done


def withdraw(session: Session, enrolment: Enrolment, *, actor: User, now: datetime) -> None:
    """A participant leaves the year. The enrolment stays (as withdrawn); the place is freed."""
    if enrolment.cohort.is_closed:
        raise Refused("cohort_closed")
    if enrolment.status is not EnrolmentStatus.ENROLLED:
        raise Refused("not_enrolled")
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.withdrawn_at = now
    membership = session.scalar(
        select(TeamMember).where(
            TeamMember.cohort_id == enrolment.cohort_id, TeamMember.user_id == enrolment.user_id
        )
    )
    if membership is not None:
        session.delete(membership)
    session.flush()
    if not _has_open_enrolment(session, enrolment.user):
        people.revoke_role(session, enrolment.user, Role.PARTICIPANT, now=now)
    people.audit(session, actor, "cohort.withdraw", enrolment, enrolment.user.email)


def set_interests(session: Session, enrolment: Enrolment, interests: list[str]) -> None:
    cleaned = []
    for item in interests:
        item = item.strip().replace(",", " ")
        if item and item not in cleaned:
            cleaned.append(item)
    text = ",".join(cleaned)
    if len(text) > 500:
        raise Refused("interests_too_long", "interests")
    enrolment.interests = text
    session.flush()


# --- overview --------------------------------------------------------------------------------------


@dataclass
class CityEnrolment:
    city: City
    places: int
    enrolled: list[Enrolment]
    withdrawn: list[Enrolment]

    @property
    def left(self) -> int:
        return max(0, self.places - len(self.enrolled))


def enrolment_by_city(
    session: Session, cohort: Cohort, *, city_ids: frozenset[int] | None = None
) -> list[CityEnrolment]:
    """Every member city's places and people in one go (the secretariat's at-a-glance view)."""
    quotas = dict(
        session.execute(select(CityQuota.city_id, CityQuota.places).where(CityQuota.cohort_id == cohort.id)).all()
    )
    enrolments = session.scalars(
        select(Enrolment)
        .where(Enrolment.cohort_id == cohort.id)
        .join(User, User.id == Enrolment.user_id)
        .options(*with_people())
        .order_by(User.name_kana, User.id)
    ).all()
    rows = []
    for city in session.scalars(active_cities_query()):
        if city_ids is not None and city.id not in city_ids:
            continue
        mine = [e for e in enrolments if e.city_id == city.id]
        rows.append(
            CityEnrolment(
                city,
                quotas.get(city.id, 0),
                [e for e in mine if e.status in TAKING_PLACE],
                [e for e in mine if e.status is EnrolmentStatus.WITHDRAWN],
            )
        )
    return rows


def facilitator_names(session: Session, cohort: Cohort) -> list[str]:
    return list(
        session.scalars(
            select(User.name)
            .join(CohortFacilitator, CohortFacilitator.user_id == User.id)
            .where(CohortFacilitator.cohort_id == cohort.id)
            .order_by(User.name_kana, User.id)
        )
    )


def current_cohort(session: Session) -> Cohort | None:
    """The running cohort (open, else planned), newest year first."""
    return session.scalar(
        select(Cohort)
        .where(Cohort.status != CohortStatus.CLOSED)
        .order_by((Cohort.status == CohortStatus.OPEN).desc(), Cohort.fiscal_year.desc())
        .limit(1)
    )


def with_people() -> tuple[Any, ...]:
    """Load options for enrolments listed with their people (joined to ``User`` by the query)."""
    return (contains_eager(Enrolment.user).lazyload(User.grants),)


def participants(session: Session, cohort: Cohort) -> list[Enrolment]:
    """Enrolled (or, once closed, completed) participants, by city and reading."""
    return list(
        session.scalars(
            select(Enrolment)
            .join(User, User.id == Enrolment.user_id)
            .join(City, City.id == Enrolment.city_id)
            .where(Enrolment.cohort_id == cohort.id, Enrolment.status.in_(TAKING_PLACE))
            .options(*with_people(), contains_eager(Enrolment.city))
            .order_by(City.sort_order, City.code, User.name_kana, User.id)
        )
    )
