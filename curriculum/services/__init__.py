"""Curriculum services: plain functions over a session and values (actor and clock passed in).

They flush and never commit, and never read the request, ``flask.g`` or the app config. A rule of
the domain that refuses an action raises ``Refused`` with a message code (translated by the view,
see curriculum/messages.py), the form field it belongs to, and the values the message needs.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from core.errors import ConflictError, DomainError


class Refused(DomainError):
    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        super().__init__(code, field)
        self.code = code
        self.params = params


class Conflict(ConflictError):
    """Someone else acted first (double submit, stale form)."""

    def __init__(self, code: str, field: str | None = None, **params: Any) -> None:
        super().__init__(code, field)
        self.code = code
        self.params = params


def edit_token(row: Any) -> str:
    """The opaque version an edit form carries (the row's ``updated_at``), to refuse a stale save."""
    stamp = row.updated_at
    return stamp.astimezone(timezone.utc).isoformat() if stamp is not None else ""


def check_token(session: Session, row: Any, expected: str | None) -> None:
    """Refuse (``edit_stale``) when someone saved ``row`` since the form showed ``expected``; on
    success, move the token on so that the next stale form is refused too. ``None``: not checked.

    The row is read again (locked on PostgreSQL) so two saves at the same moment cannot both pass."""
    if expected is None:
        return
    if inspect(row).persistent:
        session.refresh(row, ["updated_at"], with_for_update=True)
    if edit_token(row) != expected:
        raise Conflict("edit_stale")
    # Always a new token, even when only related rows change (a cohort's places, facilitators).
    stamp = datetime.now(timezone.utc)
    if row.updated_at is not None and stamp <= row.updated_at:
        stamp = row.updated_at + timedelta(microseconds=1)
    row.updated_at = stamp


__all__ = ["Refused", "Conflict", "edit_token", "check_token"]
