"""Changing a page's place and state: rename, move, delete/undelete, publish to the cohort, comments."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from core import dates
from core.errors import DomainError
from core.extensions import db
from core.forms import choices
from core.security import authorize
from wiki import policy, services
from wiki.forms import MESSAGES, ActionForm, CommentForm, MoveForm, RenameForm
from wiki.models import Comment, Page
from wiki.views.blueprints import bp
from wiki.views.common import OWNER, field_error, page_or_404, page_url, workspace_or_404
from wiki.views.pages import render_page, space_label
from wiki.workspace import Workspace


def _page(owner: str, owner_id: int, slug: str) -> tuple[Workspace, Page]:
    ws = workspace_or_404(owner, owner_id)
    found = page_or_404(ws, slug)
    assert isinstance(found, Page)
    return ws, found


@bp.route(f"/{OWNER}/<slug>/rename", methods=["GET", "POST"])
def rename(owner: str, owner_id: int, slug: str):  # type: ignore[no-untyped-def]
    ws, found = _page(owner, owner_id, slug)
    authorize(policy.edit_page(current_user, found))
    form = RenameForm()
    if request.method == "GET":
        form.title.data = found.title
    elif form.validate_on_submit():
        old = found.title
        try:
            services.rename_page(db.session, found, form.title.data or "", author=current_user, now=dates.utcnow(),
                                 comment=form.comment.data or "")
        except DomainError as error:
            db.session.rollback()
            field_error(form, error, MESSAGES)
        else:
            db.session.commit()
            flash(_("「%(old)s」を「%(new)s」に変更しました。元のアドレスからも開けます。", old=old, new=found.title),
                  "success")
            return redirect(page_url(ws, found))
    status = 400 if request.method == "POST" else 200
    return render_template("wiki/rename.html", ws=ws, page=found, form=form), status


@bp.route(f"/{OWNER}/<slug>/move", methods=["GET", "POST"])
def move(owner: str, owner_id: int, slug: str):  # type: ignore[no-untyped-def]
    ws, found = _page(owner, owner_id, slug)
    authorize(policy.edit_page(current_user, found))
    targets = {f"{t.owner}:{t.owner_id}": t for t in services.move_targets(db.session, current_user, found)}
    form = MoveForm()
    form.target.choices = choices([(key, space_label(t)) for key, t in targets.items()])
    if form.validate_on_submit():
        target = targets.get(form.target.data or "")
        if target is None:
            abort(400)
        try:
            services.move_page(db.session, found, target, author=current_user, now=dates.utcnow(),
                               comment=form.comment.data or "")
        except DomainError as error:
            db.session.rollback()
            field_error(form, error, MESSAGES)
        else:
            db.session.commit()
            flash(_("ページを「%(space)s」に移動しました。", space=space_label(target)), "success")
            return redirect(page_url(target, found))
    status = 400 if request.method == "POST" else 200
    return render_template("wiki/move.html", ws=ws, page=found, form=form, targets=targets), status


@bp.route(f"/{OWNER}/<slug>/delete", methods=["POST"])
def delete(owner: str, owner_id: int, slug: str):  # type: ignore[no-untyped-def]
    ws, found = _page(owner, owner_id, slug)
    authorize(policy.edit_page(current_user, found))
    form = ActionForm()
    if not form.validate():
        abort(400)
    if form.saved_since(found.version):
        flash(_("このページを開いた後に、他の人が保存しました（第%(n)s版）。最新の内容を確認してから、"
                "もう一度削除してください。", n=found.version), "warning")
        return redirect(page_url(ws, found))
    services.delete_page(db.session, found, author=current_user, now=dates.utcnow(), comment=form.comment.data or "")
    db.session.commit()
    flash(_("ページ「%(title)s」を削除しました。履歴は残っており、このページから元に戻せます。", title=found.title), "success")
    return redirect(page_url(ws, found))


@bp.route(f"/{OWNER}/<slug>/undelete", methods=["POST"])
def undelete(owner: str, owner_id: int, slug: str):  # type: ignore[no-untyped-def]
    ws, found = _page(owner, owner_id, slug)
    authorize(policy.undelete_page(current_user, found))
    form = ActionForm()
    if not form.validate():
        abort(400)
    services.undelete_page(db.session, found, author=current_user, now=dates.utcnow(),
                           comment=form.comment.data or "")
    db.session.commit()
    flash(_("ページ「%(title)s」を元に戻しました。", title=found.title), "success")
    return redirect(page_url(ws, found))


@bp.route(f"/{OWNER}/<slug>/publish", methods=["POST"])
def publish(owner: str, owner_id: int, slug: str):  # type: ignore[no-untyped-def]
    ws, found = _page(owner, owner_id, slug)
    authorize(policy.publish_page(current_user, found))
    form = ActionForm()
    if not form.validate():
        abort(400)
    published = request.form.get("published") == "1"
    services.set_published(db.session, found, published, actor=current_user, now=dates.utcnow())
    db.session.commit()
    flash(_("このページを期の全員に公開しました。") if published else _("このページの公開をやめました（チームの中だけで見られます）。"),
          "success")
    return redirect(page_url(ws, found))


@bp.route(f"/{OWNER}/<slug>/comments", methods=["POST"])
def comment(owner: str, owner_id: int, slug: str):  # type: ignore[no-untyped-def]
    ws, found = _page(owner, owner_id, slug)
    authorize(policy.comment_page(current_user, found))
    form = CommentForm()
    if form.validate_on_submit():
        try:
            added = services.add_comment(db.session, found, form.body.data or "", author=current_user,
                                         now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            field_error(form, error, MESSAGES)
        else:
            db.session.commit()
            flash(_("コメントしました。"), "success")
            return redirect(page_url(ws, found) + f"#comment-{added.id}")
    return render_page(ws, found, comment_form=form, status=400)


@bp.route(f"/{OWNER}/<slug>/comments/<int:comment_id>/delete", methods=["POST"])
def delete_comment(owner: str, owner_id: int, slug: str, comment_id: int):  # type: ignore[no-untyped-def]
    ws, found = _page(owner, owner_id, slug)
    remark = db.session.get(Comment, comment_id)
    if remark is None or remark.page_id != found.id:
        abort(404)
    authorize(policy.delete_comment(current_user, remark, found))
    if not ActionForm().validate():
        abort(400)
    services.delete_comment(db.session, remark, actor=current_user, now=dates.utcnow())
    db.session.commit()
    flash(_("コメントを削除しました。"), "success")
    return redirect(page_url(ws, found) + "#comments")
