"""Search, a person's profile, and one's own profile (details, visibility, transfers, tokens, data)."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import dates
from core.errors import DomainError
from core.extensions import db
from core.forms import choices
from core.security import authorize, safe_next
from directory import policy, privacy, services
from directory.forms import (FIELD_LABELS, MESSAGES, VISIBILITY_LABELS, AffiliationForm, ConfirmForm, ErasureForm,
                             ProfileForm, SearchForm, TokenForm, TransferForm)
from directory.models import PRIVATE_FIELDS, ApiToken, TagKind
from directory.present import cards
from directory.search import Filters, search
from directory.views import bp, providers, today, viewer
from people.forms import ROLE_LABELS
from people.models import Role, User, active_cities_query


def _field_error(form: Any, error: DomainError) -> None:
    message = str(MESSAGES.get(error.message, error.message))
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "error")


def search_form() -> SearchForm:
    form = SearchForm(request.args)
    locale = current_user.locale
    form.city.choices = choices([("", _("すべての市")), *((str(c.id), c.display_name(locale))
                                                       for c in db.session.scalars(active_cities_query()))])
    form.role.choices = choices([("", _("すべての役割")), *((r.value, str(ROLE_LABELS[r])) for r in Role)])
    return form


def filters_from(form: SearchForm) -> Filters:
    city = form.city.data if form.city.data and form.city.data.isdecimal() else None
    role = Role(form.role.data) if form.role.data in {r.value for r in Role} else None
    return Filters(city_id=int(city) if city else None, fiscal_year=form.fy.data if not form.fy.errors else None,
                   department=(form.department.data or "").strip(), interest=(form.interest.data or "").strip(),
                   role=role)


def page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


@bp.route("/directory")
def index():  # type: ignore[no-untyped-def]
    authorize(policy.view_directory(current_user))
    form = search_form()
    form.validate()
    q = (form.q.data or "").strip()[:100]
    result = search(db.session, viewer(), q, filters_from(form), page=page_number())
    people = cards(db.session, viewer(), result.ids, today=today())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("directory/index.html", form=form, q=q, result=result, people=people, args=args,
                           searched=bool(q) or filters_from(form).any), 400 if form.errors else 200


@bp.route("/directory/<int:user_id>")
def profile(user_id: int):  # type: ignore[no-untyped-def]
    person = db.get_or_404(User, user_id)
    authorize(policy.view_profile(current_user, person))
    services.get_profile(db.session, person)
    card = cards(db.session, viewer(), [person.id], today=today(), providers=providers())[0]
    db.session.commit()  # a profile created on first view
    return render_template("directory/profile.html", card=card, person=person, field_labels=FIELD_LABELS)


# --- own profile -----------------------------------------------------------------------------------


def _profile_form(profile: Any) -> ProfileForm:
    if request.method == "POST":
        return ProfileForm()
    data = {f"vis_{f}": profile.visibility(f).value for f in PRIVATE_FIELDS}
    return ProfileForm(data={
        "romaji": profile.romaji, "bio": profile.bio, "contact_email": profile.contact_email,
        "contact_phone": profile.contact_phone, "contact_note": profile.contact_note,
        "welcomes_mentoring": profile.welcomes_mentoring,
        "interests": "、".join(profile.tag_labels(TagKind.INTEREST)),
        "skills": "、".join(profile.tag_labels(TagKind.SKILL)), **data})


def _render_me(status: int = 200, **forms: Any):  # type: ignore[no-untyped-def]
    user = current_user._get_current_object()
    profile = services.get_profile(db.session, user)
    db.session.refresh(profile)
    history = services.affiliations(db.session, user.id)
    current = services.current_affiliation(history, today())
    fy = dates.fiscal_year(today())
    start, _end = dates.fiscal_year_bounds(fy)
    context = {
        "profile_form": forms.get("profile_form") or _profile_form(profile),
        "affiliation_form": forms.get("affiliation_form") or AffiliationForm(
            data={"department": current.department if current else "", "position": current.position if current else ""}),
        "transfer_form": forms.get("transfer_form") or TransferForm(data={"valid_from": start}),
        "confirm_form": ConfirmForm(),
        "token_form": forms.get("token_form") or TokenForm(),
        "erasure_form": forms.get("erasure_form") or ErasureForm(),
    }
    tokens = list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                     .order_by(ApiToken.created_at.desc())))
    return render_template(
        "directory/me.html", profile=profile, history=history, current=current, fiscal_year=fy,
        confirmed=services.is_confirmed(db.session, user.id, fy), tokens=tokens, new_token=forms.get("new_token"),
        erasure=privacy.pending_request(db.session, user.id), field_labels=FIELD_LABELS,
        visibility_labels=VISIBILITY_LABELS, **context), status


@bp.route("/me/profile", methods=["GET", "POST"])
def me():  # type: ignore[no-untyped-def]
    authorize(policy.edit_own_profile(current_user))
    if request.method == "GET":
        response = _render_me()
        db.session.commit()  # a profile created on first visit
        return response
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            services.save_profile(db.session, current_user, services.ProfileInput(
                romaji=form.romaji.data or "", bio=form.bio.data or "", contact_email=form.contact_email.data or "",
                contact_phone=form.contact_phone.data or "", contact_note=form.contact_note.data or "",
                welcomes_mentoring=bool(form.welcomes_mentoring.data), interests=form.interests.data or "",
                skills=form.skills.data or "", visibility=form.visibility()))
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("プロフィールを保存しました。"), "success")
            return redirect(url_for("directory.me"))
    return _render_me(400, profile_form=form)


@bp.route("/me/profile/affiliation", methods=["POST"])
def correct_affiliation():  # type: ignore[no-untyped-def]
    authorize(policy.edit_own_profile(current_user))
    form = AffiliationForm()
    if form.validate_on_submit():
        try:
            services.correct_affiliation(db.session, current_user, department=form.department.data or "",
                                         position=form.position.data or "", today=today())
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            services.confirm_affiliation(db.session, current_user, fiscal_year=dates.fiscal_year(today()))
            db.session.commit()
            flash(_("所属を保存しました。"), "success")
            return redirect(url_for("directory.me") + "#affiliation")
    return _render_me(400, affiliation_form=form)


@bp.route("/me/profile/transfer", methods=["POST"])
def transfer():  # type: ignore[no-untyped-def]
    authorize(policy.edit_own_profile(current_user))
    form = TransferForm()
    if form.validate_on_submit():
        try:
            services.record_transfer(db.session, current_user, department=form.department.data or "",
                                     position=form.position.data or "", valid_from=form.valid_from.data,
                                     now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("異動を登録しました。以前の所属は経歴として残ります。"), "success")
            return redirect(url_for("directory.me") + "#affiliation")
    return _render_me(400, transfer_form=form)


@bp.route("/me/profile/confirm", methods=["POST"])
def confirm():  # type: ignore[no-untyped-def]
    authorize(policy.edit_own_profile(current_user))
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    services.confirm_affiliation(db.session, current_user, fiscal_year=dates.fiscal_year(today()))
    db.session.commit()
    flash(_("今年度の所属を確認しました。ありがとうございます。"), "success")
    return redirect(safe_next(request.form.get("next"), "directory.me"))


@bp.route("/me/tokens", methods=["POST"])
def create_token():  # type: ignore[no-untyped-def]
    authorize(policy.edit_own_profile(current_user))
    form = TokenForm()
    if form.validate_on_submit():
        try:
            raw, _row = services.create_token(db.session, current_user, form.name.data or "")
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            # Shown once, on this page only: never stored in a cookie or a redirect.
            return _render_me(201, new_token=raw)
    return _render_me(400, token_form=form)


@bp.route("/me/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    services.revoke_token(db.session, token, now=dates.utcnow())
    db.session.commit()
    flash(_("トークン「%(name)s」を無効にしました。", name=token.name), "info")
    return redirect(url_for("directory.me") + "#tokens")


@bp.route("/me/data.json")
def download():  # type: ignore[no-untyped-def]
    authorize(policy.edit_own_profile(current_user))
    data = privacy.export_person(db.session, current_user, providers(), now=dates.utcnow())
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="renkei-my-data-{current_user.id}.json"'})


@bp.route("/me/erasure", methods=["POST"])
def request_erasure():  # type: ignore[no-untyped-def]
    authorize(policy.edit_own_profile(current_user))
    form = ErasureForm()
    if form.validate_on_submit():
        privacy.request_erasure(db.session, current_user, reason=form.reason.data or "")
        db.session.commit()
        flash(_("削除の依頼を事務局に送りました。対応が済むまで、取り消すこともできます。"), "success")
        return redirect(url_for("directory.me") + "#privacy")
    return _render_me(400, erasure_form=form)


@bp.route("/me/erasure/withdraw", methods=["POST"])
def withdraw_erasure():  # type: ignore[no-untyped-def]
    authorize(policy.edit_own_profile(current_user))
    privacy.withdraw_erasure(db.session, current_user, now=dates.utcnow())
    db.session.commit()
    flash(_("削除の依頼を取り消しました。"), "info")
    return redirect(url_for("directory.me") + "#privacy")

