"""Directory search in SQL, the same statements on SQLite and PostgreSQL (tech.md §1(c)).

Every term of ``core.search.query_terms(q)`` must be a substring of some field key of the person
that the viewer may see (``core.search.matches`` is the oracle). Per term:

1. prefilter field rows by the gram table: a 1-character term is a prefix range over the grams
   (the sentinel makes every character start one); a longer term intersects its two rarest
   bigrams (counted first; an absent bigram ends the search at once);
2. verify with ``key LIKE '%term%' ESCAPE '\\'``;
3. keep only fields whose visibility the viewer passes (``directory.visibility.visible``).

Exact name matches rank first (the whole term equals one part of the name key), then prefixes,
then other name matches, then matches in other fields.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from core.search import SEPARATOR, like_escape, normalize, prefix_range, query_grams, query_terms
from curriculum.models import Cohort, Enrolment, EnrolmentStatus
from directory.index import NAME, SEARCHED
from directory.models import DirectoryField, DirectoryGram, Profile, ProfileTag, TagKind
from directory.visibility import Viewer, visible
from people.models import Role, RoleGrant, User

PER_PAGE = 20
MAX_PAGE = 500


@dataclass(frozen=True)
class Filters:
    city_id: int | None = None
    fiscal_year: int | None = None
    department: str = ""
    interest: str = ""
    role: Role | None = None

    @property
    def any(self) -> bool:
        return bool(self.city_id or self.fiscal_year or self.department or self.interest or self.role)


@dataclass
class Result:
    ids: list[int]
    total: int
    page: int
    per_page: int
    terms: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class _NoMatch(Exception):
    """A query bigram occurs nowhere: nothing can match."""


def _rarest(session: Session, term: str, limit: int = 2) -> list[str]:
    qg = query_grams(term)
    if len(qg) <= limit:
        counts = dict(session.execute(select(DirectoryGram.gram, func.count()).where(DirectoryGram.gram.in_(qg))
                                      .group_by(DirectoryGram.gram)).all())
        if len(counts) < len(qg):
            raise _NoMatch
        return list(qg)
    counts = dict(session.execute(select(DirectoryGram.gram, func.count()).where(DirectoryGram.gram.in_(qg))
                                  .group_by(DirectoryGram.gram)).all())
    if len(counts) < len(qg):
        raise _NoMatch
    return sorted(qg, key=lambda g: (counts[g], qg.index(g)))[:limit]


def term_condition(session: Session, viewer: Viewer, term: str, person_id: ColumnElement[int],
                   fields: tuple[str, ...] = SEARCHED) -> ColumnElement[bool]:
    """SQL: the person has a field (among ``fields``) the viewer may see whose key contains ``term``."""
    f = aliased(DirectoryField)
    conditions: list[ColumnElement[bool]] = []
    if len(term) == 1:
        lo, hi = prefix_range(term)
        conditions.append(f.id.in_(select(DirectoryGram.field_id).where(DirectoryGram.gram >= lo,
                                                                        DirectoryGram.gram < hi)))
    else:
        for gram in _rarest(session, term):
            conditions.append(f.id.in_(select(DirectoryGram.field_id).where(DirectoryGram.gram == gram)))
    conditions.append(f.key.like(f"%{like_escape(term)}%", escape="\\"))
    if tuple(fields) != SEARCHED:
        conditions.append(f.field.in_(fields))
    conditions.append(visible(viewer, f.visibility, f.user_id))
    return person_id.in_(select(f.user_id).where(*conditions))


def _rank(terms: list[str], name_key: Any) -> Any:
    joined = "".join(terms)
    if not joined:
        return literal(3)
    wrapped = literal(SEPARATOR) + name_key + literal(SEPARATOR)
    whens = [
        (wrapped.like(f"%{SEPARATOR}{like_escape(joined)}{SEPARATOR}%", escape="\\"), 0),
        (wrapped.like(f"%{SEPARATOR}{like_escape(joined)}%", escape="\\"), 1),
    ]
    whens += [(name_key.like(f"%{like_escape(t)}%", escape="\\"), 2) for t in terms]
    return case(*whens, else_=3)


def listed() -> Select[Any]:
    """Everyone in the directory: active accounts that were not anonymised."""
    return (select(User.id).join(Profile, Profile.user_id == User.id)
            .where(User.is_active.is_(True), User.anonymized_at.is_(None)))


def filtered(session: Session, viewer: Viewer, q: str, filters: Filters) -> tuple[Select[Any], list[str]]:
    """The statement selecting matching user ids (unordered), and the normalised query terms."""
    terms = query_terms(q)
    stmt = listed()
    for term in terms:
        stmt = stmt.where(term_condition(session, viewer, term, User.id))
    if filters.city_id:
        stmt = stmt.where(User.city_id == filters.city_id)
    if filters.fiscal_year:
        stmt = stmt.where(exists().where(Enrolment.user_id == User.id, Enrolment.status != EnrolmentStatus.WITHDRAWN,
                                         Enrolment.cohort_id == Cohort.id, Cohort.fiscal_year == filters.fiscal_year))
    if filters.role:
        stmt = stmt.where(exists().where(RoleGrant.user_id == User.id, RoleGrant.role == filters.role,
                                         RoleGrant.revoked_at.is_(None)))
    if filters.department:
        for term in query_terms(filters.department):
            stmt = stmt.where(term_condition(session, viewer, term, User.id, fields=("department",)))
    if filters.interest:
        norm = normalize(filters.interest)
        stmt = stmt.where(exists().where(ProfileTag.user_id == User.id, ProfileTag.kind == TagKind.INTEREST,
                                         ProfileTag.norm == norm),
                          visible(viewer, Profile.vis_interests, User.id))
    return stmt, terms


def search(session: Session, viewer: Viewer, q: str = "", filters: Filters | None = None, *, page: int = 1,
           per_page: int = PER_PAGE) -> Result:
    """One page of matching people, best first, and the total count."""
    filters = filters or Filters()
    page = min(max(page, 1), MAX_PAGE)
    try:
        stmt, terms = filtered(session, viewer, q, filters)
    except _NoMatch:
        return Result([], 0, page, per_page, query_terms(q))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    if terms:
        nf = aliased(DirectoryField)
        stmt = (stmt.outerjoin(nf, and_(nf.user_id == User.id, nf.field == NAME))
                .order_by(_rank(terms, func.coalesce(nf.key, "")), Profile.sort_key, User.id))
    else:
        stmt = stmt.order_by(Profile.sort_key, User.id)
    ids = list(session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Result(ids, total, page, per_page, terms)


def matching_ids(session: Session, viewer: Viewer, q: str, filters: Filters | None = None) -> set[int]:
    """Every matching id (for tests and exports; the pages use ``search``)."""
    try:
        stmt, _terms = filtered(session, viewer, q, filters or Filters())
    except _NoMatch:
        return set()
    return set(session.scalars(stmt))
