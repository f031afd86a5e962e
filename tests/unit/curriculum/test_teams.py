"""Forming teams in a cohort: applying a suggestion, adjusting by hand, publishing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from core.dates import utcnow
from curriculum import formation
from curriculum.models import AssignmentKind, Team, TeamMember
from curriculum.services import Conflict, Refused
from curriculum.services import teams as services
from tests import factories
from tests import factories_curriculum as fc

CODES = [
    factories.YOKOHAMA,
    factories.KAWASAKI,
    factories.YOKOSUKA,
    factories.KAMAKURA,
    factories.FUJISAWA,
    factories.ZUSHI,
]


def _cohort_of_twelve():  # type: ignore[no-untyped-def]
    cohort = fc.cohort()
    people = [fc.participant_in(cohort, CODES[i % 6]) for i in range(12)]
    return cohort, people


def _apply(session, cohort, k: int = 3, seed: int = 1):  # type: ignore[no-untyped-def]
    people_in = services.formation_input(session, cohort)
    suggestion = formation.suggest(people_in, k, seed)
    return services.apply_suggestion(
        session, cohort, suggestion, expected=services.fingerprint(people_in), actor=factories.facilitator()
    )


def test_apply_a_suggestion_then_apply_another(session) -> None:
    cohort, people = _cohort_of_twelve()
    teams = _apply(session, cohort, 3)
    session.commit()
    assert [t.number for t in teams] == [1, 2, 3] and [t.name for t in teams] == [
        "チーム1",
        "チーム2",
        "チーム3",
    ]
    assert sorted(m.user_id for t in teams for m in t.members) == sorted(p.id for p in people)
    city_of = services.cities_by_user(session, cohort)
    assert all(services.rule_problems(t, city_of) == [] for t in teams)
    again = _apply(session, cohort, 2, seed=5)
    session.commit()
    assert len(again) == 2 and session.scalar(select(func.count(Team.id))) == 2
    assert session.scalar(select(func.count(TeamMember.id))) == 12


def test_a_stale_suggestion_is_refused(session) -> None:
    cohort, _ = _cohort_of_twelve()
    people_in = services.formation_input(session, cohort)
    suggestion = formation.suggest(people_in, 3, 1)
    fc.participant_in(cohort, factories.MACHIDA)  # someone joined after the preview
    with pytest.raises(Conflict):
        services.apply_suggestion(
            session,
            cohort,
            suggestion,
            expected=services.fingerprint(people_in),
            actor=factories.facilitator(),
        )


def test_published_teams_are_adjusted_by_hand_only(session, app) -> None:
    cohort, people = _cohort_of_twelve()
    teams = _apply(session, cohort, 3)
    services.publish_teams(session, cohort, actor=factories.facilitator(), now=utcnow())
    assert cohort.teams_published
    with pytest.raises(Refused) as caught:
        _apply(session, cohort, 3)
    assert caught.value.code == "teams_published"
    # Move someone by hand: a person is only ever in one team.
    person = people[0]
    target = next(t for t in teams if all(m.user_id != person.id for m in t.members))
    services.move_member(session, cohort, person.id, target, actor=factories.facilitator())
    session.commit()
    assert session.scalar(select(TeamMember.team_id).filter_by(user_id=person.id)) == target.id
    services.move_member(session, cohort, person.id, None, actor=factories.facilitator())
    assert [e.user_id for e in services.unplaced(session, cohort)] == [person.id]
    with pytest.raises(Refused):
        services.move_member(
            session, cohort, factories.participant().id, target, actor=factories.facilitator()
        )


def test_teams_with_work_are_not_reformed(session, app) -> None:
    cohort, people = _cohort_of_twelve()
    _apply(session, cohort, 3)
    row = fc.assignment(cohort, kind=AssignmentKind.TEAM)
    from curriculum.services.assignments import submit

    submit(
        session,
        row,
        user=people[0],
        text="骨子",
        uploads=[],
        base_version=0,
        upload_dir=app.config["UPLOAD_DIR"],
        now=utcnow(),
    )
    with pytest.raises(Refused) as caught:
        _apply(session, cohort, 3)
    assert caught.value.code == "teams_have_work"


def test_rename_add_and_mentor(session) -> None:
    cohort, _ = _cohort_of_twelve()
    first, second = _apply(session, cohort, 2)
    with pytest.raises(Refused) as caught:
        services.update_team(session, second, name=first.name, mentor=None, actor=factories.facilitator())
    assert caught.value.field == "name"
    with pytest.raises(Refused) as caught:
        services.update_team(
            session, first, name="防災リンク", mentor=factories.participant(), actor=factories.facilitator()
        )
    assert caught.value.field == "mentor"
    alumnus = factories.alumnus()
    services.update_team(session, first, name="防災リンク", mentor=alumnus, actor=factories.facilitator())
    assert (first.name, first.mentor_id) == ("防災リンク", alumnus.id)
    extra = services.add_team(session, cohort, name="", actor=factories.facilitator())
    assert (extra.number, extra.name) == (3, "チーム3")
    with pytest.raises(Refused):
        services.add_team(session, cohort, name="防災リンク", actor=factories.facilitator())


def test_nothing_to_publish(session) -> None:
    with pytest.raises(Refused) as caught:
        services.publish_teams(session, fc.cohort(), actor=factories.facilitator(), now=utcnow())
    assert caught.value.code == "no_teams"


def test_hand_moves_that_break_a_rule_are_pointed_out(session) -> None:
    cohort = fc.cohort()
    a, b = fc.participant_in(cohort), fc.participant_in(cohort)
    c = fc.participant_in(cohort, factories.KAWASAKI)
    team = fc.team(cohort, [a, b, c])
    problems = services.rule_problems(team, services.cities_by_user(session, cohort))
    assert [code for code, _ in problems] == ["team_few_cities", "team_majority"]
