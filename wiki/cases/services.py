"""The case library: seeding from wiki/seed/cases.yaml, listing with filters, proposals and decisions."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import searchindex
from core import text as core_text
from core.errors import DomainError
from people.models import User
from wiki import links
from wiki.cases.labels import EIGHT_CITIES, FIELDS, KINDS
from wiki.cases.models import Case, CaseBody, CaseOrigin, CaseStatus

SEED_FILE = Path(__file__).resolve().parent.parent / "seed" / "cases.yaml"
RESERVED_SLUGS = frozenset({"new", "proposals"})
PER_PAGE = 30
MAX_BODIES = 30
_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class CaseInput:
    """What a person fills in to propose (or edit) a case."""

    title: str
    title_en: str
    bodies: list[str]
    prefecture: str
    field: str
    kind: str
    period: str
    summary: str
    results: str
    source: str


def split_bodies(text: str | None) -> list[str]:
    """"横浜市、川崎市, 町田市" or one per line → distinct names in order."""
    parts = re.split(r"[,\n、，;；]+", text or "")
    return list(dict.fromkeys(" ".join(p.split()) for p in parts if p.strip()))


def check_input(data: CaseInput) -> None:
    """``DomainError`` at the first field that is not acceptable."""
    if not data.title.strip():
        raise DomainError("required", field="title")
    if not data.bodies:
        raise DomainError("bodies_required", field="bodies")
    if len(data.bodies) > MAX_BODIES or any(len(b) > 100 for b in data.bodies):
        raise DomainError("bodies_too_many", field="bodies")
    if data.field not in FIELDS:
        raise DomainError("unknown_field", field="field")
    if data.kind not in KINDS:
        raise DomainError("unknown_kind", field="kind")
    if not data.summary.strip():
        raise DomainError("required", field="summary")


def _apply(case: Case, data: CaseInput) -> None:
    case.title, case.title_en = data.title.strip(), data.title_en.strip()
    case.prefecture, case.field, case.kind = data.prefecture.strip(), data.field, data.kind
    case.period, case.summary, case.results = data.period.strip(), data.summary.strip(), data.results.strip()
    case.source = data.source.strip()
    wanted = list(dict.fromkeys(data.bodies))
    kept = {b.name: b for b in case.bodies}
    case.bodies = [kept.get(name) or CaseBody(name=name) for name in wanted]
    for position, body in enumerate(case.bodies):
        body.position = position


def case_path(case: Case) -> str:
    return f"/cases/{case.slug}"


def index_case(session: Session, case: Case) -> None:
    """Published cases are found by everyone signed in; others are not in the index."""
    if case.status is not CaseStatus.PUBLISHED or not case.slug:
        searchindex.remove_document(session, "case", case.id)
        return
    body = " ".join([case.title_en, " ".join(case.body_names), case.prefecture, case.period,
                     links.plain_text(case.summary), links.plain_text(case.results), case.source])
    searchindex.index_document(session, kind="case", ref_id=case.id, title=case.title, body=body,
                               url=case_path(case), scope_type="public", scope_id=None,
                               updated_at=case.edited_at or case.reviewed_at or case.created_at)


# --- seed ----------------------------------------------------------------------------------------

def _seed_input(row: dict[str, Any]) -> CaseInput:
    return CaseInput(title=row["title"], title_en=row.get("title_en", ""), bodies=list(row.get("bodies") or []),
                     prefecture=row.get("prefecture", ""), field=row["field"], kind=row["kind"],
                     period=str(row.get("period", "")), summary=row["summary"], results=row.get("results", ""),
                     source=row.get("source", ""))


def sync_cases(session: Session, path: Path = SEED_FILE) -> str:
    """Bring the seed file into the library: new cases are added, seed cases not edited on the site are
    updated, nothing is removed. Running it twice changes nothing."""
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    added = updated = kept = 0
    for row in rows:
        data = _seed_input(row)
        try:
            check_input(data)
        except DomainError as error:
            raise ValueError(f"{path.name}: case {row.get('slug')!r}: {error.message} ({error.field})") from error
        case = session.scalar(select(Case).where(Case.slug == row["slug"]))
        if case is None:
            case = Case(slug=row["slug"], status=CaseStatus.PUBLISHED, origin=CaseOrigin.SEED)
            _apply(case, data)
            session.add(case)
            added += 1
        elif case.origin is CaseOrigin.SEED and case.edited_at is None:
            before = _snapshot(case)
            _apply(case, data)
            if _snapshot(case) != before:
                updated += 1
            else:
                kept += 1
        else:
            kept += 1
        session.flush()
        index_case(session, case)
    return f"{added} cases added, {updated} updated, {kept} unchanged"


def _snapshot(case: Case) -> tuple[Any, ...]:
    return (case.title, case.title_en, case.prefecture, case.field, case.kind, case.period, case.summary,
            case.results, case.source, tuple(case.body_names))


# --- reading --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseList:
    cases: list[Case]
    total: int
    page: int
    pages: int


def list_cases(session: Session, *, field: str = "", kind: str = "", city: str = "", q: str = "",
               page: int = 1) -> CaseList:
    """Published cases matching the filters; with ``q`` in search order, else in library order."""
    query = select(Case).where(Case.status == CaseStatus.PUBLISHED)
    if field:
        query = query.where(Case.field == field)
    if kind:
        query = query.where(Case.kind == kind)
    if city:
        query = query.where(Case.id.in_(select(CaseBody.case_id).where(CaseBody.name == city)))
    page = max(1, page)
    if searchindex.search_terms(q):
        # The filters go into the search as the ids it may return, so it counts and pages only those.
        found = searchindex.search(session, q, scopes=[("public", None)], kinds=["case"],
                                   ref_ids=query.with_only_columns(Case.id), limit=PER_PAGE,
                                   offset=(page - 1) * PER_PAGE)
        ids = [h.ref_id for h in found.hits]
        by_id = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))} if ids else {}
        total = found.total
        chosen = [by_id[i] for i in ids if i in by_id]
    else:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        chosen = list(session.scalars(query.order_by(Case.id).offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
    return CaseList(chosen, total, page, max(1, -(-total // PER_PAGE)))


def city_choices(session: Session) -> list[tuple[str, int]]:
    """Bodies named by published cases with their counts: the eight cities first, then by count."""
    rows = session.execute(select(CaseBody.name, func.count()).join(Case, Case.id == CaseBody.case_id)
                           .where(Case.status == CaseStatus.PUBLISHED).group_by(CaseBody.name))
    counts = Counter({name: n for name, n in rows})
    eight = [(c, counts[c]) for c in EIGHT_CITIES if counts[c]]
    others = sorted(((n, c) for n, c in counts.items() if n not in EIGHT_CITIES), key=lambda t: (-t[1], t[0]))
    return eight + others


def by_slug(session: Session, slug: str) -> Case | None:
    return session.scalar(select(Case).where(Case.slug == slug))


def titles_by_slug(session: Session, slugs: Iterable[str], locale: str = "ja") -> dict[str, str]:
    """Slug → title of the published cases among ``slugs`` (what a ``[[case:slug]]`` link shows)."""
    wanted = sorted({s for s in slugs if s})
    if not wanted:
        return {}
    rows = session.execute(select(Case.slug, Case.title, Case.title_en)
                           .where(Case.slug.in_(wanted), Case.status == CaseStatus.PUBLISHED))
    return {slug: (title_en if locale == "en" and title_en else title) for slug, title, title_en in rows}


def render_with_case_links(session: Session, source: str | None, *, locale: str,
                           missing: Callable[[str], str]) -> core_text.Rendered:
    """Markdown written outside a workspace (a proposal section) with ``[[case:slug]]`` linking to the case
    under its title, and a slug not in the library marked with ``missing(slug)``. One query, only when the
    text links to cases."""
    slugs = links.case_slugs(source)
    if not slugs:
        return core_text.render(source or "")
    titles = links.CaseTitles(titles_by_slug(session, slugs, locale), missing)
    return core_text.render(source or "", extensions=[links.case_link_extension(titles)])


def proposals(session: Session, *, user: User, all_of_them: bool) -> list[Case]:
    """Proposed (and decided) additions: everyone's for reviewers, one's own otherwise; pending first."""
    query = select(Case).where(Case.origin == CaseOrigin.PROPOSAL)
    if not all_of_them:
        query = query.where(Case.proposed_by_id == user.id)
    pending_first = func.coalesce(Case.reviewed_at, Case.created_at)
    cases = list(session.scalars(query.order_by(pending_first.desc(), Case.id.desc())))
    return sorted(cases, key=lambda c: c.status is not CaseStatus.PROPOSED)


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case).where(Case.status == CaseStatus.PROPOSED)) or 0


# --- proposing and deciding -----------------------------------------------------------------------

def propose(session: Session, data: CaseInput, *, author: User, now: datetime) -> Case:
    check_input(data)
    case = Case(status=CaseStatus.PROPOSED, origin=CaseOrigin.PROPOSAL, proposed_by_id=author.id, created_at=now)
    _apply(case, data)
    session.add(case)
    session.flush()
    return case


def _ascii_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text))[:60].strip("-")


def free_slug(session: Session, case: Case, wanted: str = "") -> str:
    base = _ascii_slug(wanted) or _ascii_slug(case.title_en) or f"case-{case.id}"
    if base in RESERVED_SLUGS:
        base = f"{base}-case"
    slug, n = base, 2
    while session.scalar(select(Case.id).where(Case.slug == slug, Case.id != case.id)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def approve(session: Session, case: Case, *, reviewer: User, now: datetime, note: str = "", slug: str = "") -> Case:
    """Take a proposed case into the library under ``slug`` (made from the English title if empty)."""
    if case.status is not CaseStatus.PROPOSED:
        raise DomainError("already_decided")
    if slug and not _SLUG_RE.fullmatch(slug):
        raise DomainError("slug_invalid", field="slug")
    if slug and (slug in RESERVED_SLUGS or session.scalar(select(Case.id).where(Case.slug == slug)) is not None):
        raise DomainError("slug_taken", field="slug")
    case.slug = free_slug(session, case, slug)
    case.status, case.reviewed_by_id, case.reviewed_at = CaseStatus.PUBLISHED, reviewer.id, now
    case.review_note = note.strip()[:1000]
    session.flush()
    index_case(session, case)
    return case


def reject(session: Session, case: Case, *, reviewer: User, now: datetime, note: str) -> Case:
    """Decline a proposed case; the proposer sees the reason."""
    if case.status is not CaseStatus.PROPOSED:
        raise DomainError("already_decided")
    if not note.strip():
        raise DomainError("reason_required", field="note")
    case.status, case.reviewed_by_id, case.reviewed_at = CaseStatus.REJECTED, reviewer.id, now
    case.review_note = note.strip()[:1000]
    session.flush()
    return case


def edit(session: Session, case: Case, data: CaseInput, *, editor: User, now: datetime) -> Case:
    """Change a published case; from now on `flask sync` leaves it as edited here."""
    check_input(data)
    _apply(case, data)
    case.edited_at, case.edited_by_id = now, editor.id
    session.flush()
    index_case(session, case)
    return case
