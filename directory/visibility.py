"""Who may see which field of whom: one definition, used in SQL (search, filters, export) and in pages.

A viewer sees a field of a person when the field is shown to

- ``members``: every signed-in member;
- ``cohort``: the viewer shared a cohort with the person (enrolled — not withdrawn — or facilitating);
- ``city``: the person's city is the viewer's own city or a city the viewer coordinates;
- ``secretariat``: only the secretariat.

The person always sees their own fields, and the secretariat sees everything. The relation is
computed in SQL against each person (``visible``), so a query can never match a hidden field.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true, union
from sqlalchemy.orm import Session, aliased

from curriculum.models import CohortFacilitator, Enrolment, EnrolmentStatus
from directory.models import Visibility
from people.models import Role, User


@dataclass(frozen=True)
class Viewer:
    """The facts about the viewer the SQL needs (computed once per request)."""

    user_id: int
    is_admin: bool
    city_ids: frozenset[int]

    @classmethod
    def of(cls, user: User) -> Viewer:
        cities = set(user.coordinator_city_ids())
        if user.city_id is not None:
            cities.add(user.city_id)
        return cls(user_id=user.id, is_admin=user.has_role(Role.ADMIN), city_ids=frozenset(cities))


# Every table inside these conditions is an alias of its own, so nothing is auto-correlated with
# the query they are put into: the only link to the person is ``person_id``. The aliases are made
# once: a fresh alias builds its column collections again on every use, which cost a search of
# 20 cards several milliseconds of Python (bench/directory_search.py). They are private to this
# module, so no query they are put into contains them.
_VE, _VF, _PE, _PF, _PU = (aliased(Enrolment, name="vis_ve"), aliased(CohortFacilitator, name="vis_vf"),
                           aliased(Enrolment, name="vis_pe"), aliased(CohortFacilitator, name="vis_pf"),
                           aliased(User, name="vis_pu"))


def _viewer_cohorts(viewer: Viewer):  # type: ignore[no-untyped-def]
    ve, vf = _VE, _VF
    return union(
        select(ve.cohort_id).where(ve.user_id == viewer.user_id, ve.status != EnrolmentStatus.WITHDRAWN),
        select(vf.cohort_id).where(vf.user_id == viewer.user_id),
    )


def shares_cohort(viewer: Viewer, person_id: ColumnElement[int]) -> ColumnElement[bool]:
    cohorts = _viewer_cohorts(viewer).scalar_subquery()
    pe, pf = _PE, _PF
    return or_(
        exists().where(pe.user_id == person_id, pe.status != EnrolmentStatus.WITHDRAWN, pe.cohort_id.in_(cohorts)),
        exists().where(pf.user_id == person_id, pf.cohort_id.in_(cohorts)),
    )


def same_city(viewer: Viewer, person_id: ColumnElement[int]) -> ColumnElement[bool]:
    if not viewer.city_ids:
        return false()
    pu = _PU
    return exists().where(pu.id == person_id, pu.city_id.in_(sorted(viewer.city_ids)))


def visible(viewer: Viewer, visibility: ColumnElement[Visibility], person_id: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL: may ``viewer`` see a field with this visibility column, of the person in ``person_id``?"""
    if viewer.is_admin:
        return true()
    return or_(
        visibility == Visibility.MEMBERS,
        person_id == viewer.user_id,
        and_(visibility == Visibility.CITY, same_city(viewer, person_id)),
        and_(visibility == Visibility.COHORT, shares_cohort(viewer, person_id)),
    )


def levels(session: Session, viewer: Viewer, person_ids: Iterable[int]) -> dict[int, frozenset[Visibility]]:
    """For each person, the visibilities whose fields the viewer may see."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    if viewer.is_admin:
        return {i: frozenset(Visibility) for i in ids}
    base = {Visibility.MEMBERS}
    out = {i: set(base) for i in ids}
    if viewer.user_id in out:
        out[viewer.user_id] = set(Visibility)
    person = User.id
    rows = session.execute(select(User.id, shares_cohort(viewer, person), same_city(viewer, person))
                           .where(User.id.in_(ids)))
    for pid, cohort, city in rows:  # one statement for both relations
        if cohort:
            out[pid].add(Visibility.COHORT)
        if city:
            out[pid].add(Visibility.CITY)
    return {i: frozenset(v) for i, v in out.items()}
