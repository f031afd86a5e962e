"""Contributions (proposals written, review work done …) linked to profiles by the areas that own them.

The directory knows no proposal: an area above it registers a provider::

    from directory import contributions
    contributions.register(app, provider)  # provider(session, user_ids) -> list[Contribution]

Profiles list what the providers return, and their titles (and ``terms``) are searchable by every
member. When titles change, the owning area calls ``refresh(session, user_ids, providers_of(app))``
so the search index follows. With no provider registered there is simply nothing to show.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy.orm import Session

from directory import index
from directory.models import Visibility


@dataclass(frozen=True)
class Contribution:
    user_id: int
    kind: str  # e.g. "proposal", "review" (shown as a tag)
    title: str
    url: str  # a path on this site
    fiscal_year: int | None = None
    terms: tuple[str, ...] = field(default_factory=tuple)  # more searchable words (policy field, cities …)


Provider = Callable[[Session, Sequence[int]], list[Contribution]]


def register(app: Flask, provider: Provider) -> None:
    app.extensions.setdefault("renkei_contributions", []).append(provider)


def providers_of(app: Flask) -> list[Provider]:
    return list(app.extensions.get("renkei_contributions", []))


def collect(session: Session, user_ids: Iterable[int], providers: Sequence[Provider]) -> dict[int, list[Contribution]]:
    ids = sorted(set(user_ids))
    out: dict[int, list[Contribution]] = defaultdict(list)
    if not ids:
        return out
    for provider in providers:
        for item in provider(session, ids):
            out[item.user_id].append(item)
    for items in out.values():
        items.sort(key=lambda c: (-(c.fiscal_year or 0), c.kind, c.title))
    return out


def refresh(session: Session, user_ids: Iterable[int], providers: Sequence[Provider]) -> int:
    """Rewrite the searchable contributions field of these people; returns how many were indexed."""
    ids = sorted(set(user_ids))
    found = collect(session, ids, providers)
    conn = session.connection()
    for uid in ids:
        words = [w for c in found.get(uid, []) for w in (c.title, *c.terms)]
        index.write_fields(conn, uid, [index.FieldRow(index.CONTRIBUTIONS, Visibility.MEMBERS,
                                                      index.values_key(words))])
    return sum(1 for uid in ids if found.get(uid))
