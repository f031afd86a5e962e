"""Curriculum services: plain functions over a session and values (actor and clock passed in).

They flush and never commit, and never read the request, ``flask.g`` or the app config. A rule of
the domain that refuses an action raises ``Refused`` with a message code (translated by the view,
see curriculum/messages.py), the form field it belongs to, and the values the message needs.
"""

from __future__ import annotations

from typing import Any

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


__all__ = ["Refused", "Conflict"]
