"""The bell's list, marking read, preferences, one-click unsubscribe, and the secretariat's job page."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core import dates
from core.errors import DomainError
from core.extensions import csrf, db
from core.i18n import current_locale
from core.scheduler import all_jobs, clock_from_config, last_runs
from core.scheduler.housekeeping import last_heartbeat
from core.scheduler.models import ERROR, JobRun
from core.security import authorize, public, safe_next
from notify import kinds, policy, services
from notify.forms import CHANNEL_LABELS, preferences_form
from notify.models import Delivery, DeliveryStatus, Notification
from notify.tokens import DIGEST_DAILY, DIGEST_WEEKLY, InvalidLink, read_unsubscribe_token
from people.models import User

bp = Blueprint("notify", __name__)
HEARTBEAT_STALE_MINUTES = 15


def _entries(rows: list[Notification]) -> list[tuple[Notification, kinds.Message, str | None]]:
    names = services.actor_names(db.session, rows)
    now, locale = dates.utcnow(), current_locale()
    return [(n, kinds.render(n.kind, n.params or {}, locale=locale, now=now,
                             actor_name=names.get(n.actor_id) if n.actor_id else None),
             names.get(n.actor_id) if n.actor_id else None) for n in rows]


@bp.route("/notifications")
def index():  # type: ignore[no-untyped-def]
    authorize(policy.view_own(current_user))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    unread_only = request.args.get("unread") == "1"
    rows, more = services.page_of(db.session, current_user.id, page=page, unread_only=unread_only)
    unread = services.unread_count(db.session, current_user.id)
    return render_template("notify/list.html", entries=_entries(rows), page=page, more=more,
                           unread_only=unread_only, unread=unread, notify_unread=unread,
                           kind_label=lambda name: kinds.get(name).label)


@bp.route("/api/notifications/unread")
def unread_count():  # type: ignore[no-untyped-def]
    authorize(policy.view_own(current_user))
    return jsonify(unread=services.unread_count(db.session, current_user.id))


def _own(notification_id: int) -> Notification:
    notification = db.get_or_404(Notification, notification_id)
    authorize(policy.read(current_user, notification))
    return notification


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def mark_read(notification_id: int):  # type: ignore[no-untyped-def]
    notification = _own(notification_id)
    services.mark_read(db.session, notification, now=dates.utcnow())
    db.session.commit()
    return redirect(safe_next(request.form.get("next"), "notify.index"))


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
def open_notification(notification_id: int):  # type: ignore[no-untyped-def]
    notification = _own(notification_id)
    services.mark_read(db.session, notification, now=dates.utcnow())
    db.session.commit()
    return redirect(notification.url or url_for("notify.index"))


@bp.route("/notifications/read-all", methods=["POST"])
def mark_all_read():  # type: ignore[no-untyped-def]
    authorize(policy.view_own(current_user))
    count = services.mark_all_read(db.session, current_user.id, now=dates.utcnow())
    db.session.commit()
    flash(_("%(count)d件のお知らせを既読にしました。", count=count), "success")
    return redirect(url_for("notify.index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
def preferences():  # type: ignore[no-untyped-def]
    authorize(policy.view_own(current_user))
    form = preferences_form(services.preferences_for(db.session, current_user))
    if form.validate_on_submit():
        services.set_preferences(db.session, current_user, form.choices_by_kind())
        db.session.commit()
        flash(_("通知の設定を保存しました。"), "success")
        return redirect(url_for("notify.preferences"))
    return render_template("notify/preferences.html", form=form), 400 if form.errors else 200


def _unsubscribe_target(token: str) -> tuple[User, str] | None:
    try:
        user_id, kind = read_unsubscribe_token(str(current_app.config["SECRET_KEY"]), token)
    except InvalidLink:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.anonymized_at is not None:
        return None
    return user, kind


def _what(kind: str) -> str:
    if kind == DIGEST_DAILY:
        return _("毎日のまとめメール")
    if kind == DIGEST_WEEKLY:
        return _("毎週のまとめメール")
    return str(kinds.get(kind).label)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt  # RFC 8058 one-click: the mail client posts without a session; the signed token authorises
def unsubscribe(token: str):  # type: ignore[no-untyped-def]
    target = _unsubscribe_target(token)
    if target is None:
        return render_template("notify/link_invalid.html"), 400
    user, kind = target
    if request.method == "GET":  # a link opened in a browser: confirm with a button, change nothing yet
        return render_template("notify/unsubscribe.html", token=token, what=_what(kind), email=user.email)
    try:
        services.unsubscribe(db.session, user, kind)
    except DomainError:
        db.session.rollback()
        return render_template("notify/link_invalid.html"), 400
    db.session.commit()
    return render_template("notify/unsubscribe_done.html", what=_what(kind))


@bp.route("/admin/jobs")
def admin_jobs():  # type: ignore[no-untyped-def]
    authorize(policy.view_jobs(current_user))
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    specs = all_jobs(app)
    now = clock_from_config(app.config).now()
    runs = last_runs(db.session, [s.name for s in specs])
    disabled = set(app.config.get("SCHEDULER_DISABLED_JOBS") or ())
    errors = db.session.scalars(select(JobRun).where(JobRun.status == ERROR)
                                .order_by(JobRun.started_at.desc()).limit(20)).all()
    recent = db.session.scalars(select(JobRun).order_by(JobRun.started_at.desc()).limit(30)).all()
    troubled = db.session.scalars(
        select(Delivery).options(selectinload(Delivery.user)).where((Delivery.status == DeliveryStatus.FAILED)
                               | ((Delivery.status == DeliveryStatus.PENDING) & (Delivery.attempts > 0)))
        .order_by(Delivery.created_at.desc()).limit(100)).all()
    counts = dict(db.session.execute(select(Delivery.status, func.count(Delivery.id))
                                     .group_by(Delivery.status)).all())
    beat = last_heartbeat(db.session)
    stale = beat is None or (now - beat[0]).total_seconds() > HEARTBEAT_STALE_MINUTES * 60
    return render_template("notify/admin_jobs.html", specs=specs, runs=runs, disabled=disabled, errors=errors,
                           recent=recent, troubled=troubled, counts=counts, beat=beat, stale=stale, now=now,
                           channel_labels=CHANNEL_LABELS)


@bp.route("/admin/jobs/deliveries/<int:delivery_id>/retry", methods=["POST"])
def retry_delivery(delivery_id: int):  # type: ignore[no-untyped-def]
    delivery = db.get_or_404(Delivery, delivery_id)
    authorize(policy.retry_delivery(current_user))
    try:
        services.requeue(db.session, delivery, now=dates.utcnow())
    except DomainError:
        db.session.rollback()
        flash(_("このメールは再送の対象ではありません。"), "error")
    else:
        db.session.commit()
        flash(_("メールを再送の列に戻しました。次の配信で送られます。"), "success")
    return redirect(url_for("notify.admin_jobs"))
