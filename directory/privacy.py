"""A person's own data: the download (JSON of everything kept about them), erasure requests, anonymisation.

Anonymisation keeps what the person contributed to the programme (enrolments, team places,
proposals and reviews written by the account) and removes who they were: the name becomes
「匿名化されたユーザー」, the e-mail a unique placeholder, profile fields, affiliations, tags and tokens
are cleared, the search rows removed, the account closed; an audit entry records who did it.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from core.errors import DomainError
from curriculum.models import Enrolment, Team, TeamMember
from directory import contributions, index
from directory.models import (Affiliation, AffiliationConfirmation, ApiToken, ErasureRequest, ErasureStatus,
                              ProfileTag, TagKind)
from directory.services import affiliations, get_profile
from people.models import AuditEntry, Invitation, User
from people.services import audit

ANONYMOUS_NAME = "匿名化されたユーザー"
PLACEHOLDER_DOMAIN = "anonymized.invalid"  # .invalid never resolves (RFC 2606)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_person(session: Session, user: User, providers: Sequence[contributions.Provider], *,
                  now: datetime) -> dict[str, Any]:
    """Everything the platform keeps about this person, as plain JSON-able values."""
    profile = get_profile(session, user)
    tags = list(session.scalars(select(ProfileTag).where(ProfileTag.user_id == user.id)
                                .order_by(ProfileTag.kind, ProfileTag.position)))
    enrolments = list(session.scalars(select(Enrolment).where(Enrolment.user_id == user.id)))
    teams = list(session.execute(select(TeamMember, Team).join(Team, Team.id == TeamMember.team_id)
                                 .where(TeamMember.user_id == user.id)))
    entries = list(session.scalars(select(AuditEntry).where(or_(
        AuditEntry.actor_id == user.id, (AuditEntry.subject_type == "user") & (AuditEntry.subject_id == user.id)))
        .order_by(AuditEntry.at)))
    found = contributions.collect(session, [user.id], providers).get(user.id, [])
    return {
        "format": "renkei-personal-data/1",
        "exported_at": _iso(now),
        "account": {
            "id": user.id, "email": user.email, "name": user.name, "name_kana": user.name_kana,
            "city": user.city.code if user.city else None, "locale": user.locale,
            "created_at": _iso(user.created_at), "last_login_at": _iso(user.last_login_at),
            "roles": [{"role": g.role.value, "city": g.city.code if g.city else None,
                       "granted_at": _iso(g.granted_at), "revoked_at": _iso(g.revoked_at)} for g in user.grants],
        },
        "profile": {
            "romaji": profile.romaji, "bio": profile.bio, "contact_email": profile.contact_email,
            "contact_phone": profile.contact_phone, "contact_note": profile.contact_note,
            "welcomes_mentoring": profile.welcomes_mentoring,
            "visibility": {f: profile.visibility(f).value for f in
                           ("department", "position", "interests", "skills", "bio", "contact")},
        },
        "interests": [t.label for t in tags if t.kind is TagKind.INTEREST],
        "skills": [t.label for t in tags if t.kind is TagKind.SKILL],
        "affiliations": [{"valid_from": _iso(a.valid_from), "department": a.department, "position": a.position,
                          "city": a.city.code if a.city else None} for a in affiliations(session, user.id)],
        "confirmations": [{"fiscal_year": c.fiscal_year, "confirmed_at": _iso(c.confirmed_at), "changed": c.changed}
                          for c in session.scalars(select(AffiliationConfirmation).where(
                              AffiliationConfirmation.user_id == user.id).order_by(AffiliationConfirmation.fiscal_year))],
        "cohorts": [{"fiscal_year": e.cohort.fiscal_year, "status": e.status.value, "city": e.city.code,
                     "interests": e.interests} for e in sorted(enrolments, key=lambda e: e.cohort.fiscal_year)],
        "teams": [{"fiscal_year": team.cohort.fiscal_year, "number": team.number, "name": team.name}
                  for _member, team in teams],
        "contributions": [{"kind": c.kind, "title": c.title, "url": c.url, "fiscal_year": c.fiscal_year}
                          for c in found],
        "api_tokens": [{"name": t.name, "prefix": t.prefix, "created_at": _iso(t.created_at),
                        "last_used_at": _iso(t.last_used_at), "revoked_at": _iso(t.revoked_at)}
                       for t in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))],
        "erasure_requests": [{"requested_at": _iso(r.requested_at), "status": r.status.value, "reason": r.reason}
                             for r in session.scalars(select(ErasureRequest).where(ErasureRequest.user_id == user.id))],
        "audit": [{"at": _iso(a.at), "action": a.action, "by_self": a.actor_id == user.id} for a in entries],
    }


def pending_request(session: Session, user_id: int) -> ErasureRequest | None:
    return session.scalar(select(ErasureRequest).where(ErasureRequest.user_id == user_id,
                                                       ErasureRequest.status == ErasureStatus.PENDING))


def request_erasure(session: Session, user: User, *, reason: str) -> ErasureRequest:
    """Ask the secretariat to erase one's identity; asking twice keeps the first request."""
    existing = pending_request(session, user.id)
    if existing is not None:
        return existing
    row = ErasureRequest(user_id=user.id, reason=reason.strip()[:1000])
    session.add(row)
    session.flush()
    audit(session, user, "directory.erasure_request", user)
    return row


def withdraw_erasure(session: Session, user: User, *, now: datetime) -> None:
    row = pending_request(session, user.id)
    if row is not None:
        row.status, row.handled_at = ErasureStatus.WITHDRAWN, now
        audit(session, user, "directory.erasure_withdraw", user)
    session.flush()


def anonymize(session: Session, user: User, *, actor: User, now: datetime) -> User:
    """Remove the identity of an account, keep its contributions, and record it in the audit log."""
    if user.anonymized_at is not None:
        raise DomainError("already_anonymized")
    if user.id == actor.id:
        raise DomainError("cannot_anonymize_self")
    old_email = user.email
    placeholder = f"anonymized-{user.id}@{PLACEHOLDER_DOMAIN}"
    profile = get_profile(session, user)
    user.anonymized_at = now  # first: the name listener leaves anonymised accounts out of the index
    user.name, user.name_kana, user.email = ANONYMOUS_NAME, "", placeholder
    user.password_hash = None
    user.is_active = False
    user.session_version += 1
    for grant in user.active_grants:
        grant.revoked_at = now
    profile.romaji, profile.romaji_edited, profile.sort_key = "", False, ""
    profile.bio = profile.contact_email = profile.contact_phone = profile.contact_note = ""
    profile.welcomes_mentoring = False
    for model in (ProfileTag, Affiliation, AffiliationConfirmation, ApiToken):
        session.execute(delete(model).where(model.user_id == user.id))
    session.execute(update(Enrolment).where(Enrolment.user_id == user.id).values(interests=""))
    session.execute(update(Invitation).where(Invitation.email == old_email)
                    .values(email=placeholder, name=ANONYMOUS_NAME, name_kana=""))
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.detail.contains(old_email))):
        entry.detail = entry.detail.replace(old_email, placeholder)
    for request in session.scalars(select(ErasureRequest).where(ErasureRequest.user_id == user.id,
                                                                ErasureRequest.status == ErasureStatus.PENDING)):
        request.status, request.handled_at, request.handled_by_id = ErasureStatus.DONE, now, actor.id
    session.flush()
    index.remove_person(session.connection(), user.id)
    audit(session, actor, "directory.anonymize", user, f"user {user.id}")
    session.flush()
    return user
