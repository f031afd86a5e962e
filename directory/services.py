"""Profiles: details, tags, visibility, affiliation history (人事異動), April confirmation, API tokens.

Plain functions: a session and plain values in, a model or ``DomainError`` out. They flush and keep
the search index in step; they never commit and never read the request.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from core import dates
from core.errors import DomainError
from core.search import normalize
from directory import index
from directory.models import (PRIVATE_FIELDS, Affiliation, AffiliationConfirmation, ApiToken, Profile,
                              ProfileTag, TagKind, Visibility)
from people.models import User

MAX_TAGS = 20
TAG_MAX_LENGTH = 60
TOKEN_PREFIX = "rk_"
_TAG_SPLIT = re.compile(r"[,、，;；\n]+")


# --- profiles ----------------------------------------------------------------------------------


def get_profile(session: Session, user: User) -> Profile:
    """The person's profile (created on the spot for an account that predates the directory)."""
    profile = session.get(Profile, user.id)
    if profile is None:
        session.flush()
        index.index_name(session.connection(), user.id, user.name, user.name_kana or "")
        profile = session.get(Profile, user.id)
        assert profile is not None
    return profile


def parse_tags(text: str) -> list[str]:
    """Labels typed as "防災, DX、地域交通" (commas, 読点, semicolons or lines), de-duplicated."""
    out: dict[str, str] = {}
    for raw in _TAG_SPLIT.split(text or ""):
        label = " ".join(raw.split())[:TAG_MAX_LENGTH]
        norm = normalize(label)[:TAG_MAX_LENGTH]
        if norm and norm not in out:
            out[norm] = label
    return list(out.values())


def tag_problem(text: str) -> str | None:
    labels = parse_tags(text)
    if len(labels) > MAX_TAGS:
        return "too_many_tags"
    return None


def set_tags(session: Session, user_id: int, kind: TagKind, labels: Iterable[str]) -> None:
    session.execute(delete(ProfileTag).where(ProfileTag.user_id == user_id, ProfileTag.kind == kind))
    seen: set[str] = set()
    for pos, label in enumerate(labels):
        norm = normalize(label)[:TAG_MAX_LENGTH]
        if norm and norm not in seen:
            seen.add(norm)
            session.add(ProfileTag(user_id=user_id, kind=kind, label=label[:TAG_MAX_LENGTH], norm=norm, position=pos))
    session.flush()


def affiliations(session: Session, user_id: int) -> list[Affiliation]:
    """Newest first."""
    return list(session.scalars(select(Affiliation).where(Affiliation.user_id == user_id)
                                .order_by(Affiliation.valid_from.desc(), Affiliation.id.desc())))


def current_affiliation(rows: Iterable[Affiliation], today: date) -> Affiliation | None:
    """The row in force today: the latest one that started on or before today (else the earliest)."""
    rows = sorted(rows, key=lambda a: (a.valid_from, a.id or 0))
    past = [a for a in rows if a.valid_from <= today]
    if past:
        return past[-1]
    return rows[0] if rows else None


def reindex(session: Session, user_id: int) -> None:
    """Rewrite the searchable fields that the directory owns (all but the name and contributions)."""
    session.flush()
    profile = session.get(Profile, user_id)
    if profile is None:
        return
    rows = affiliations(session, user_id)
    tags = list(session.scalars(select(ProfileTag).where(ProfileTag.user_id == user_id)))
    index.write_fields(session.connection(), user_id, [
        # the whole history is searchable: colleagues remember where someone used to work
        index.FieldRow("department", profile.vis_department, index.values_key(a.department for a in rows)),
        index.FieldRow("position", profile.vis_position, index.values_key(a.position for a in rows)),
        index.FieldRow("interests", profile.vis_interests,
                       index.values_key(t.label for t in tags if t.kind is TagKind.INTEREST)),
        index.FieldRow("skills", profile.vis_skills,
                       index.values_key(t.label for t in tags if t.kind is TagKind.SKILL)),
    ])


@dataclass(frozen=True)
class ProfileInput:
    romaji: str = ""
    bio: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    contact_note: str = ""
    welcomes_mentoring: bool = False
    interests: str = ""
    skills: str = ""
    visibility: Mapping[str, Visibility] | None = None


