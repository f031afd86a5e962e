"""Security plumbing: CSP with a per-request nonce, headers, deny-by-default sign-in, safe redirects."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from flask import Flask, Response, abort, g, redirect, request, url_for
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])

CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def public(view: F) -> F:
    """Mark a view as reachable without signing in. Everything else requires a signed-in user."""
    view._renkei_public = True  # type: ignore[attr-defined]
    return view


def is_public_endpoint(app: Flask, endpoint: str | None) -> bool:
    if endpoint is None or endpoint == "static":
        return True
    view = app.view_functions.get(endpoint)
    return bool(getattr(view, "_renkei_public", False))


def authorize(allowed: bool) -> None:
    """Abort with 403 unless a policy predicate allowed the action."""
    if not allowed:
        abort(403)


def safe_next(target: str | None, fallback: str = "home.index") -> str:
    """Return ``target`` only if it is a path on this site; otherwise the fallback endpoint's URL."""
    if target:
        parts = urlsplit(target)
        joined = urlsplit(urljoin(request.host_url, target))
        if (not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
                and "\\" not in target and joined.netloc == urlsplit(request.host_url).netloc):
            return target
    return url_for(fallback)


def csp_nonce() -> str:
    nonce = getattr(g, "csp_nonce", None)
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(16)
    return nonce


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.before_request
    def _refuse_nul_bytes() -> None:
        """No person types a NUL byte; PostgreSQL refuses it in text, so refuse the request up front
        (form fields, and query strings: /api/v1/people?q=%00 was a 500 on PostgreSQL)."""
        if any("\x00" in key or "\x00" in value for key, values in request.args.lists() for value in values):
            abort(400)
        if request.method in ("POST", "PUT", "PATCH") and any(
                "\x00" in value for values in request.form.listvalues() for value in values):
            abort(400)

    @app.before_request
    def _require_sign_in() -> Response | None:
        if is_public_endpoint(app, request.endpoint) or current_user.is_authenticated:
            return None
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(url_for("people.login", next=request.full_path.rstrip("?")))

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if current_user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response
