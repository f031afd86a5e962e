"""Two facilitators editing the same session, assignment or cohort: the later, stale save is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.dates import utcnow
from core.errors import ConflictError
from curriculum.models import AssignmentKind
from curriculum.services import assignments as assignment_services
from curriculum.services import cohorts as cohort_services
from curriculum.services import edit_token
from curriculum.services import sessions as session_services
from tests import factories
from tests import factories_curriculum as fc


def _session_values(row, **kw):  # type: ignore[no-untyped-def]
    values = dict(
        number=row.number,
        title=row.title,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        host_city_id=None,
        venue=row.venue,
        online_url="",
        agenda=row.agenda,
    )
    values.update(kw)
    return session_services.SessionValues(**values)


def test_a_stale_session_edit_is_refused_and_changes_nothing(session) -> None:
    cohort = fc.cohort(facilitators=(factories.facilitator(),))
    row = fc.study_session(cohort, starts_in=timedelta(days=7))
    seen = edit_token(row)  # both editors open the form
    session_services.update_session(
        session, row, _session_values(row, agenda="Aさんの次第"), now=utcnow(), expected_token=seen
    )
    session.commit()
    with pytest.raises(ConflictError) as caught:
        session_services.update_session(
            session, row, _session_values(row, agenda="Bさんの次第"), now=utcnow(), expected_token=seen
        )
    assert caught.value.code == "edit_stale"  # type: ignore[attr-defined]
    session.rollback()
    assert row.agenda == "Aさんの次第"
    # with the current token the save goes through as before
    session_services.update_session(
        session, row, _session_values(row, agenda="まとめた次第"), now=utcnow(), expected_token=edit_token(row)
    )
    session.commit()
    assert row.agenda == "まとめた次第"


def test_a_stale_assignment_edit_is_refused_and_changes_nothing(session) -> None:
    cohort = fc.cohort(facilitators=(factories.facilitator(),))
    row = fc.assignment(cohort)
    seen = edit_token(row)

    def values(text: str):  # type: ignore[no-untyped-def]
        return assignment_services.AssignmentValues(
            title=row.title,
            instructions=text,
            kind=AssignmentKind.INDIVIDUAL,
            publish_at=row.publish_at,
            due_at=row.due_at,
            late_until=None,
            allowed_types=row.extensions,
            max_mb=row.max_mb,
        )

    assignment_services.update_assignment(session, row, values("Aさんの説明"), now=utcnow(), expected_token=seen)
    session.commit()
    with pytest.raises(ConflictError):
        assignment_services.update_assignment(session, row, values("Bさんの説明"), now=utcnow(), expected_token=seen)
    session.rollback()
    assert row.instructions == "Aさんの説明"
    assignment_services.update_assignment(
        session, row, values("まとめた説明"), now=utcnow(), expected_token=edit_token(row)
    )
    session.commit()
    assert row.instructions == "まとめた説明"


def test_a_stale_cohort_edit_is_refused_even_when_only_facilitators_changed(session) -> None:
    first, second = factories.facilitator(), factories.facilitator()
    cohort = fc.cohort(facilitators=(first,))
    seen = edit_token(cohort)

    def save(title: str, people: list, token: str | None):  # type: ignore[no-untyped-def]
        return cohort_services.update_cohort(
            session,
            cohort,
            title_ja=title,
            title_en=cohort.title_en,
            starts_on=cohort.starts_on,
            ends_on=cohort.ends_on,
            facilitators=people,
            places={},
            actor=factories.admin(),
            now=utcnow(),
            expected_token=token,
        )

    save(cohort.title_ja, [first, second], seen)  # only the facilitators change
    session.commit()
    assert edit_token(cohort) != seen
    before = cohort.title_ja
    with pytest.raises(ConflictError):
        save("Bさんの題名", [first], seen)
    session.rollback()
    assert cohort.title_ja == before and {f.user_id for f in cohort.facilitators} == {first.id, second.id}
    save("まとめた題名", [first, second], edit_token(cohort))
    session.commit()
    assert cohort.title_ja == "まとめた題名"
