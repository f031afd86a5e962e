"""Accounts: passwords, sign-in with lockout, invitations, password reset, roles, audit.

Plain functions: they take a session and plain values, flush, and never commit or read the request.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import DomainError
from people.models import AccountToken, AuditEntry, City, Invitation, Role, RoleGrant, TokenPurpose, User

_hasher = PasswordHasher()  # argon2id with the library's current defaults
# Verified against when the address is unknown, so both paths cost the same time.
_DUMMY_HASH = _hasher.hash("renkei-dummy-password-for-timing")

PASSWORD_MIN = 12
PASSWORD_MAX = 128


class InvalidToken(DomainError):
    """A link is unknown, used or expired. The message never says which."""


@dataclass(frozen=True)
class IssuedToken:
    """A raw token to put in a link (shown once), and the row that stores only its hash."""

    raw: str
    row: Invitation | AccountToken


def normalize_email(email: str) -> str:
    return email.strip().lower()


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(user: User | None, password: str) -> bool:
    if user is None or not user.password_hash:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Return a message key when a new password is not acceptable, else None."""
    if len(password) < PASSWORD_MIN:
        return "too_short"
    if len(password) > PASSWORD_MAX:
        return "too_long"
    lowered = password.lower()
    if email and lowered == normalize_email(email):
        return "like_email"
    if len(set(password)) < 4:
        return "too_simple"
    return None


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.session_version += 1  # sign out every other session


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalize_email(email)))


def authenticate(session: Session, email: str, password: str, *, now: datetime,
                 max_attempts: int = 5, lock_minutes: int = 15) -> User | None:
    """Check a password; count failures per account and lock it for a while after too many.

    Returns None for every kind of failure (unknown address, wrong password, locked, inactive),
    so the caller shows one neutral message.
    """
    user = get_user_by_email(session, email)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)  # same cost as a real check
        return None
    if not verify_password(user, password) or user is None:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= max_attempts:
                user.locked_until = now + timedelta(minutes=lock_minutes)
                user.failed_logins = 0
        return None
    if not user.is_active or user.anonymized_at is not None:
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if _hasher.check_needs_rehash(user.password_hash or ""):
        user.password_hash = hash_password(password)
    return user


def create_user(session: Session, *, email: str, name: str, name_kana: str = "", password: str | None = None,
                role: Role | None = None, city: City | None = None, locale: str = "ja",
                granted_by: User | None = None) -> User:
    email = normalize_email(email)
    if get_user_by_email(session, email) is not None:
        raise DomainError("email_taken", field="email")
    user = User(email=email, name=name.strip(), name_kana=name_kana.strip(), city=city, locale=locale)
    if password is not None:
        user.password_hash = hash_password(password)
    session.add(user)
    if role is not None:
        grant_role(session, user, role, city=city if role is Role.COORDINATOR else None, by=granted_by)
    session.flush()
    return user


def grant_role(session: Session, user: User, role: Role, *, city: City | None = None,
               by: User | None = None) -> RoleGrant:
    """Give a role (idempotent: an existing active grant is returned)."""
    if role is Role.COORDINATOR and city is None:
        raise DomainError("coordinator_needs_city", field="city")
    city_id = city.id if city is not None and role is Role.COORDINATOR else None
    for grant in user.active_grants:
        if grant.role is role and grant.city_id == city_id:
            return grant
    grant = RoleGrant(role=role, city=city if city_id else None, granted_by_id=by.id if by else None)
    user.grants.append(grant)
    session.flush()
    return grant


def revoke_role(session: Session, user: User, role: Role, *, now: datetime, city: City | None = None) -> None:
    for grant in user.active_grants:
        if grant.role is role and (city is None or grant.city_id == city.id):
            grant.revoked_at = now
    session.flush()


def invite(session: Session, *, email: str, name: str, role: Role, city: City | None, invited_by: User,
           now: datetime, days: int = 14, name_kana: str = "") -> IssuedToken | User:
    """Invite someone with a role. An existing account simply receives the role (returned as the User)."""
    existing = get_user_by_email(session, email)
    if existing is not None:
        grant_role(session, existing, role, city=city, by=invited_by)
        audit(session, invited_by, "role.grant", existing, f"{role.value} city={city.code if city else ''}")
        return existing
    if role is Role.COORDINATOR and city is None:
        raise DomainError("coordinator_needs_city", field="city")
    for pending in session.scalars(select(Invitation).where(
            Invitation.email == normalize_email(email), Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None))):
        pending.revoked_at = now  # a new invitation replaces an older one: only the newest link works
    raw = secrets.token_urlsafe(32)
    row = Invitation(email=normalize_email(email), name=name.strip(), name_kana=name_kana.strip(), role=role,
                     city=city, invited_by=invited_by, token_hash=token_hash(raw),
                     expires_at=now + timedelta(days=days))
    session.add(row)
    session.flush()
    audit(session, invited_by, "invitation.create", row, f"{row.email} {role.value}")
    return IssuedToken(raw, row)


