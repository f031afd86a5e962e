"""/api/v1: the directory as JSON, for a signed-in session or a personal token (Authorization: Bearer).

The views are marked ``@public`` only so that a token (not a session) can authenticate; each one
resolves the caller itself and answers 401 without one. All are GET: nothing here changes data,
so CSRF does not apply. The contract is ``directory/openapi.json``.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import abort, g, jsonify, request
from flask_login import current_user

from core import dates
from core.extensions import db
from core.security import public
from directory import policy, services
from directory.present import cards
from directory.search import Filters, search
from directory.views import api, providers, today
from directory.visibility import Viewer
from people.models import Role, User

OPENAPI = Path(__file__).resolve().parent.parent / "openapi.json"
MAX_PER_PAGE = 100


def api_user() -> User:
    """The caller: a Bearer token wins over the session; 401 without either."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, raw = header.partition(" ")
        user = services.user_for_token(db.session, raw.strip(), now=dates.utcnow()) if scheme.lower() == "bearer" else None
        if user is None:
            abort(401)
        db.session.commit()  # last_used_at
        g.api_token_user = user
        return user
    if current_user.is_authenticated:
        return current_user._get_current_object()
    abort(401)


def _int_arg(name: str, default: int, lo: int, hi: int) -> int:
    value = request.args.get(name, "")
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        abort(400, f"{name} must be an integer")
    if not lo <= number <= hi:
        abort(400, f"{name} must be between {lo} and {hi}")
    return number


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))


@api.route("/openapi.json")
@public
def openapi():  # type: ignore[no-untyped-def]
    """The API description is public: it contains no data, and clients need it before they sign in."""
    return jsonify(_document())


@api.route("/people")
@public
def people():  # type: ignore[no-untyped-def]
    user = api_user()
    if not policy.view_directory(user):
        abort(403)
    role_value = request.args.get("role", "")
    if role_value and role_value not in {r.value for r in Role}:
        abort(400, "unknown role")
    filters = Filters(city_id=_int_arg("city", 0, 0, 10**9) or None,
                      fiscal_year=_int_arg("fiscal_year", 0, 0, 2200) or None,
                      department=request.args.get("department", "")[:100],
                      interest=request.args.get("interest", "")[:60],
                      role=Role(role_value) if role_value else None)
    q = request.args.get("q", "")[:100]
    per_page = _int_arg("per_page", 20, 1, MAX_PER_PAGE)
    page = _int_arg("page", 1, 1, 500)
    viewer = Viewer.of(user)
    result = search(db.session, viewer, q, filters, page=page, per_page=per_page)
    items = [c.as_json() for c in cards(db.session, viewer, result.ids, today=today())]
    return jsonify(items=items, total=result.total, capped=result.capped, page=result.page, per_page=result.per_page,
                   pages=result.pages)


@api.route("/people/<int:user_id>")
@public
def person(user_id: int):  # type: ignore[no-untyped-def]
    user = api_user()
    found = db.session.get(User, user_id)
    if found is None or not policy.view_profile(user, found):
        abort(404 if user is not None else 401)
    services.get_profile(db.session, found)
    card = cards(db.session, Viewer.of(user), [found.id], today=today(), providers=providers())[0]
    db.session.commit()
    return jsonify(card.as_json(detail=True))
