"""Workspaces and their pages: my workspaces, a workspace's start page, read, create and edit a page.

Creating and editing check CSRF through the form instead of the global guard, so an expired token
re-renders the editor with everything typed (status 400) instead of losing it on an error page.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import dates
from core.errors import DomainError
from core.extensions import csrf, db
from core.security import authorize
from wiki import policy, services
from wiki.forms import MESSAGES, CommentForm, EditForm, NewPageForm, UploadForm
from wiki.links import slug_or_none
from wiki.models import Page, SpaceKind
from wiki.revisions import EditConflict, diff_html, find_page, revision_by_number
from wiki.views.blueprints import bp
from wiki.views.common import (OWNER, draft_key, field_error, page_or_404, page_url, render_comment, render_wiki,
                               workspace_or_404)
from wiki.workspace import Workspace

START_TITLE = "トップページ"  # the page a workspace opens with (like MediaWiki's メインページ)
CLEAR_DRAFT = "wiki_clear_draft"


@bp.route("/wiki")
def index():  # type: ignore[no-untyped-def]
    authorize(policy.has_workspace(current_user))
    groups = services.workspaces_for(db.session, current_user)
    return render_template("wiki/index.html", groups=groups)


@bp.route(f"/{OWNER}/")
def home(owner: str, owner_id: int):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    authorize(policy.view_workspace(current_user, ws))
    insider = policy.insider(current_user, ws)
    pages = [p for p in services.pages_of(db.session, ws.space) if insider or p.published]
    start = next((p for p in pages if p.title == START_TITLE), None)
    return render_template(
        "wiki/home.html", ws=ws, insider=insider, pages=pages, start=start, start_title=START_TITLE,
        start_html=render_wiki(ws, start.text) if start else None,
        members=services.members(db.session, ws),
        changes=services.recent_changes(db.session, ws.space) if insider else [],
        files=services.attachments_of(db.session, ws.space)[:8] if insider else [],
        deleted=services.pages_of(db.session, ws.space, deleted=True) if policy.edit_workspace(current_user, ws)
        else [])


@bp.route(f"/{OWNER}/<slug>")
def page(owner: str, owner_id: int, slug: str):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    found = page_or_404(ws, slug, "wiki.page")
    if not isinstance(found, Page):
        return found
    authorize(policy.read_page(current_user, found))
    return render_page(ws, found)


def render_page(ws: Workspace, found: Page, *, comment_form: CommentForm | None = None,
                upload_form: UploadForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    """A page with its comments and files; forms passed in keep what was typed and their errors."""
    services.with_current_revision(db.session, found)
    people = services.mention_people(db.session, found, ws)
    comments = [(c, render_comment(c.body, people).html) for c in services.comments_of(db.session, found)]
    return render_template(
        "wiki/page.html", ws=ws, page=found, rendered=None if found.deleted else render_wiki(ws, found.text),
        revision=found.current_revision, comments=comments, comment_form=comment_form or CommentForm(),
        upload_form=upload_form or UploadForm(page_id=found.id),
        attachments=services.attachments_of(db.session, ws.space, page=found),
        backlinks=[p for p in services.backlinks(db.session, found) if policy.read_page(current_user, p)],
        clear_draft=session.pop(CLEAR_DRAFT, None)), status


def _editor(ws: Workspace, page: Page | None, form: NewPageForm | EditForm, *, status: int = 200, **extra: object):
    """The editor page (new page, edit, preview, conflict) — never loses what was typed."""
    context = {"ws": ws, "page": page, "form": form, "draft_key": draft_key(ws, page),
               "restore_draft": request.method == "GET", "preview": None, "conflict": None}
    context.update(extra)
    return render_template("wiki/edit.html", **context), status


def _csrf_expired(form: NewPageForm | EditForm) -> bool:
    token = getattr(form, "csrf_token", None)
    if token is not None and token.errors:
        token.errors = []
        flash(_("安全のための確認の有効期限が切れていました。入力した内容はそのまま残っています。もう一度保存してください。"), "warning")
        return True
    return False


@bp.route(f"/{OWNER}/-/new", methods=["GET", "POST"])
@csrf.exempt  # checked by the form, so an expired token re-renders the editor (see module docstring)
def new(owner: str, owner_id: int):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    authorize(policy.edit_workspace(current_user, ws))
    form = NewPageForm()
    if request.method == "GET":
        title = request.args.get("title", "").strip()
        existing = find_page(db.session, ws.space, slug_or_none(title) or "")[0] if ws.space and title else None
        if existing is not None and not existing.deleted:
            return redirect(page_url(ws, existing, "wiki.edit"))
        form.title.data = title[:120]
        return _editor(ws, None, form)
    valid = form.validate()
    if _csrf_expired(form) or not valid:
        return _editor(ws, None, form, status=400)
    if form.preview.data:
        return _editor(ws, None, form, preview=render_wiki(ws, form.text.data or ""))
    try:
        created = services.create_page(db.session, ws, form.title.data or "", form.text.data or "",
                                       author=current_user, now=dates.utcnow(), comment=form.comment.data or "")
    except DomainError as error:
        db.session.rollback()
        field_error(form, error, MESSAGES)
        return _editor(ws, None, form, status=400)
    db.session.commit()
    session[CLEAR_DRAFT] = draft_key(ws, None)
    flash(_("ページ「%(title)s」を作成しました。", title=created.title), "success")
    return redirect(page_url(ws, created))


@bp.route(f"/{OWNER}/<slug>/edit", methods=["GET", "POST"])
@csrf.exempt  # checked by the form, so an expired token re-renders the editor (see module docstring)
def edit(owner: str, owner_id: int, slug: str):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    found = page_or_404(ws, slug, "wiki.edit")
    if not isinstance(found, Page):
        return found
    # Deleted by a teammate while this edit was open: the save is refused at the field, with the text
    # kept in the editor (services.save_page), instead of a bare "forbidden" that loses it.
    authorize(policy.edit_page(current_user, found)
              or (request.method == "POST" and policy.undelete_page(current_user, found)))
    form = EditForm()
    if request.method == "GET":
        form.text.data = found.text
        form.base_revision_id.data = str(found.current_revision_id or "")
        return _editor(ws, found, form)
    valid = form.validate()
    if _csrf_expired(form) or not valid:
        return _editor(ws, found, form, status=400)
    if form.preview.data:
        return _editor(ws, found, form, preview=render_wiki(ws, form.text.data or ""))
    base_id = int(form.base_revision_id.data) if (form.base_revision_id.data or "").isdecimal() else None
    try:
        result = services.save_page(db.session, found, form.text.data or "", author=current_user,
                                    base_revision_id=base_id, now=dates.utcnow(), comment=form.comment.data or "")
    except EditConflict as conflict:
        db.session.rollback()
        form.text.data = conflict.merge.text  # the automatic merge, both versions kept between markers
        form.base_revision_id.data = str(conflict.latest.id)
        form.conflict_yours.data = conflict.yours
        details = {"yours": conflict.yours, "theirs": conflict.latest.text, "latest": conflict.latest,
                   "count": len(conflict.merge.conflicts),
                   "changes": diff_html(conflict.base, conflict.latest) if conflict.base else None}
        return _editor(ws, found, form, status=409, conflict=details)
    except DomainError as error:
        db.session.rollback()
        field_error(form, error, MESSAGES)
        return _editor(ws, found, form, status=400, conflict=_still_in_conflict(found, form, base_id))
    db.session.commit()
    session[CLEAR_DRAFT] = draft_key(ws, found)
    if result.merged:
        flash(_("他の人が先に保存した変更と自動で統合して保存しました。内容を確認してください。"), "warning")
    elif result.changed:
        flash(_("保存しました。"), "success")
    else:
        flash(_("変更がなかったため、新しい版は作りませんでした。"), "info")
    return redirect(page_url(ws, found))


def _still_in_conflict(found: Page, form: EditForm, base_id: int | None) -> dict[str, object] | None:
    """While a conflict is being resolved, keep showing both texts (what was typed, what was saved)."""
    latest = revision_by_number(db.session, found, found.version) if form.conflict_yours.data else None
    if latest is None or latest.id != base_id:
        return None
    return {"yours": form.conflict_yours.data, "theirs": latest.text, "latest": latest,
            "count": max(1, sum(line.startswith("<<<<<<<") for line in (form.text.data or "").splitlines())),
            "changes": None}


def space_label(ws: Workspace) -> str:
    if ws.kind is SpaceKind.TEAM and ws.team is not None:
        return ws.team.name
    return _("期の共有スペース")


def wiki_url(ws: Workspace, endpoint: str = "wiki.home", **values: object) -> str:
    """URL of a workspace route (template global: ``wiki_url(ws, 'wiki.page', slug=…)``)."""
    return url_for(endpoint, owner=ws.owner, owner_id=ws.owner_id, **values)


@bp.record_once
def _template_helpers(state) -> None:  # type: ignore[no-untyped-def]
    state.app.jinja_env.globals["wiki_url"] = wiki_url
    state.app.jinja_env.filters["wiki_space_label"] = space_label