def find_invitation(session: Session, raw: str, *, now: datetime) -> Invitation:
    row = session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(raw)))
    if row is None or row.accepted_at or row.revoked_at or row.expires_at <= now:
        raise InvalidToken("invalid_link")
    return row


def accept_invitation(session: Session, raw: str, password: str, *, now: datetime) -> User:
    invitation = find_invitation(session, raw, now=now)
    problem = password_problem(password, email=invitation.email)
    if problem:
        raise DomainError(problem, field="password")
    user = get_user_by_email(session, invitation.email)
    if user is None:
        user = create_user(session, email=invitation.email, name=invitation.name, name_kana=invitation.name_kana,
                           password=password, city=invitation.city)
    else:
        set_password(user, password)
    grant_role(session, user, invitation.role, city=invitation.city, by=invitation.invited_by)
    invitation.accepted_at = now
    session.flush()
    audit(session, user, "invitation.accept", invitation, invitation.role.value)
    return user


def issue_token(session: Session, user: User, purpose: TokenPurpose, *, now: datetime, ttl: timedelta,
                payload: str = "") -> IssuedToken:
    """A single-use token; earlier unused tokens of the same purpose stop working."""
    for old in session.scalars(select(AccountToken).where(
            AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.used_at.is_(None))):
        old.used_at = now
    raw = secrets.token_urlsafe(32)
    row = AccountToken(user=user, purpose=purpose, token_hash=token_hash(raw), payload=payload,
                       expires_at=now + ttl)
    session.add(row)
    session.flush()
    return IssuedToken(raw, row)


def consume_token(session: Session, raw: str, purpose: TokenPurpose, *, now: datetime) -> AccountToken:
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == token_hash(raw))
                         .with_for_update())
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= now:
        raise InvalidToken("invalid_link")
    row.used_at = now
    session.flush()
    return row


def peek_token(session: Session, raw: str, purpose: TokenPurpose, *, now: datetime) -> AccountToken:
    row = session.scalar(select(AccountToken).where(AccountToken.token_hash == token_hash(raw)))
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= now:
        raise InvalidToken("invalid_link")
    return row


def request_password_reset(session: Session, email: str, *, now: datetime, hours: int = 2) -> IssuedToken | None:
    """A reset token for an active account, or None (the caller answers the same either way)."""
    user = get_user_by_email(session, email)
    if user is None or not user.is_active or user.anonymized_at is not None:
        return None
    return issue_token(session, user, TokenPurpose.PASSWORD_RESET, now=now, ttl=timedelta(hours=hours))


def reset_password(session: Session, raw: str, password: str, *, now: datetime) -> User:
    row = peek_token(session, raw, TokenPurpose.PASSWORD_RESET, now=now)
    problem = password_problem(password, email=row.user.email)
    if problem:
        raise DomainError(problem, field="password")
    row = consume_token(session, raw, TokenPurpose.PASSWORD_RESET, now=now)
    set_password(row.user, password)
    row.user.failed_logins = 0
    row.user.locked_until = None
    audit(session, row.user, "password.reset", row.user)
    return row.user


def change_password(session: Session, user: User, current: str, new: str) -> None:
    if not verify_password(user, current):
        raise DomainError("wrong_password", field="current_password")
    problem = password_problem(new, email=user.email)
    if problem:
        raise DomainError(problem, field="new_password")
    set_password(user, new)
    audit(session, user, "password.change", user)


def request_email_change(session: Session, user: User, new_email: str, password: str, *,
                         now: datetime) -> IssuedToken:
    if not verify_password(user, password):
        raise DomainError("wrong_password", field="password")
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise DomainError("same_email", field="email")
    if get_user_by_email(session, new_email) is not None:
        # Not revealing that the address has an account would be nicer, but the user is signed in
        # and must be able to fix a typo; the address is not disclosed beyond "in use".
        raise DomainError("email_taken", field="email")
    return issue_token(session, user, TokenPurpose.EMAIL_CHANGE, now=now, ttl=timedelta(hours=24),
                       payload=new_email)


def confirm_email_change(session: Session, raw: str, *, now: datetime) -> User:
    row = consume_token(session, raw, TokenPurpose.EMAIL_CHANGE, now=now)
    if get_user_by_email(session, row.payload) is not None:
        raise DomainError("email_taken", field="email")
    old = row.user.email
    row.user.email = row.payload
    audit(session, row.user, "email.change", row.user, f"{old} -> {row.payload}")
    return row.user


def audit(session: Session, actor: User | None, action: str, subject: object | None = None,
          detail: str = "") -> AuditEntry:
    entry = AuditEntry(actor_id=actor.id if actor is not None and actor.id else None, action=action,
                       subject_type=type(subject).__name__.lower() if subject is not None else "",
                       subject_id=getattr(subject, "id", None), detail=detail[:1000])
    session.add(entry)
    return entry
