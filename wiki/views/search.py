"""Search over everything the searcher may read: workspace pages, the case library, later proposals."""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user

from core import searchindex
from core.extensions import db
from core.security import authorize
from wiki import policy, services
from wiki.views.blueprints import search_bp

PER_PAGE = 20


def scope_providers() -> list:  # type: ignore[type-arg]
    """Other areas add the scopes they own (``app.extensions["renkei_search_scopes"]``)."""
    return list(current_app.extensions.get("renkei_search_scopes", []))


@search_bp.route("/search")
def index():  # type: ignore[no-untyped-def]
    authorize(policy.search(current_user))
    q = (request.args.get("q") or "").strip()[:200]
    kinds = dict(current_app.extensions.get("renkei_search_kinds", {}))
    kind = request.args.get("kind", "")
    kind = kind if kind in kinds else ""
    offset = int(request.args["offset"]) if request.args.get("offset", "").isdecimal() else 0
    scopes = services.readable_scopes(db.session, current_user)
    for provider in scope_providers():
        scopes += provider(db.session, current_user)
    results = searchindex.search(db.session, q, scopes=scopes, kinds=[kind] if kind else None, limit=PER_PAGE,
                                 offset=offset) if q else None
    facets = results.kinds_found if results is not None and not kind else (
        searchindex.search(db.session, q, scopes=scopes, limit=1).kinds_found if q else {})
    return render_template("wiki/search.html", q=q, kind=kind, kinds=kinds, results=results, facets=facets,
                           ignored=searchindex.ignored_terms(q), max_terms=searchindex.MAX_TERMS)
