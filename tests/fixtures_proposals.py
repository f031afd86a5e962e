"""Fixtures shared by the proposal tests (unit and web): a cohort with two teams, captured domain events.

Web tests build the year in an app context of their own and leave it: a test client's requests must not
run inside the test's app context, or Flask-Login would keep the first signed-in user on ``g``.
"""
from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from core.events import Event, happened


@pytest.fixture()
def events() -> Iterator[list[Event]]:
    """Every domain event published during the test."""
    seen: list[Event] = []

    def _listen(sender: Any, event: Event) -> None:
        seen.append(event)

    happened.connect(_listen)
    yield seen
    happened.disconnect(_listen)


def build_year() -> SimpleNamespace:
    """Cohort FY2030 with a facilitator; team 1 (Yokohama, Kawasaki), team 2 (Fujisawa, Machida); an alumnus."""
    from tests import factories
    from tests import factories_wiki as fw

    facilitator = factories.facilitator(name="進行 役子")
    cohort = fw.cohort(facilitators=(facilitator,))
    a1 = factories.participant(factories.YOKOHAMA, name="横浜 一子", email="a1@example.jp")
    a2 = factories.participant(factories.KAWASAKI, name="川崎 二郎", email="a2@example.jp")
    b1 = factories.participant(factories.FUJISAWA, name="藤沢 三子", email="b1@example.jp")
    b2 = factories.participant(factories.MACHIDA, name="町田 四郎", email="b2@example.jp")
    alumnus = factories.alumnus(factories.ZUSHI, name="逗子 先輩", email="alum@example.jp")
    team1 = fw.team(cohort, a1, a2, name="チーム1")
    team2 = fw.team(cohort, b1, b2, name="チーム2", mentor=alumnus)
    return SimpleNamespace(cohort=cohort, facilitator=facilitator, a1=a1, a2=a2, b1=b1, b2=b2, alumnus=alumnus,
                           team1=team1, team2=team2)