def save_profile(session: Session, user: User, values: ProfileInput) -> Profile:
    """Save what the person edited on /me/profile and re-index it."""
    for name in ("interests", "skills"):
        if tag_problem(getattr(values, name)):
            raise DomainError("too_many_tags", field=name)
    profile = get_profile(session, user)
    romaji = " ".join(values.romaji.split())
    derived = index.display_romaji(user.name_kana or "")
    if romaji and romaji != profile.romaji:
        profile.romaji, profile.romaji_edited = romaji, romaji != derived
    elif not romaji:
        profile.romaji, profile.romaji_edited = derived, False
    profile.bio = values.bio.strip()
    profile.contact_email = values.contact_email.strip().lower()
    profile.contact_phone = values.contact_phone.strip()
    profile.contact_note = values.contact_note.strip()
    profile.welcomes_mentoring = values.welcomes_mentoring
    for name, vis in (values.visibility or {}).items():
        if name in PRIVATE_FIELDS:
            setattr(profile, f"vis_{name}", Visibility(vis))
    set_tags(session, user.id, TagKind.INTEREST, parse_tags(values.interests))
    set_tags(session, user.id, TagKind.SKILL, parse_tags(values.skills))
    session.flush()
    index.index_name(session.connection(), user.id, user.name, user.name_kana or "")
    reindex(session, user.id)
    return profile


# --- affiliation history -------------------------------------------------------------------------


def record_transfer(session: Session, user: User, *, department: str, position: str, valid_from: date,
                    now: datetime) -> Affiliation:
    """異動しました: a new affiliation from ``valid_from``; earlier ones stay as history.

    Sending the same transfer twice changes nothing; a different entry for a date that already has
    one is refused (correct that entry instead), so nothing saved is overwritten silently.
    """
    department, position = " ".join(department.split()), " ".join(position.split())
    if not department and not position:
        raise DomainError("affiliation_empty", field="department")
    existing = session.scalar(select(Affiliation).where(Affiliation.user_id == user.id,
                                                        Affiliation.valid_from == valid_from))
    if existing is not None:
        if (existing.department, existing.position) == (department, position):
            return existing
        raise DomainError("affiliation_date_taken", field="valid_from")
    row = Affiliation(user_id=user.id, city_id=user.city_id, department=department, position=position,
                      valid_from=valid_from)
    session.add(row)
    session.flush()
    # Reporting this year's (or next April's) transfer also answers the April confirmation.
    fy = dates.fiscal_year(valid_from)
    if fy >= dates.fiscal_year(dates.to_tokyo(now)):
        confirm_affiliation(session, user, fiscal_year=fy, changed=True)
    reindex(session, user.id)
    return row


def correct_affiliation(session: Session, user: User, *, department: str, position: str, today: date) -> Affiliation:
    """Fix the entry in force today (a typo, a renamed section); a first entry starts this fiscal year."""
    department, position = " ".join(department.split()), " ".join(position.split())
    if not department and not position:
        raise DomainError("affiliation_empty", field="department")
    row = current_affiliation(affiliations(session, user.id), today)
    if row is None:
        start, _end = dates.fiscal_year_bounds(dates.fiscal_year(today))
        row = Affiliation(user_id=user.id, city_id=user.city_id, valid_from=start)
        session.add(row)
    row.department, row.position = department, position
    session.flush()
    reindex(session, user.id)
    return row


def confirm_affiliation(session: Session, user: User, *, fiscal_year: int, changed: bool = False) -> AffiliationConfirmation:
    """The person says their department and position are current for ``fiscal_year`` (idempotent)."""
    row = session.scalar(select(AffiliationConfirmation).where(AffiliationConfirmation.user_id == user.id,
                                                               AffiliationConfirmation.fiscal_year == fiscal_year))
    if row is None:
        row = AffiliationConfirmation(user_id=user.id, fiscal_year=fiscal_year, changed=changed)
        session.add(row)
    elif changed and not row.changed:
        row.changed = True
    session.flush()
    return row


def is_confirmed(session: Session, user_id: int, fiscal_year: int) -> bool:
    return session.scalar(select(AffiliationConfirmation.id).where(
        AffiliationConfirmation.user_id == user_id, AffiliationConfirmation.fiscal_year == fiscal_year)) is not None


# --- personal API tokens -----------------------------------------------------------------------


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[str, ApiToken]:
    """A new token; the raw value is returned once (only its hash is kept)."""
    name = " ".join(name.split())
    if not name:
        raise DomainError("token_name_missing", field="name")
    taken = session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.name == name))
    if taken is not None:
        raise DomainError("token_name_taken", field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash(raw), prefix=raw[:10])
    session.add(row)
    session.flush()
    return raw, row


def revoke_token(session: Session, token: ApiToken, *, now: datetime) -> None:
    if token.revoked_at is None:
        token.revoked_at = now
    session.flush()


def user_for_token(session: Session, raw: str, *, now: datetime) -> User | None:
    """The active account behind a Bearer token, or None (unknown, revoked, inactive, anonymised)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
    if row is None or row.revoked_at is not None:
        return None
    user = row.user
    if not user.is_active or user.anonymized_at is not None:
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
        row.last_used_at = now  # coarse, so a busy script does not write on every call
    return user
