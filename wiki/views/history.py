"""A page's history: every revision with who and when, any old revision, the diff of any two, restore."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from core import dates
from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from wiki import policy, services
from wiki.diff import diff_stats
from wiki.forms import MESSAGES, ActionForm
from wiki.models import Page, Revision
from wiki.revisions import diff_html, revision_by_number
from wiki.views.blueprints import bp
from wiki.views.common import OWNER, field_error, page_or_404, page_url, render_wiki, workspace_or_404


def _readable(owner: str, owner_id: int, slug: str, endpoint: str, **values: object):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    found = page_or_404(ws, slug, endpoint, **values)
    if isinstance(found, Page):
        authorize(policy.read_page(current_user, found))
    return ws, found


def _revision_or_404(page: Page, number: int) -> Revision:
    revision = revision_by_number(db.session, page, number)
    if revision is None:
        abort(404)
    return revision


@bp.route(f"/{OWNER}/<slug>/history")
def history(owner: str, owner_id: int, slug: str):  # type: ignore[no-untyped-def]
    ws, found = _readable(owner, owner_id, slug, "wiki.history")
    if not isinstance(found, Page):
        return found
    revisions = services.history(db.session, found)
    rows = []
    for i, rev in enumerate(revisions):
        previous = revisions[i + 1] if i + 1 < len(revisions) else None
        rows.append((rev, previous, diff_stats(previous.text if previous else "", rev.text)))
    return render_template("wiki/history.html", ws=ws, page=found, rows=rows, action_form=ActionForm())


@bp.route(f"/{OWNER}/<slug>/revisions/<int:number>")
def revision(owner: str, owner_id: int, slug: str, number: int):  # type: ignore[no-untyped-def]
    ws, found = _readable(owner, owner_id, slug, "wiki.revision", number=number)
    if not isinstance(found, Page):
        return found
    rev = _revision_or_404(found, number)
    return render_template("wiki/revision.html", ws=ws, page=found, revision=rev, rendered=render_wiki(ws, rev.text),
                           is_current=rev.id == found.current_revision_id, action_form=ActionForm())


def _number(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdecimal() else None


@bp.route(f"/{OWNER}/<slug>/diff")
def diff(owner: str, owner_id: int, slug: str):  # type: ignore[no-untyped-def]
    """``?from=2&to=5`` (any order); ``?to=5`` alone compares with the revision before it."""
    ws, found = _readable(owner, owner_id, slug, "wiki.diff", **request.args)
    if not isinstance(found, Page):
        return found
    to_number = _number("to") or found.version
    from_number = _number("from")
    if from_number is None:
        from_number = to_number - 1
    if from_number > to_number:
        from_number, to_number = to_number, from_number
    new = _revision_or_404(found, to_number)
    old = _revision_or_404(found, from_number) if from_number >= 1 else None
    html = diff_html(old, new)
    return render_template("wiki/diff.html", ws=ws, page=found, old=old, new=new, diff=html,
                           stats=diff_stats(old.text if old else "", new.text), empty="diff-hunks-empty" in html)


@bp.route(f"/{OWNER}/<slug>/revisions/<int:number>/restore", methods=["POST"])
def restore(owner: str, owner_id: int, slug: str, number: int):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    found = page_or_404(ws, slug)
    assert isinstance(found, Page)
    authorize(policy.edit_page(current_user, found))
    rev = _revision_or_404(found, number)
    form = ActionForm()
    if not form.validate():
        abort(400)
    if form.saved_since(found.version):
        flash(_("この画面を開いた後に、他の人が保存しました（第%(n)s版）。最新の版を確認してから、"
                "もう一度戻してください。", n=found.version), "warning")
        return redirect(page_url(ws, found, "wiki.history"))
    comment = form.comment.data or _("第%(n)s版に戻しました", n=number)
    before = found.version
    try:
        restored = services.restore(db.session, found, rev, author=current_user, now=dates.utcnow(), comment=comment)
    except DomainError as error:
        db.session.rollback()
        field_error(form, error, MESSAGES)
        return redirect(page_url(ws, found, "wiki.history"))
    db.session.commit()
    if restored.number == before:
        flash(_("この版は既に現在の内容です。"), "info")
    else:
        flash(_("第%(old)s版の内容を第%(new)s版として保存しました。", old=number, new=restored.number), "success")
    return redirect(page_url(ws, found))
