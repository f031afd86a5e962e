"""Sign-in, invitations, password reset, own account settings, and the secretariat's people pages."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from core import dates, mail
from core.errors import DomainError
from core.extensions import db, limiter
from core.security import authorize, public, safe_next
from people import policy, services
from people.forms import (PASSWORD_MESSAGES, ChangeEmailForm, ChangePasswordForm, ForgotPasswordForm, InviteForm,
                          LanguageForm, LoginForm, NewPasswordForm)
from people.models import AuditEntry, City, Invitation, Role, TokenPurpose, User, active_cities_query

bp = Blueprint("people", __name__)

def _send(to: str, subject: str, template: str, locale: str = "ja", **context: object) -> None:
    with force_locale(locale):
        body = render_template(f"people/mail/{template}.txt", **context)
        html = render_template(f"people/mail/{template}.html", **context)
    mail.send(mail.Mail(to=to, subject=subject, body=body, html=html), current_app.config)


def _field_error(form: object, error: DomainError) -> None:
    message = str(PASSWORD_MESSAGES.get(error.message, error.message))
    field = getattr(form, error.field or "", None)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        flash(message, "error")


def _city_choices(locale: str) -> list[tuple[str, str]]:
    return [(str(c.id), c.display_name(locale)) for c in db.session.scalars(active_cities_query())]


# --- signing in and out ------------------------------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit("10/minute;50/hour", methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        cfg = current_app.config
        user = services.authenticate(db.session, form.email.data or "", form.password.data or "",
                                     now=dates.utcnow(), max_attempts=cfg["LOGIN_LOCKOUT_ATTEMPTS"],
                                     lock_minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
        db.session.commit()
        if user is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session at sign-in: nothing from before survives (fixation)
            if lang:
                session["lang"] = lang
            login_user(user)
            session.permanent = True
            return redirect(safe_next(request.args.get("next")))
        # One neutral message for unknown address, wrong password, locked or inactive account.
        form.password.errors = [_("メールアドレスまたはパスワードが正しくありません。")]
    return render_template("people/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    session.clear()
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for("people.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit("5/minute;20/hour", methods=["POST"])
def forgot_password():  # type: ignore[no-untyped-def]
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        issued = services.request_password_reset(db.session, form.email.data or "", now=dates.utcnow(),
                                                 hours=current_app.config["PASSWORD_RESET_HOURS"])
        db.session.commit()
        if issued is not None:
            user = issued.row.user  # type: ignore[union-attr]
            link = url_for("people.reset_password", token=issued.raw, _external=True)
            _send(user.email, _("【Renkei】パスワード再設定のご案内"), "password_reset", user.locale,
                  user=user, link=link, hours=current_app.config["PASSWORD_RESET_HOURS"])
        # The same answer whether or not the address has an account.
        return render_template("people/forgot_sent.html")
    return render_template("people/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10/minute", methods=["POST"])
def reset_password(token: str):  # type: ignore[no-untyped-def]
    now = dates.utcnow()
    try:
        row = services.peek_token(db.session, token, TokenPurpose.PASSWORD_RESET, now=now)
    except services.InvalidToken:
        return render_template("people/link_invalid.html"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, token, form.password.data or "", now=now)
        except services.InvalidToken:
            db.session.rollback()
            return render_template("people/link_invalid.html"), 400
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("パスワードを設定しました。新しいパスワードでログインしてください。"), "success")
            return redirect(url_for("people.login"))
    return render_template("people/set_password.html", form=form, email=row.user.email,
                           title=_("パスワードの再設定"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit("10/minute", methods=["POST"])
def accept_invitation(token: str):  # type: ignore[no-untyped-def]
    now = dates.utcnow()
    try:
        invitation = services.find_invitation(db.session, token, now=now)
    except services.InvalidToken:
        return render_template("people/link_invalid.html"), 400
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(db.session, token, form.password.data or "", now=now)
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            session.clear()
            login_user(user)
            flash(_("ようこそ、Renkei へ。アカウントを有効にしました。"), "success")
            return redirect(url_for("home.index"))
    return render_template("people/set_password.html", form=form, email=invitation.email,
                           title=_("招待を受けてアカウントを作成"), invitation=invitation)


# --- own account -------------------------------------------------------------------------------

@bp.route("/account", methods=["GET"])
@login_required
def account():  # type: ignore[no-untyped-def]
    return render_template("people/account.html", language_form=LanguageForm(locale=current_user.locale),
                           password_form=ChangePasswordForm(), email_form=ChangeEmailForm())


@bp.route("/account/language", methods=["POST"])
@login_required
def change_language():  # type: ignore[no-untyped-def]
    form = LanguageForm()
    if form.validate_on_submit():
        current_user.locale = form.locale.data
        session["lang"] = form.locale.data
        db.session.commit()
        flash(_("表示言語を変更しました。"), "success")
        return redirect(url_for("people.account"))
    return render_template("people/account.html", language_form=form, password_form=ChangePasswordForm(),
                           email_form=ChangeEmailForm()), 400


@bp.route("/account/password", methods=["POST"])
@login_required
@limiter.limit("10/hour")
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, form.current_password.data or "",
                                     form.new_password.data or "")
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            # keep this session (its cookie carries the new version); the bump signs out the others
            login_user(current_user._get_current_object())
            flash(_("パスワードを変更しました。"), "success")
            return redirect(url_for("people.account"))
    return render_template("people/account.html", language_form=LanguageForm(locale=current_user.locale),
                           password_form=form, email_form=ChangeEmailForm()), 400


@bp.route("/account/email", methods=["POST"])
@login_required
@limiter.limit("10/hour")
def change_email():  # type: ignore[no-untyped-def]
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            issued = services.request_email_change(db.session, current_user, form.email.data or "",
                                                   form.password.data or "", now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            link = url_for("people.confirm_email", token=issued.raw, _external=True)
            _send(form.email.data or "", _("【Renkei】メールアドレス変更の確認"), "email_change",
                  current_user.locale, user=current_user, link=link)
            flash(_("確認メールを新しいアドレスに送りました。メール内のリンクを開くと変更が完了します。"), "success")
            return redirect(url_for("people.account"))
    return render_template("people/account.html", language_form=LanguageForm(locale=current_user.locale),
                           password_form=ChangePasswordForm(), email_form=form), 400


@bp.route("/account/email/<token>", methods=["GET", "POST"])
@login_required
def confirm_email(token: str):  # type: ignore[no-untyped-def]
    if request.method == "GET":  # a link opened from mail: confirm with a button (no change on GET)
        return render_template("people/confirm_email.html", token=token)
    try:
        row = services.peek_token(db.session, token, TokenPurpose.EMAIL_CHANGE, now=dates.utcnow())
        authorize(row.user_id == current_user.id)
        services.confirm_email_change(db.session, token, now=dates.utcnow())
    except (services.InvalidToken, DomainError):
        db.session.rollback()
        return render_template("people/link_invalid.html"), 400
    db.session.commit()
    flash(_("メールアドレスを変更しました。"), "success")
    return redirect(url_for("people.account"))


# --- secretariat and coordinators ----------------------------------------------------------------

@bp.route("/admin/people")
@login_required
def admin_people():  # type: ignore[no-untyped-def]
    authorize(policy.view_admin(current_user))
    users = db.session.scalars(select(User).order_by(User.name_kana, User.id)).all()
    return render_template("people/admin_people.html", users=users)


@bp.route("/admin/cities")
@login_required
def admin_cities():  # type: ignore[no-untyped-def]
    authorize(policy.manage_cities(current_user))
    counts = dict(db.session.execute(select(User.city_id, func.count(User.id)).group_by(User.city_id)).all())
    cities = db.session.scalars(select(City).order_by(City.sort_order, City.code)).all()
    return render_template("people/admin_cities.html", cities=cities, counts=counts)


@bp.route("/admin/audit")
@login_required
def admin_audit():  # type: ignore[no-untyped-def]
    authorize(policy.view_audit(current_user))
    entries = db.session.scalars(select(AuditEntry).options(joinedload(AuditEntry.actor).lazyload(User.grants))
                                 .order_by(AuditEntry.at.desc()).limit(200)).all()
    return render_template("people/admin_audit.html", entries=entries)


def _invite_form() -> InviteForm:
    locale = current_user.locale if current_user.is_authenticated else "ja"
    roles = policy.invitable_roles(current_user)
    cities = _city_choices(locale)
    if not current_user.has_role(Role.ADMIN):  # a coordinator: their own city only
        own = current_user.coordinator_city_ids()
        cities = [c for c in cities if int(c[0]) in own]
    return InviteForm(roles=roles, cities=cities)


@bp.route("/invitations", methods=["GET", "POST"])
@login_required
@limiter.limit("30/hour", methods=["POST"])
def invitations():  # type: ignore[no-untyped-def]
    authorize(policy.invite_any(current_user))
    form = _invite_form()
    if form.validate_on_submit():
        role = Role(form.role.data)
        city = db.session.get(City, int(form.city.data)) if form.city.data else None
        if city is None and not current_user.has_role(Role.ADMIN):
            form.city.errors = [*form.city.errors, _("市を選んでください。")]
        elif not policy.invite(current_user, role, city):
            form.city.errors = [*form.city.errors, _("この役割・市の招待はできません。")]
        else:
            try:
                result = services.invite(db.session, email=form.email.data or "", name=form.name.data or "",
                                         name_kana=form.name_kana.data or "", role=role, city=city,
                                         invited_by=current_user, now=dates.utcnow(),
                                         days=current_app.config["INVITATION_DAYS"])
            except DomainError as error:
                db.session.rollback()
                _field_error(form, error)
            else:
                db.session.commit()
                if isinstance(result, User):
                    flash(_("%(name)s さんは既にアカウントをお持ちのため、役割を追加しました。", name=result.name),
                          "success")
                else:
                    link = url_for("people.accept_invitation", token=result.raw, _external=True)
                    _send(result.row.email, _("【Renkei】8市連携スタディミーティングへの招待"), "invitation", "ja",
                          invitation=result.row, link=link, inviter=current_user,
                          days=current_app.config["INVITATION_DAYS"])
                    flash(_("%(email)s に招待メールを送りました。", email=result.row.email), "success")
                return redirect(url_for("people.invitations"))
    return render_template("people/invitations.html", form=form, pending=_visible_invitations()), (
        400 if form.errors else 200)


def _visible_invitations() -> list[Invitation]:
    query = select(Invitation).where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
    if not current_user.has_role(Role.ADMIN):
        query = query.where(Invitation.city_id.in_(current_user.coordinator_city_ids()),
                            Invitation.role == Role.PARTICIPANT)
    return list(db.session.scalars(query.order_by(Invitation.created_at.desc())))


@bp.route("/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke_invitation(invitation_id: int):  # type: ignore[no-untyped-def]
    invitation = db.get_or_404(Invitation, invitation_id)
    authorize(policy.invite(current_user, invitation.role, invitation.city))
    invitation.revoked_at = dates.utcnow()
    services.audit(db.session, current_user, "invitation.revoke", invitation, invitation.email)
    db.session.commit()
    flash(_("招待を取り消しました。"), "info")
    return redirect(url_for("people.invitations"))

