"""A workspace's files: list, upload (to the workspace or a page), download, remove and bring back."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import dates, storage
from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from wiki import policy, services
from wiki.forms import MESSAGES, ActionForm, UploadForm
from wiki.models import Attachment, Page
from wiki.views.blueprints import bp
from wiki.views.common import OWNER, field_error, page_url, workspace_or_404
from wiki.views.pages import render_page
from wiki.workspace import Workspace


def _files_page(ws: Workspace, form: UploadForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("wiki/files.html", ws=ws, form=form, files=services.attachments_of(db.session, ws.space),
                           removed=services.attachments_of(db.session, ws.space, removed=True)
                           if policy.manage_file(current_user, ws) else [],
                           action_form=ActionForm(), human_size=storage.human_size), status


@bp.route(f"/{OWNER}/-/files")
def files(owner: str, owner_id: int):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    authorize(policy.view_files(current_user, ws))
    return _files_page(ws, UploadForm())


@bp.route(f"/{OWNER}/-/files", methods=["POST"])
def upload(owner: str, owner_id: int):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    authorize(policy.manage_file(current_user, ws))
    form = UploadForm()
    page: Page | None = None
    if (form.page_id.data or "").isdecimal():
        page = db.session.get(Page, int(form.page_id.data))
        if page is None or ws.space is None or page.space_id != ws.space.id:
            abort(404)
        authorize(policy.edit_page(current_user, page))
    if form.validate_on_submit():
        try:
            services.attach(db.session, ws, form.file.data.stream, form.file.data.filename or "", author=current_user,
                            now=dates.utcnow(), upload_dir=current_app.config["UPLOAD_DIR"], page=page,
                            description=form.description.data or "")
        except DomainError as error:
            db.session.rollback()
            field_error(form, error, MESSAGES)
        else:
            db.session.commit()
            flash(_("ファイルをアップロードしました。"), "success")
            return redirect(page_url(ws, page) + "#files" if page else url_for(
                "wiki.files", owner=ws.owner, owner_id=ws.owner_id))
    if page is not None:
        return render_page(ws, page, upload_form=form, status=400)
    return _files_page(ws, form, 400)


def _attachment(ws: Workspace, attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or ws.space is None or attachment.space_id != ws.space.id:
        abort(404)
    return attachment


@bp.route(f"/{OWNER}/-/files/<int:attachment_id>")
def download(owner: str, owner_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    attachment = _attachment(ws, attachment_id)
    authorize(policy.download(current_user, attachment, ws))
    return storage.download(attachment.file, current_app.config["UPLOAD_DIR"])


def _back(ws: Workspace) -> str:
    return request.form.get("back") if (request.form.get("back") or "").startswith(ws.prefix + "/") else url_for(
        "wiki.files", owner=ws.owner, owner_id=ws.owner_id)  # type: ignore[return-value]


@bp.route(f"/{OWNER}/-/files/<int:attachment_id>/remove", methods=["POST"])
def remove_file(owner: str, owner_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    attachment = _attachment(ws, attachment_id)
    authorize(policy.manage_file(current_user, ws) and attachment.deleted_at is None)
    if not ActionForm().validate():
        abort(400)
    services.remove_attachment(db.session, attachment, actor=current_user, now=dates.utcnow())
    db.session.commit()
    flash(_("「%(name)s」を取り除きました。ファイル一覧から元に戻せます。", name=attachment.file.original_name), "success")
    return redirect(_back(ws))


@bp.route(f"/{OWNER}/-/files/<int:attachment_id>/restore", methods=["POST"])
def restore_file(owner: str, owner_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    ws = workspace_or_404(owner, owner_id)
    attachment = _attachment(ws, attachment_id)
    authorize(policy.manage_file(current_user, ws) and attachment.deleted_at is not None)
    if not ActionForm().validate():
        abort(400)
    services.restore_attachment(db.session, attachment, actor=current_user, now=dates.utcnow())
    db.session.commit()
    flash(_("「%(name)s」を元に戻しました。", name=attachment.file.original_name), "success")
    return redirect(_back(ws))
