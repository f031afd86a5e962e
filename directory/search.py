"""Directory search in SQL, the same statements on SQLite and PostgreSQL (tech.md §1(c)).

Every term of ``core.search.query_terms(q)`` must be a substring of some field key of the person
that the viewer may see (``core.search.matches`` is the oracle). One term *drives* the search:

1. the rarest gram decides: each term's grams (bigrams; for Latin terms of 3+ characters also the
   trigrams the index stores, ``core.search.latin_trigrams``; for a 1-character term the prefix
   range over the grams, which the sentinel makes exact) are counted in one statement, each count
   stopping at ``ESTIMATE_LIMIT``; a gram that occurs nowhere ends the search at once;
2. the driving term's rarest gram is read from the gram table's primary key, a second gram of it
   (``_two_grams``: the next rarest, the farthest away on ties) is probed for the same field (a
   second primary-key lookup), and the field row is verified with ``key LIKE '%term%' ESCAPE '\\'``;
3. the other terms are checked per person: first, from the index alone, that the person has each
   other term's rarest gram (``user_id`` in the gram table's key lists a gram's people in order),
   then ``EXISTS`` over that person's few field rows verifies the whole term and its visibility;
4. only fields whose visibility the viewer passes count (``directory.visibility.visible``).

The matches stream out of one statement; the first ``CAP`` + 1 distinct people are read. Up to
``CAP`` the total is exact and every match is ranked; beyond it the page says "1,000+" and ranks
the first ``CAP`` found (``Result.capped``) — a narrower query gives the exact answer.
Exact name matches rank first (the joined terms equal one part of the name key), then prefixes,
then other name matches, then matches in other fields; ties by reading (``Profile.sort_key``).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from core.search import SEPARATOR, like_escape, normalize, prefix_range, query_grams, query_latin_trigrams, query_terms
from curriculum.models import Cohort, Enrolment, EnrolmentStatus
from directory.index import NAME, SEARCHED
from directory.models import DirectoryField, DirectoryGram, Profile, ProfileTag, TagKind
from directory.visibility import Viewer, visible
from people.models import Role, RoleGrant, User

PER_PAGE = 20
MAX_PAGE = 500
CAP = 1000  # people counted and ranked at most; more matches show as "1,000+"
ESTIMATE_LIMIT = 1000  # gram rows counted at most when choosing the rarest gram
# Rows per fetch of the match stream (a server-side cursor on PostgreSQL): a little over CAP, so that
# most searches take one fetch; 500 took three (~30% slower), 2,500 computed rows nobody reads.
FETCH = CAP + CAP // 5


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
    capped: bool = False  # more than ``total`` (= CAP) people match; only the first CAP are ranked

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class _NoMatch(Exception):
    """A query gram occurs nowhere: nothing can match."""


@dataclass(frozen=True)
class _Term:
    text: str
    fields: tuple[str, ...] = SEARCHED


@dataclass(frozen=True)
class _Plan:
    term: _Term  # the driving term
    grams: tuple[str, ...]  # its rarest grams, rarest first (empty: 1-character prefix range)
    people: tuple[str, ...] = ()  # the rarest gram of each other term of 2+ characters


# Aliases made once (a fresh alias rebuilds its column collections on every use: milliseconds).
_G1, _G2 = aliased(DirectoryGram, name="g1"), aliased(DirectoryGram, name="g2")
_F, _NF, _TF = (aliased(DirectoryField, name="f"), aliased(DirectoryField, name="nf"),
                aliased(DirectoryField, name="tf"))


def _gram_condition(gram: str | None, term: str, g: Any) -> ColumnElement[bool]:
    if gram is None:
        lo, hi = prefix_range(term)
        return and_(g.gram >= lo, g.gram < hi)
    return g.gram == gram


def _plan(session: Session, terms: list[_Term]) -> _Plan | None:
    """Choose the driving term and its grams by counting (at most ESTIMATE_LIMIT) rows per gram."""
    if not terms:
        return None
    wanted: list[tuple[int, str | None]] = []  # (term index, gram or None for a prefix range)
    for i, t in enumerate(terms):
        if len(t.text) == 1:
            wanted.append((i, None))
        else:
            # A trigram's fields are among its bigrams' fields: count a bigram only when no trigram holds it.
            tri = query_latin_trigrams(t.text)
            wanted += [(i, g) for g in tri + tuple(b for b in query_grams(t.text) if not any(b in x for x in tri))]
    counted = [select(func.count()).select_from(
        select(DirectoryGram.field_id).where(_gram_condition(g, terms[i].text, DirectoryGram))
        .limit(ESTIMATE_LIMIT).subquery()).scalar_subquery() for i, g in wanted]
    counts = list(session.execute(select(*counted)).one())
    if 0 in counts:
        raise _NoMatch
    per_term: dict[int, list[tuple[int, str | None]]] = {}
    for (i, g), n in zip(wanted, counts, strict=True):
        per_term.setdefault(i, []).append((n, g))
    best = min(per_term, key=lambda i: (min(per_term[i])[0], -len(terms[i].text), i))
    people = tuple(dict.fromkeys(g for i, ng in per_term.items() if i != best
                                 for _n, g in [min(ng, key=lambda x: x[0])] if g is not None))
    return _Plan(terms[best], _two_grams(terms[best].text, per_term[best]), people)


def _two_grams(term: str, counted: list[tuple[int, str | None]]) -> tuple[str, ...]:
    """The rarest gram, then the one that narrows it most: the rarest of the others, and among equals
    (counts stop at ESTIMATE_LIMIT, so common grams tie) the farthest away in the term — neighbours
    share a character and mostly the same fields (子育 and 育て both match 子育て; 子育 and 援課 do
    not both match it)."""
    grams = [(n, term.find(g), g) for n, g in counted if g is not None]
    if not grams:
        return ()
    first = min(grams, key=lambda x: (x[0], x[1]))
    rest = [x for x in grams if x[2] != first[2]]
    if not rest:
        return (first[2],)
    second = min(rest, key=lambda x: (x[0], -abs(x[1] - first[1]), x[1]))
    return first[2], second[2]


def _field_match(f: Any, viewer: Viewer, term: _Term) -> list[ColumnElement[bool]]:
    conditions = [f.key.like(f"%{like_escape(term.text)}%", escape="\\")]
    if tuple(term.fields) != SEARCHED:
        conditions.append(f.field.in_(term.fields))
    conditions.append(visible(viewer, f.visibility, f.user_id))
    return conditions


def term_condition(viewer: Viewer, term: str, person_id: ColumnElement[int],
                   fields: tuple[str, ...] = SEARCHED) -> ColumnElement[bool]:
    """SQL: the person has a field (among ``fields``) the viewer may see whose key contains ``term``.

    Checked per person (their few field rows, by the ``(user_id, field)`` index): for the terms that
    do not drive the search.
    """
    f = _TF
    return exists().where(f.user_id == person_id, *_field_match(f, viewer, _Term(term, fields)))


def listed() -> Select[Any]:
    """Everyone in the directory: active accounts that were not anonymised."""
    return (select(User.id).join(Profile, Profile.user_id == User.id)
            .where(User.is_active.is_(True), User.anonymized_at.is_(None)))


def _filter_conditions(viewer: Viewer, filters: Filters) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if filters.city_id:
        out.append(User.city_id == filters.city_id)
    if filters.fiscal_year:
        out.append(exists().where(Enrolment.user_id == User.id, Enrolment.status != EnrolmentStatus.WITHDRAWN,
                                  Enrolment.cohort_id == Cohort.id, Cohort.fiscal_year == filters.fiscal_year))
    if filters.role:
        out.append(exists().where(RoleGrant.user_id == User.id, RoleGrant.role == filters.role,
                                  RoleGrant.revoked_at.is_(None)))
    if filters.interest:
        norm = normalize(filters.interest)
        out.append(exists().where(ProfileTag.user_id == User.id, ProfileTag.kind == TagKind.INTEREST,
                                  ProfileTag.norm == norm))
        out.append(visible(viewer, Profile.vis_interests, User.id))
    return out


def _terms(q: str, filters: Filters) -> tuple[list[str], list[_Term]]:
    terms = query_terms(q)
    conditions = [_Term(t) for t in terms]
    if filters.department:
        conditions += [_Term(t, ("department",)) for t in query_terms(filters.department)]
    return terms, conditions


def _matches(session: Session, viewer: Viewer, conditions: list[_Term], filters: Filters) -> Select[Any]:
    """(user id, reading, name key) of every match; a person may come more than once (one row per
    matching field, or per gram of a 1-character term)."""
    plan = _plan(session, conditions)
    assert plan is not None
    nf, f, g1 = _NF, _F, _G1
    first = plan.grams[0] if plan.grams else None
    stmt = select(User.id, Profile.sort_key, nf.key).select_from(g1).join(f, f.id == g1.field_id)
    if len(plan.grams) > 1:
        stmt = stmt.join(_G2, and_(_G2.gram == plan.grams[1], _G2.user_id == g1.user_id,
                                   _G2.field_id == g1.field_id))
    stmt = (stmt.join(User, User.id == f.user_id).join(Profile, Profile.user_id == User.id)
            .outerjoin(nf, and_(nf.user_id == User.id, nf.field == NAME))
            .where(_gram_condition(first, plan.term.text, g1), *_field_match(f, viewer, plan.term),
                   User.is_active.is_(True), User.anonymized_at.is_(None)))
    for gram in plan.people:  # the people who have another term's rarest gram: one index range each
        stmt = stmt.where(g1.user_id.in_(select(DirectoryGram.user_id).where(DirectoryGram.gram == gram)))
    rest = list(conditions)
    rest.remove(plan.term)
    for term in rest:  # on the driving field's person, so the check can come before the other joins
        stmt = stmt.where(term_condition(viewer, term.text, f.user_id, term.fields))
    return stmt.where(*_filter_conditions(viewer, filters))


def _stream(session: Session, stmt: Select[Any]) -> Iterator[Any]:
    result = session.execute(stmt, execution_options={"yield_per": FETCH})
    try:
        yield from result
    finally:
        result.close()


def rank(terms: list[str], name_key: str | None) -> int:
    """0 exact name, 1 name prefix, 2 a term in the name, 3 a match in other fields only."""
    joined = "".join(terms)
    if not joined:
        return 3
    wrapped = f"{SEPARATOR}{name_key or ''}{SEPARATOR}"
    if f"{SEPARATOR}{joined}{SEPARATOR}" in wrapped:
        return 0
    if f"{SEPARATOR}{joined}" in wrapped:
        return 1
    return 2 if any(t in (name_key or "") for t in terms) else 3


def search(session: Session, viewer: Viewer, q: str = "", filters: Filters | None = None, *, page: int = 1,
           per_page: int = PER_PAGE) -> Result:
    """One page of matching people, best first, and the total count (at most CAP, then ``capped``)."""
    filters = filters or Filters()
    page = min(max(page, 1), MAX_PAGE)
    terms, conditions = _terms(q, filters)
    if not conditions:
        stmt = listed().where(*_filter_conditions(viewer, filters))
        found = session.scalar(select(func.count()).select_from(stmt.limit(CAP + 1).subquery())) or 0
        total, capped = min(found, CAP), found > CAP
        ids = list(session.scalars(stmt.order_by(Profile.sort_key, User.id)
                                   .limit(per_page).offset((page - 1) * per_page)))
        return Result(ids, total, page, per_page, terms, capped)
    try:
        stmt = _matches(session, viewer, conditions, filters)
    except _NoMatch:
        return Result([], 0, page, per_page, terms)
    people: dict[int, tuple[str, str | None]] = {}
    for uid, reading, name_key in _stream(session, stmt):
        if uid not in people:
            people[uid] = (reading or "", name_key)
            if len(people) > CAP:
                break
    order = sorted(people, key=lambda uid: (rank(terms, people[uid][1]), people[uid][0], uid))[:CAP]
    total = len(order)
    start = (page - 1) * per_page
    return Result(order[start:start + per_page], total, page, per_page, terms, len(people) > CAP)


def matching_ids(session: Session, viewer: Viewer, q: str, filters: Filters | None = None) -> set[int]:
    """Every matching id, exactly (for tests and exports; the pages use ``search``)."""
    filters = filters or Filters()
    _terms_, conditions = _terms(q, filters)
    if not conditions:
        return set(session.scalars(listed().where(*_filter_conditions(viewer, filters))))
    try:
        stmt = _matches(session, viewer, conditions, filters)
    except _NoMatch:
        return set()
    return {row[0] for row in _stream(session, stmt)}
