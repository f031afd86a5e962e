"""A small cohort for the wiki's web tests: two teams, a mentor, a facilitator, someone from another year.

Requests must not run inside a test's own app context (Flask would share it, and with it ``g`` and the
signed-in user, between requests), so setup and checks open a short one: ``with indb() as s: …``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import SimpleNamespace
from typing import Any

import pytest

from core.events import happened
from curriculum.models import CohortStatus, EnrolmentStatus
from people.models import Role
from tests import factories
from tests import factories_wiki as fw


@pytest.fixture()
def indb(app) -> Callable[[], AbstractContextManager[Any]]:  # type: ignore[no-untyped-def]
    """``with indb() as session:`` — a short application context for setup and checks."""
    from core.extensions import db

    @contextmanager
    def _open() -> Iterator[Any]:
        with app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()

    return _open


@pytest.fixture()
def w(indb):  # type: ignore[no-untyped-def]
    """``w.yoko`` and ``w.kawa`` in team 1, ``w.zushi`` in team 2 (mentor ``w.mentor``), facilitator ``w.fac``,
    ``w.other`` in a closed earlier cohort; ``w.ws1`` / ``w.ws2`` their team spaces, ``w.shared`` the cohort's."""
    with indb():
        return _world()


def _world() -> SimpleNamespace:
    fac = factories.facilitator(name="進行 真理")
    yoko = factories.participant(factories.YOKOHAMA, name="横浜 一花", name_kana="よこはま いちか")
    kawa = factories.participant(factories.KAWASAKI, name="川崎 二葉", name_kana="かわさき ふたば")
    zushi = factories.participant(factories.ZUSHI, name="逗子 三波", name_kana="ずし みなみ")
    mentor = factories.alumnus(name="藤沢 先輩", name_kana="ふじさわ せんぱい")
    other = factories.user(Role.ALUMNUS, city_code=factories.MACHIDA, name="町田 昔男")
    cohort = fw.cohort(fiscal_year=2026, facilitators=(fac,))
    team1 = fw.team(cohort, yoko, kawa, name="防災チーム")
    team2 = fw.team(cohort, zushi, mentor=mentor, name="子育てチーム")
    old = fw.cohort(fiscal_year=2024, status=CohortStatus.CLOSED)
    fw.enrol(old, other, EnrolmentStatus.COMPLETED)
    return SimpleNamespace(fac=fac, yoko=yoko, kawa=kawa, zushi=zushi, mentor=mentor, other=other, cohort=cohort,
                           old=old, team1=team1, team2=team2, ws1=fw.team_space(team1), ws2=fw.team_space(team2),
                           shared=fw.cohort_space(cohort))


@pytest.fixture()
def events() -> Iterator[list[Any]]:
    """Domain events published during the test."""
    seen: list[Any] = []

    def listen(sender: Any, event: Any) -> None:
        seen.append(event)

    happened.connect(listen)
    yield seen
    happened.disconnect(listen)


@pytest.fixture()
def person(indb):  # type: ignore[no-untyped-def]
    """``person()`` a new participant, ``person(factories.facilitator)`` … (made in a short context)."""

    def _make(builder: Callable[..., Any] = factories.participant, **kw: Any) -> Any:
        with indb():
            return builder(**kw)

    return _make
