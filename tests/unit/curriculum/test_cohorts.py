"""Cohort lifecycle, quotas, nomination (including a race), withdrawal, closing into alumni."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from core.dates import utcnow
from core.errors import DomainError
from curriculum.models import CityQuota, Cohort, CohortStatus, Enrolment, EnrolmentStatus, Team, TeamMember
from curriculum.services import Conflict, Refused
from curriculum.services import cohorts as services
from curriculum.services.cohorts import Nominee
from people.models import City, Invitation, Role, User
from tests import factories
from tests import factories_curriculum as fc


def _places(n: int = 3) -> dict[int, int]:
    return {c.id: n for c in factories.cities().values()}


def _open(session, fy: int = 2026, **kw):  # type: ignore[no-untyped-def]
    admin = kw.pop("actor", None) or factories.admin()
    values = dict(
        fiscal_year=fy,
        title_ja="令和8年度 8市連携スタディミーティング",
        title_en="FY2026",
        starts_on=date(fy, 4, 1),
        ends_on=date(fy + 1, 3, 31),
        facilitators=[],
        places=_places(),
        actor=admin,
        now=utcnow(),
    )
    values.update(kw)
    return services.open_cohort(session, **values)


# --- opening and editing ------------------------------------------------------------------------------


def test_open_cohort_with_places_and_facilitators(session) -> None:
    facilitator = factories.facilitator()
    cohort = _open(session, facilitators=[facilitator])
    session.commit()
    assert cohort.status is CohortStatus.PLANNED
    assert {q.places for q in cohort.quotas} == {3} and len(cohort.quotas) == 8
    assert [f.user_id for f in cohort.facilitators] == [facilitator.id]
    assert services.default_titles(2026) == (
        "令和8年度 8市連携スタディミーティング",
        "FY2026 8-City Study Meeting",
    )


def test_one_cohort_per_fiscal_year(session) -> None:
    _open(session)
    session.commit()
    with pytest.raises(Refused) as caught:
        _open(session)
    assert caught.value.field == "fiscal_year" and caught.value.params["fy"] == "令和8年度"


@pytest.mark.parametrize(
    "starts,ends,field,code",
    [
        (date(2026, 3, 31), date(2027, 3, 31), "starts_on", "date_outside_fy"),
        (date(2026, 4, 1), date(2027, 4, 1), "ends_on", "date_outside_fy"),
        (date(2026, 9, 1), date(2026, 6, 1), "ends_on", "ends_before_start"),
    ],
)
def test_open_refuses_bad_dates(session, starts, ends, field, code) -> None:
    with pytest.raises(Refused) as caught:
        _open(session, starts_on=starts, ends_on=ends)
    assert (caught.value.field, caught.value.code) == (field, code)


def test_a_year_that_has_ended_cannot_be_opened(session) -> None:
    with pytest.raises(Refused) as caught:
        _open(session, fy=2020, starts_on=date(2020, 4, 1), ends_on=date(2021, 3, 31))
    assert caught.value.code == "date_in_past"


def test_only_facilitators_can_be_named(session) -> None:
    with pytest.raises(Refused) as caught:
        _open(session, facilitators=[factories.participant()])
    assert caught.value.field == "facilitators"


def test_places_cannot_drop_below_those_enrolled(session) -> None:
    cohort = fc.cohort()
    yokohama = factories.city(factories.YOKOHAMA)
    for _ in range(2):
        fc.participant_in(cohort, factories.YOKOHAMA)
    places = _places()
    places[yokohama.id] = 1
    with pytest.raises(Refused) as caught:
        services.update_cohort(
            session,
            cohort,
            title_ja="x",
            title_en="x",
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            facilitators=[],
            places=places,
            actor=factories.admin(),
            now=utcnow(),
        )
    assert caught.value.field == f"city:{yokohama.id}" and caught.value.params["taken"] == 2


def test_start_only_from_planned(session) -> None:
    cohort = fc.cohort(status=CohortStatus.PLANNED)
    services.start_cohort(session, cohort, actor=factories.admin())
    assert cohort.status is CohortStatus.OPEN
    with pytest.raises(Refused):
        services.start_cohort(session, cohort, actor=factories.admin())


# --- closing ------------------------------------------------------------------------------------------


def test_closing_turns_participants_into_alumni_and_keeps_everything(session) -> None:
    cohort = fc.cohort()
    stays, leaves, busy = (fc.participant_in(cohort) for _ in range(3))
    services.withdraw(
        session, session.scalar(select(Enrolment).filter_by(user_id=leaves.id)), actor=leaves, now=utcnow()
    )
    next_year = fc.cohort(2027, status=CohortStatus.PLANNED)
    fc.enrol(next_year, busy)  # takes part again next year: keeps the participant role
    fc.team(cohort, [stays, busy])
    session.commit()

    result = services.close_cohort(session, cohort, actor=factories.admin(), now=utcnow())
    session.commit()

    assert cohort.status is CohortStatus.CLOSED and cohort.closed_at is not None
    assert (
        sorted(e.user_id for e in result.completed) == sorted([stays.id, busy.id]) and result.withdrawn == 1
    )
    statuses = dict(
        session.execute(
            select(Enrolment.user_id, Enrolment.status).where(Enrolment.cohort_id == cohort.id)
        ).all()
    )
    assert statuses == {
        stays.id: EnrolmentStatus.COMPLETED,
        busy.id: EnrolmentStatus.COMPLETED,
        leaves.id: EnrolmentStatus.WITHDRAWN,
    }
    assert fc.has_role(stays, Role.ALUMNUS) and not fc.has_role(stays, Role.PARTICIPANT)
    assert fc.has_role(busy, Role.ALUMNUS) and fc.has_role(busy, Role.PARTICIPANT)
    assert not fc.has_role(leaves, Role.ALUMNUS)
    assert session.scalar(select(func.count(TeamMember.id))) == 2  # the team is history, not deleted
    assert any(g.revoked_at for g in stays.grants if g.role is Role.PARTICIPANT)  # revoked, kept
    with pytest.raises(Refused):
        services.close_cohort(session, cohort, actor=factories.admin(), now=utcnow())


# --- nominating --------------------------------------------------------------------------------------


def test_existing_account_is_enrolled_directly(session) -> None:
    cohort = fc.cohort()
    coordinator = factories.coordinator(factories.YOKOHAMA)
    person = factories.user(city_code=factories.YOKOHAMA, email="tanaka@city.example.jp")
    done = services.nominate(
        session,
        cohort,
        factories.city(),
        [Nominee("Tanaka@City.example.jp", "田中 一郎")],
        actor=coordinator,
        now=utcnow(),
    )
    session.commit()
    assert done[0].user.id == person.id and done[0].invitation is None
    assert done[0].enrolment.nominated_by_id == coordinator.id
    assert fc.has_role(person, Role.PARTICIPANT)


def test_new_people_get_an_account_and_an_invitation(session) -> None:
    cohort = fc.cohort()
    done = services.nominate(
        session,
        cohort,
        factories.city(),
        [Nominee("new@city.example.jp", "髙橋 美咲", "たかはし みさき")],
        actor=factories.coordinator(),
        now=utcnow(),
    )
    session.commit()
    user = done[0].user
    assert (
        user.password_hash is None
        and user.name_kana == "たかはし みさき"
        and user.city_id == factories.city().id
    )
    invitation = session.scalar(select(Invitation).filter_by(email="new@city.example.jp"))
    assert invitation.role is Role.PARTICIPANT and done[0].invitation.raw


def test_too_many_nominees_are_refused_and_nothing_is_created(session) -> None:
    cohort = fc.cohort(places=3)
    fc.participant_in(cohort)
    nominees = [Nominee(f"p{i}@city.example.jp", f"候補 {i}") for i in range(3)]
    with pytest.raises(Refused) as caught:
        services.nominate(session, cohort, factories.city(), nominees, actor=factories.admin(), now=utcnow())
    session.rollback()
    assert caught.value.code == "too_many_nominees" and caught.value.field == "nominees"
    assert caught.value.params == {"city": "横浜市", "places": 3, "left": 2, "count": 3}
    assert session.scalar(select(func.count(Enrolment.id))) == 1
    assert session.scalar(select(User.id).filter_by(email="p0@city.example.jp")) is None


@pytest.mark.parametrize("case", ["duplicate", "other_city", "already", "no_places", "closed"])
def test_nomination_refusals(session, case: str) -> None:
    cohort = fc.cohort(status=CohortStatus.CLOSED if case == "closed" else CohortStatus.OPEN)
    city = factories.city()
    nominees = [Nominee("a@city.example.jp", "甲 一")]
    if case == "duplicate":
        nominees.append(Nominee("A@city.example.jp", "甲 一"))
    elif case == "other_city":
        factories.user(city_code=factories.KAWASAKI, email="a@city.example.jp")
    elif case == "already":
        fc.enrol(cohort, factories.user(email="a@city.example.jp"))
    elif case == "no_places":
        session.execute(CityQuota.__table__.update().values(places=0))
        session.commit()
    with pytest.raises(Refused) as caught:
        services.nominate(session, cohort, city, nominees, actor=factories.admin(), now=utcnow())
    assert (
        caught.value.code
        == {
            "duplicate": "duplicate_nominee",
            "other_city": "other_city",
            "already": "already_enrolled",
            "no_places": "no_places",
            "closed": "cohort_closed",
        }[case]
    )


def test_withdrawing_frees_the_place_and_renominating_restores_the_record(session) -> None:
    cohort = fc.cohort(places=1)
    person = fc.participant_in(cohort)
    enrolment = session.scalar(select(Enrolment).filter_by(user_id=person.id))
    fc.team(cohort, [person])
    services.withdraw(session, enrolment, actor=person, now=utcnow())
    session.commit()
    assert enrolment.status is EnrolmentStatus.WITHDRAWN and enrolment.withdrawn_at is not None
    assert session.scalar(select(func.count(TeamMember.id))) == 0
    assert session.scalar(select(func.count(Team.id))) == 1
    assert not fc.has_role(person, Role.PARTICIPANT)
    with pytest.raises(Refused):
        services.withdraw(session, enrolment, actor=person, now=utcnow())
    done = services.nominate(
        session,
        cohort,
        factories.city(),
        [Nominee(person.email, person.name)],
        actor=factories.admin(),
        now=utcnow(),
    )
    session.commit()
    assert done[0].enrolment.id == enrolment.id and enrolment.status is EnrolmentStatus.ENROLLED
    assert session.scalar(select(func.count(Enrolment.id))) == 1


def test_enrolment_overview_by_city(session) -> None:
    cohort = fc.cohort(places=2)
    fc.participant_in(cohort, factories.YOKOHAMA)
    fc.participant_in(cohort, factories.KAWASAKI)
    rows = {r.city.code: r for r in services.enrolment_by_city(session, cohort)}
    assert (
        len(rows) == 8 and len(rows[factories.YOKOHAMA].enrolled) == 1 and rows[factories.YOKOHAMA].left == 1
    )
    only = services.enrolment_by_city(
        session, cohort, city_ids=frozenset({factories.city(factories.KAWASAKI).id})
    )
    assert [r.city.code for r in only] == [factories.KAWASAKI]


def test_interests_are_kept_as_codes(session) -> None:
    cohort = fc.cohort()
    enrolment = fc.enrol(cohort, factories.participant())
    services.set_interests(session, enrolment, ["disaster", "dx", "disaster"])
    assert enrolment.interests == "disaster,dx"


def test_concurrent_nominations_never_overfill_a_city(app) -> None:
    """Eight coordinators' clicks at once for a city with three places: exactly three get in."""
    with app.app_context():
        cohort_id = fc.cohort(places=3).id
        city_id = factories.city().id
        admin_id = factories.admin().id
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def nominate(i: int) -> None:
        from core.extensions import db

        with app.app_context():
            cohort, city, actor = (
                db.session.get(Cohort, cohort_id),
                db.session.get(City, city_id),
                db.session.get(User, admin_id),
            )
            barrier.wait()
            try:
                services.nominate(
                    db.session,
                    cohort,
                    city,
                    [Nominee(f"race{i}@city.example.jp", f"競争 {i}")],
                    actor=actor,
                    now=utcnow(),
                )
                db.session.commit()
                outcomes.append("in")
            except (Refused, Conflict, DomainError) as error:
                db.session.rollback()
                outcomes.append(error.message)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=nominate, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    with app.app_context():
        from core.extensions import db

        enrolled = db.session.scalar(select(func.count(Enrolment.id)).where(Enrolment.cohort_id == cohort_id))
    assert enrolled == 3
    assert sorted(outcomes) == ["in"] * 3 + ["too_many_nominees"] * 5
