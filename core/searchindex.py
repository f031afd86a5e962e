"""A generic full-text index for Japanese documents that gives the same answers on SQLite and PostgreSQL.

Areas put documents in (``index_document``) and take them out (``remove_document``); the search page
asks ``search`` with the *scopes* the searcher may read. This module knows no area: a document is a
``kind`` ("page", "case", "proposal" …), the id of the row it describes, a title, a plain-text body,
a URL and one scope, e.g. ``("public", None)``, ``("cohort", 3)`` or ``("team", 7)``.

How a query is answered (measured and explained in docs/decisions/0002-search.md):

* Text and query go through ``core.search.normalize`` (NFKC, casefold, itaiji, katakana → hiragana,
  no spaces), so カタカナ/ひらがな and full/half width match each other. Every whitespace-separated term
  must occur (AND); 1- and 2-character terms such as 防 or 防災 work like any other.
* **Title hits** come first. Candidates are found through ``search_title_gram`` (every distinct
  character and character pair of the normalized title: an index lookup on both databases, no
  collation-dependent range scan) and verified on the title key. Exact title, then title prefix,
  then the newest.
* **Body hits** follow: a substring test (``contains_text``) over the normalized key, restricted
  first by scope and kind, ranked by how often the terms occur in the key's first ``SCORE_WINDOW``
  characters (``lead``; ``length``/``replace`` arithmetic, identical on both databases), then by date.
* No FTS5 (its trigram tokenizer never matches 1–2 characters, and its LIKE path is broken for them
  on SQLite 3.40) and no pg_trgm (an extension to install, and no help below three characters). The
  scan is bounded by ``MAX_KEY_CHARS`` per document, ``SCORE_WINDOW`` for ranking, and the scopes.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask
from markupsafe import Markup
from sqlalchemy import (Boolean, ForeignKey, Index, Integer, Select, String, Text, UniqueConstraint, and_,
                        case, delete, false, func, not_, or_, select)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from core.dates import utcnow
from core.extensions import db
from core.models import UTCDateTime, intpk
from core.search import cluster_norm, highlight_terms, like_escape, normalize

__all__ = ["SearchEntry", "SearchTitleGram", "SearchHit", "SearchPage", "Scope", "index_document",
           "remove_document", "search", "search_terms", "highlight_terms", "title_grams", "register_kind",
           "register_scopes"]

Scope = tuple[str, int | None]

SEPARATOR = "|"  # between title and body in ``key``; normalize() removes it from both, so no term spans it
MAX_TITLE_CHARS = 300
MAX_KEY_CHARS = 200_000  # longer documents are searchable by their first 200,000 characters
MAX_TERMS = 6
MAX_TERM_CHARS = 64
SCORE_WINDOW = 500  # body hits are ranked by how often the terms occur in the first 500 key characters
EXCERPT_BEFORE = 40
EXCERPT_CHARS = 140


class SearchEntry(db.Model):  # type: ignore[name-defined]
    """One searchable document (a wiki page, a case, a proposal …) and who may find it."""

    __tablename__ = "search_entry"

    # Small columns first: SQLite reads a row's columns in order, so a scan that filters on scope and
    # looks in ``key`` never reads the (large) ``body``, which only excerpts need.
    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20))  # "page", "case", "proposal" …
    ref_id: Mapped[int]  # id of the row in the owning area
    scope_type: Mapped[str] = mapped_column(String(20))  # "public", "cohort", "team" …
    scope_id: Mapped[int | None] = mapped_column(Integer)  # None for "public"
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    title: Mapped[str] = mapped_column(String(MAX_TITLE_CHARS))
    url: Mapped[str] = mapped_column(String(500))
    title_key: Mapped[str] = mapped_column(String(MAX_TITLE_CHARS))  # normalize(title)
    lead: Mapped[str] = mapped_column(Text)  # key[:SCORE_WINDOW]: small, kept in the row, used for ranking
    key: Mapped[str] = mapped_column(Text)  # normalize(title) | normalize(body): what a search looks in
    body: Mapped[str] = mapped_column(Text)  # the plain text, for excerpts

    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        Index("ix_search_entry_scope", "scope_type", "scope_id"),
    )

    def __repr__(self) -> str:
        return f"<SearchEntry {self.kind}:{self.ref_id} {self.title!r}>"


class SearchTitleGram(db.Model):  # type: ignore[name-defined]
    """Every distinct character and character pair of a normalized title (the title index)."""

    __tablename__ = "search_title_gram"

    gram: Mapped[str] = mapped_column(String(2), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("search_entry.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)

    def __repr__(self) -> str:
        return f"<SearchTitleGram {self.gram!r} {self.entry_id}>"


@dataclass(frozen=True)
class SearchHit:
    kind: str
    ref_id: int
    title: str
    url: str
    scope_type: str
    scope_id: int | None
    updated_at: datetime
    in_title: bool  # every term is in the title (these come first)
    title_html: Markup
    excerpt_html: Markup


@dataclass(frozen=True)
class SearchPage:
    q: str
    terms: tuple[str, ...]
    hits: list[SearchHit]
    total: int
    offset: int = 0
    limit: int = 20
    title_total: int = 0  # how many of ``total`` matched in the title
    kinds_found: dict[str, int] = field(default_factory=dict)  # kind -> hits (for facet counts)

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.total

    @property
    def next_offset(self) -> int:
        return self.offset + self.limit


# --- text ------------------------------------------------------------------------------------------

def _all_terms(q: str | None) -> list[str]:
    terms: list[str] = []
    for raw in unicodedata.normalize("NFKC", q or "").split():
        term = normalize(raw)[:MAX_TERM_CHARS]
        if term and term not in terms:
            terms.append(term)
    return terms


def search_terms(q: str | None) -> tuple[str, ...]:
    """Normalized, distinct whitespace-separated terms of a query (at most ``MAX_TERMS``)."""
    return tuple(_all_terms(q)[:MAX_TERMS])


def ignored_terms(q: str | None) -> tuple[str, ...]:
    """The terms past ``MAX_TERMS`` that a search does not use (the page says so)."""
    return tuple(_all_terms(q)[MAX_TERMS:])


def title_grams(title_key: str) -> set[str]:
    """Distinct 1- and 2-character grams of a normalized title."""
    chars = set(title_key)
    pairs = {title_key[i:i + 2] for i in range(len(title_key) - 1)}
    return chars | pairs


def _term_grams(term: str) -> set[str]:
    return {term} if len(term) == 1 else {term[i:i + 2] for i in range(len(term) - 1)}


def _first_match(body: str, body_key: str, terms: Sequence[str]) -> int | None:
    """Index in ``body`` where the earliest term occurrence starts.

    ``body_key`` is the stored ``normalize(body)``: the term is found there, and only the stretch of
    ``body`` before it is normalized character by character to map the position back.
    """
    found = [p for p in (body_key.find(t) for t in terms) if p >= 0]
    if not found:
        return None
    target, seen = min(found), 0
    for i, c in enumerate(body):
        seen += len(cluster_norm(c))
        if seen > target:
            return i
    return None


def excerpt(body: str, terms: Sequence[str], length: int = EXCERPT_CHARS, body_key: str | None = None) -> Markup:
    """A highlighted window of ``body`` around the first term found (the start of the body if none)."""
    key = normalize(body) if body_key is None else body_key
    at = _first_match(body, key, terms) if terms else None
    start = 0 if at is None else max(0, at - EXCERPT_BEFORE)
    while 0 < start < len(body) and (unicodedata.combining(body[start]) or body[start] in "\uff9e\uff9f"):
        start -= 1  # never cut a letter from its voicing mark
    window = body[start:start + length]
    html = highlight_terms(window, terms)
    prefix = Markup("…") if start > 0 else Markup("")
    suffix = Markup("…") if start + length < len(body) else Markup("")
    return prefix + html + suffix


def _single_line(text: str) -> str:
    return " ".join(text.split())


# --- writing --------------------------------------------------------------------------------------

def index_document(session: Session, *, kind: str, ref_id: int, title: str, body: str, url: str,
                   scope_type: str, scope_id: int | None, updated_at: datetime | None = None) -> SearchEntry:
    """Add or replace the entry of ``(kind, ref_id)``; flushes. ``body`` is plain text (no markup)."""
    title = _single_line(title)[:MAX_TITLE_CHARS]
    plain = body or ""
    title_key = normalize(title)[:MAX_TITLE_CHARS]
    key = f"{title_key}{SEPARATOR}{normalize(plain[:MAX_KEY_CHARS])}"
    entry = session.scalar(select(SearchEntry).where(SearchEntry.kind == kind, SearchEntry.ref_id == ref_id))
    if entry is None:
        entry = SearchEntry(kind=kind, ref_id=ref_id, title_key="")
        session.add(entry)
    old_title_key = entry.title_key if entry.id else None
    entry.title, entry.url, entry.body, entry.key = title, url, plain[:MAX_KEY_CHARS], key
    entry.lead = key[:SCORE_WINDOW]
    entry.scope_type, entry.scope_id = scope_type, scope_id
    entry.updated_at = updated_at or utcnow()
    entry.title_key = title_key
    session.flush()
    if old_title_key != title_key:
        session.execute(delete(SearchTitleGram).where(SearchTitleGram.entry_id == entry.id))
        grams = sorted(title_grams(title_key))
        if grams:
            session.execute(SearchTitleGram.__table__.insert(),
                            [{"gram": g, "entry_id": entry.id} for g in grams])
        session.flush()
    return entry


def remove_document(session: Session, kind: str, ref_id: int) -> None:
    """Take ``(kind, ref_id)`` out of the index (nothing happens if it is not there)."""
    entry_id = session.scalar(select(SearchEntry.id).where(SearchEntry.kind == kind, SearchEntry.ref_id == ref_id))
    if entry_id is None:
        return
    session.execute(delete(SearchTitleGram).where(SearchTitleGram.entry_id == entry_id))
    session.execute(delete(SearchEntry).where(SearchEntry.id == entry_id))
    session.flush()


# --- reading --------------------------------------------------------------------------------------

def _scope_clause(scopes: Iterable[Scope]) -> ColumnElement[bool]:
    by_type: dict[str, set[int]] = defaultdict(set)
    unscoped: set[str] = set()
    for scope_type, scope_id in scopes:
        if scope_id is None:
            unscoped.add(scope_type)
        else:
            by_type[scope_type].add(int(scope_id))
    clauses: list[ColumnElement[bool]] = [
        and_(SearchEntry.scope_type == t, SearchEntry.scope_id.is_(None)) for t in sorted(unscoped)]
    clauses += [and_(SearchEntry.scope_type == t, SearchEntry.scope_id.in_(sorted(ids)))
                for t, ids in sorted(by_type.items())]
    return or_(*clauses) if clauses else false()


class contains_text(ColumnElement[bool]):  # noqa: N801 - reads like the SQL it stands for
    """``haystack`` contains ``needle`` as an exact substring (keys and terms are already normalized).

    SQLite: ``instr(h, n) > 0`` — measured faster than ``LIKE '%n%'`` on Japanese keys, and SQLite 3.40's
    LIKE must not be trusted near FTS tables anyway. PostgreSQL: ``h LIKE '%n%'`` (``%``/``_`` escaped)
    for needles of three characters or more, so an optional ``gin_trgm_ops`` index on ``key`` can serve
    it (docs/decisions/0002-search.md); ``strpos(h, n) > 0`` for shorter ones, which such an index
    cannot help and would only slow down. All three give the same answer.
    """

    inherit_cache = False  # the needle is part of the SQL built below: never reuse a compiled statement
    type = Boolean()

    def __init__(self, haystack: ColumnElement[str] | Mapped[str], needle: str) -> None:
        self.haystack = haystack
        self.needle = needle


@compiles(contains_text, "sqlite")
def _contains_sqlite(element: contains_text, compiler: Any, **kw: Any) -> str:
    return compiler.process(func.instr(element.haystack, element.needle) > 0, **kw)


@compiles(contains_text, "postgresql")
def _contains_postgresql(element: contains_text, compiler: Any, **kw: Any) -> str:
    if len(element.needle) < 3:  # no trigram in it: keep the planner away from a trigram index
        return compiler.process(func.strpos(element.haystack, element.needle) > 0, **kw)
    pattern = f"%{like_escape(element.needle)}%"
    return compiler.process(element.haystack.like(pattern, escape="\\"), **kw)  # type: ignore[union-attr]


def _contains(column: ColumnElement[str] | Mapped[str], term: str) -> ColumnElement[bool]:
    return contains_text(column, term)


def _title_candidates(term: str) -> ColumnElement[bool]:
    grams = sorted(_term_grams(term))
    sub = (select(SearchTitleGram.entry_id).where(SearchTitleGram.gram.in_(grams))
           .group_by(SearchTitleGram.entry_id).having(func.count() == len(grams)))
    return SearchEntry.id.in_(sub)


def _occurrences(term: str) -> ColumnElement[int]:
    """How often ``term`` occurs in the lead (the key's first ``SCORE_WINDOW`` characters): bounded work
    per row, the same integer arithmetic on both databases."""
    return (func.length(SearchEntry.lead) - func.length(func.replace(SearchEntry.lead, term, ""))) / len(term)


def _hit(entry: SearchEntry, terms: Sequence[str], in_title: bool) -> SearchHit:
    return SearchHit(kind=entry.kind, ref_id=entry.ref_id, title=entry.title, url=entry.url,
                     scope_type=entry.scope_type, scope_id=entry.scope_id, updated_at=entry.updated_at,
                     in_title=in_title, title_html=highlight_terms(entry.title, terms),
                     excerpt_html=excerpt(entry.body, terms, body_key=entry.key.split(SEPARATOR, 1)[-1]))


def search(session: Session, q: str | None, *, scopes: Iterable[Scope], kinds: Iterable[str] | None = None,
           ref_ids: Select[Any] | None = None, limit: int = 20, offset: int = 0) -> SearchPage:
    """Documents in ``scopes`` (and ``kinds``) containing every term of ``q``: title hits first.

    ``ref_ids`` (a SELECT of one id column, with a single kind) keeps only the documents about those rows —
    an area's own filters, applied in the database so that ``total`` and every page count only them.
    """
    terms = search_terms(q)
    limit, offset = max(1, min(int(limit), 100)), max(0, int(offset))
    if not terms:
        return SearchPage(q=q or "", terms=(), hits=[], total=0, offset=offset, limit=limit)
    base = [_scope_clause(list(scopes))]
    kind_list = sorted(set(kinds)) if kinds is not None else None
    if kind_list is not None:
        base.append(SearchEntry.kind.in_(kind_list))
    if ref_ids is not None:
        base.append(SearchEntry.ref_id.in_(ref_ids))
    title_match = and_(*[_contains(SearchEntry.title_key, t) for t in terms])  # every term in the title
    in_title = and_(*base, *[_title_candidates(t) for t in terms], title_match)
    in_body = and_(*base, *[_contains(SearchEntry.key, t) for t in terms], not_(title_match))

    # One scan counts both groups and the kinds (title hits are exactly the matches whose title has every term).
    matched = (select(SearchEntry.kind.label("kind"), case((title_match, 1), else_=0).label("in_title"))
               .where(*base, *[_contains(SearchEntry.key, t) for t in terms]).subquery())
    counts = session.execute(select(matched.c.kind, matched.c.in_title, func.count())
                             .group_by(matched.c.kind, matched.c.in_title))
    title_total = body_total = 0
    kinds_found: dict[str, int] = defaultdict(int)
    for kind, flag, n in counts:
        kinds_found[kind] += n
        if flag:
            title_total += n
        else:
            body_total += n

    hits: list[SearchHit] = []
    joined = "".join(terms)
    if offset < title_total:
        rank = case((SearchEntry.title_key == joined, 0),
                    (SearchEntry.title_key.like(f"{like_escape(terms[0])}%", escape="\\"), 1), else_=2)
        rows = session.scalars(select(SearchEntry).where(in_title)
                               .order_by(rank, SearchEntry.updated_at.desc(), SearchEntry.id.desc())
                               .offset(offset).limit(limit))
        hits += [_hit(e, terms, True) for e in rows]
    remaining = limit - len(hits)
    if remaining > 0 and body_total:
        score = sum((_occurrences(t) for t in terms[1:]), _occurrences(terms[0]))
        body_offset = max(0, offset - title_total)
        rows = session.scalars(select(SearchEntry).where(in_body)
                               .order_by(score.desc(), SearchEntry.updated_at.desc(), SearchEntry.id.desc())
                               .offset(body_offset).limit(remaining))
        hits += [_hit(e, terms, False) for e in rows]
    return SearchPage(q=q or "", terms=terms, hits=hits, total=title_total + body_total, offset=offset,
                      limit=limit, title_total=title_total, kinds_found=dict(kinds_found))


# --- plug-in points -------------------------------------------------------------------------------

ScopeProvider = Callable[[Session, Any], list[Scope]]


def register_kind(app: Flask, kind: str, label: Any) -> None:
    """A kind of document the search page can filter by (``label`` is shown, e.g. a lazy gettext)."""
    app.extensions.setdefault("renkei_search_kinds", {})[kind] = label


def register_scopes(app: Flask, provider: ScopeProvider) -> None:
    """Scopes an area adds for a searcher (e.g. proposals a reviewer was assigned)."""
    app.extensions.setdefault("renkei_search_scopes", []).append(provider)
