"""Writing the search index: one ``DirectoryField`` row per searchable field, its bigrams beside it.

Keys are built with ``core.search`` exactly as tech.md §1(c) describes: the name field holds the
identity key (name, reading and romaji in both orders), the other fields hold normalised parts.
Every field carries the visibility its owner chose, so a search can only match what the viewer may
see. A profile row is created with every account (a mapper event on ``User``), and the name field
is rewritten whenever the name or reading changes, so people invited through any route are found.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import attributes

from core.search import EXTRA_SEPARATOR, grams, kana_to_romaji, latin_trigrams, normalize, person_search_key
from directory.models import DirectoryField, DirectoryGram, Profile, Visibility
from people.models import User

NAME = "name"
CONTRIBUTIONS = "contributions"
# Searchable fields. bio and contact are never searched (free text and personal channels).
SEARCHED = (NAME, "department", "position", "interests", "skills", CONTRIBUTIONS)

field_table = DirectoryField.__table__
gram_table = DirectoryGram.__table__
profile_table = Profile.__table__


def display_romaji(name_kana: str) -> str:
    """Romaji of the reading for display, word by word: "さとう はなこ" → "Sato Hanako"."""
    return " ".join(w.capitalize() for w in (kana_to_romaji(p) for p in name_kana.split()) if w)


def sort_key(name_kana: str, name: str) -> str:
    return (normalize(name_kana) or normalize(name))[:200]


def name_key(name: str, name_kana: str, romaji: str | None) -> str:
    return person_search_key(name, name_kana, romaji or None)


def values_key(values: Iterable[str]) -> str:
    """Normalised parts of free values (a department, tags, titles), ``|``-separated."""
    values = [v for v in values if v and v.strip()]
    if not values:
        return ""
    return person_search_key("", "", None, values).split(EXTRA_SEPARATOR, 1)[-1]


def field_grams(key: str) -> set[str]:
    """What ``directory_gram`` holds for one key: its bigrams (with the sentinel) and Latin trigrams."""
    return grams(key) | latin_trigrams(key)


@dataclass(frozen=True)
class FieldRow:
    field: str
    visibility: Visibility
    key: str


def write_fields(conn: Connection, user_id: int, rows: Sequence[FieldRow]) -> None:
    """Replace the given fields of one person (an empty key removes the field)."""
    names = [r.field for r in rows]
    old_ids = list(conn.execute(select(field_table.c.id).where(
        field_table.c.user_id == user_id, field_table.c.field.in_(names))).scalars())
    if old_ids:
        conn.execute(delete(gram_table).where(gram_table.c.field_id.in_(old_ids)))
        conn.execute(delete(field_table).where(field_table.c.id.in_(old_ids)))
    for row in rows:
        if not row.key:
            continue
        field_id = conn.execute(insert(field_table).values(
            user_id=user_id, field=row.field, visibility=row.visibility, key=row.key
        ).returning(field_table.c.id)).scalar_one()
        found = field_grams(row.key)
        if found:
            conn.execute(insert(gram_table), [{"gram": g, "user_id": user_id, "field_id": field_id}
                                              for g in sorted(found)])


def rebuild_grams(conn: Connection, batch: int = 5000) -> int:
    """Rewrite the whole gram table from the field keys (after a change of ``field_grams``)."""
    conn.execute(delete(gram_table))
    last, written = 0, 0
    while True:
        rows = conn.execute(select(field_table.c.id, field_table.c.user_id, field_table.c.key)
                            .where(field_table.c.id > last).order_by(field_table.c.id).limit(batch)).all()
        if not rows:
            return written
        last = rows[-1].id
        new = [{"gram": g, "user_id": uid, "field_id": fid}
               for fid, uid, key in rows for g in sorted(field_grams(key))]
        if new:
            conn.execute(insert(gram_table), new)
            written += len(new)


def set_visibility(conn: Connection, user_id: int, field: str, visibility: Visibility) -> None:
    conn.execute(update(field_table).where(field_table.c.user_id == user_id, field_table.c.field == field)
                 .values(visibility=visibility))


def remove_person(conn: Connection, user_id: int) -> None:
    ids = list(conn.execute(select(field_table.c.id).where(field_table.c.user_id == user_id)).scalars())
    if ids:
        conn.execute(delete(gram_table).where(gram_table.c.field_id.in_(ids)))
        conn.execute(delete(field_table).where(field_table.c.id.in_(ids)))


def index_name(conn: Connection, user_id: int, name: str, name_kana: str) -> None:
    """(Re)write the profile's derived romaji and sort key and the name field of one person."""
    profile = conn.execute(select(profile_table.c.romaji, profile_table.c.romaji_edited)
                           .where(profile_table.c.user_id == user_id)).first()
    if profile is None:
        romaji = display_romaji(name_kana)
        conn.execute(insert(profile_table).values(user_id=user_id, romaji=romaji,
                                                  sort_key=sort_key(name_kana, name)))
    else:
        romaji = profile.romaji if profile.romaji_edited else display_romaji(name_kana)
        conn.execute(update(profile_table).where(profile_table.c.user_id == user_id)
                     .values(romaji=romaji, sort_key=sort_key(name_kana, name)))
    write_fields(conn, user_id, [FieldRow(NAME, Visibility.MEMBERS, name_key(name, name_kana, romaji))])


# --- keeping the name field current, whoever creates or renames an account ------------------------


def _user_inserted(mapper: Any, connection: Connection, target: User) -> None:
    if target.anonymized_at is None:
        index_name(connection, target.id, target.name, target.name_kana or "")


def _user_updated(mapper: Any, connection: Connection, target: User) -> None:
    if target.anonymized_at is not None:
        return
    changed = any(attributes.get_history(target, attr).has_changes() for attr in ("name", "name_kana"))
    if changed:
        index_name(connection, target.id, target.name, target.name_kana or "")


def listen() -> None:
    if not event.contains(User, "after_insert", _user_inserted):
        event.listen(User, "after_insert", _user_inserted)
        event.listen(User, "after_update", _user_updated)
