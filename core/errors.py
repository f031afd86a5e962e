"""Error pages in both languages, and JSON errors under /api/."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)
PAGES = {400, 401, 403, 404, 405, 413, 429, 500}


class DomainError(Exception):
    """A rule of the domain refused an action. Services raise it; views turn it into a message."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """Someone else changed the thing first (stale version, duplicate submit)."""


def _render(code: int, description: str | None = None):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/"):
        return jsonify(error=code, message=description or ""), code
    template = f"errors/{code}.html" if code in PAGES else "errors/generic.html"
    return render_template(template, code=code, description=description), code


def out_of_range(exc: BaseException) -> bool:
    """PostgreSQL's numeric_value_out_of_range (SQLSTATE 22003), or SQLite's driver refusing an
    integer beyond 64 bits."""
    if isinstance(exc, DataError):
        return getattr(exc.orig, "sqlstate", None) == "22003"
    return isinstance(exc, OverflowError) and "too large" in str(exc)


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):  # type: ignore[no-untyped-def]
        return _render(400, "csrf")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):  # type: ignore[no-untyped-def]
        response = _render(exc.code or 500)
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            return response[0], 405, {"Allow": ", ".join(exc.valid_methods)}  # type: ignore[attr-defined]
        return response

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _out_of_range(exc: Exception):  # type: ignore[no-untyped-def]
        """A number sent by the client past what the database stores (a hidden id of 2**40, an
        offset of 10**30): the request is bad, not the server. Anything else is unhandled."""
        if not out_of_range(exc):
            return _unhandled(exc)
        from core.extensions import db

        db.session.rollback()
        log.warning("number out of the database's range on %s %s: %s", request.method, request.path, exc)
        return _render(400)

    @app.errorhandler(Exception)
    def _unhandled(exc: Exception):  # type: ignore[no-untyped-def]
        if isinstance(exc, HTTPException):
            return _http(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise exc
        return _render(InternalServerError.code)
