"""Test data builders over the real models and services (no mocks where the database will do)."""
from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from core.extensions import db
from people import services
from people.cli import EIGHT_CITIES, sync_cities
from people.models import City, Role, User

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH: str | None = None
_seq = itertools.count(1)


def password_hash() -> str:
    """Hash once per run: argon2 is deliberately slow."""
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = services.hash_password(PASSWORD)
    return _PASSWORD_HASH


def cities() -> dict[str, City]:
    """The eight member cities, by code (created on first use)."""
    found = {c.code: c for c in db.session.scalars(select(City))}
    if len(found) < len(EIGHT_CITIES):
        sync_cities(db.session)
        db.session.commit()
        found = {c.code: c for c in db.session.scalars(select(City))}
    return found


def city(code: str = "141003") -> City:
    return cities()[code]


YOKOHAMA, KAWASAKI, YOKOSUKA, KAMAKURA, FUJISAWA, ZUSHI, YAMATO, MACHIDA = (c[0] for c in EIGHT_CITIES)


def user(*roles: Role, city_code: str | None = YOKOHAMA, name: str | None = None, name_kana: str = "",
         email: str | None = None, commit: bool = True, **fields: Any) -> User:
    """A user with a password (``PASSWORD``) and the given roles; coordinators get their city."""
    n = next(_seq)
    home = city(city_code) if city_code else None
    fields.setdefault("password_hash", password_hash())
    person = User(email=email or f"user{n}@example.jp", name=name or f"試験 太郎{n}", name_kana=name_kana,
                  city=home, **fields)
    db.session.add(person)
    db.session.flush()
    for role in roles:
        services.grant_role(db.session, person, role, city=home if role is Role.COORDINATOR else None)
    if commit:
        db.session.commit()
    return person


def admin(**kw: Any) -> User:
    return user(Role.ADMIN, **kw)


def facilitator(**kw: Any) -> User:
    return user(Role.FACILITATOR, city_code=None, **kw)


def coordinator(city_code: str = YOKOHAMA, **kw: Any) -> User:
    return user(Role.COORDINATOR, city_code=city_code, **kw)


def participant(city_code: str = YOKOHAMA, **kw: Any) -> User:
    return user(Role.PARTICIPANT, city_code=city_code, **kw)


def alumnus(city_code: str = FUJISAWA, **kw: Any) -> User:
    return user(Role.ALUMNUS, city_code=city_code, **kw)
