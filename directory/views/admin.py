"""Statistics, the April confirmation list, and the secretariat's import, export and erasure pages."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, select
from sqlalchemy.orm import lazyload

from core import dates
from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from directory import importing, policy, privacy, stats
from directory.forms import ACTION_LABELS, MESSAGES, ImportForm, problem_text
from directory.models import AffiliationConfirmation, ErasureRequest, ErasureStatus, Profile
from directory.views import bp, today
from people.models import City, Role, RoleGrant, User

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@bp.route("/directory/statistics")
def statistics():  # type: ignore[no-untyped-def]
    authorize(policy.view_statistics(current_user))
    data = stats.collect(db.session)
    locale = current_user.locale
    names = {c.id: c.display_name(locale) for c in data.cities}
    fy_labels = [dates.fiscal_year_label(fy, locale) for fy in data.years]
    charts = {
        "participants": stats.stacked_columns(
            _("年度別・市別の参加者数"), fy_labels,
            [(names[c.id], [data.participants.get((fy, c.id), 0) for fy in data.years]) for c in data.cities]),
        "sizes": stats.bar_chart(_("年度別の参加者数（修了者）"),
                                 [(label, data.cohort_sizes[fy]["completed"]) for fy, label in zip(data.years, fy_labels)],
                                 color=stats.PALETTE[2]),
        "alumni_now": stats.bar_chart(_("修了生の現在の所属市"),
                                      [(names.get(cid, _("未設定")) if cid else _("未設定"), n)
                                       for cid, n in sorted(data.alumni_now.items(), key=lambda t: -t[1])]),
    }
    return render_template("directory/statistics.html", data=data, names=names, fy_labels=dict(zip(data.years, fy_labels)),
                           charts=charts)


@bp.route("/directory/unconfirmed")
def unconfirmed():  # type: ignore[no-untyped-def]
    """Alumni who have not confirmed their department and position for this fiscal year."""
    authorize(policy.view_unconfirmed(current_user))
    fy = dates.fiscal_year(today())
    city_ids = policy.unconfirmed_city_ids(current_user)
    stmt = (select(User).join(Profile, Profile.user_id == User.id)
            .where(User.is_active.is_(True), User.anonymized_at.is_(None),
                   exists().where(RoleGrant.user_id == User.id, RoleGrant.role == Role.ALUMNUS,
                                  RoleGrant.revoked_at.is_(None)),
                   ~exists().where(AffiliationConfirmation.user_id == User.id,
                                   AffiliationConfirmation.fiscal_year == fy))
            .options(lazyload(User.grants))  # the list shows no roles: one query however many people
            .order_by(User.city_id, Profile.sort_key))
    if city_ids is not None:
        stmt = stmt.where(User.city_id.in_(sorted(city_ids)))
    people = list(db.session.scalars(stmt.limit(1000)))
    cities = list(db.session.scalars(select(City).where(City.id.in_(sorted(city_ids))))) if city_ids is not None else []
    return render_template("directory/unconfirmed.html", people=people, fiscal_year=fy, cities=cities)


# --- secretariat ---------------------------------------------------------------------------------


@bp.route("/admin/directory/import", methods=["GET", "POST"])
def import_people():  # type: ignore[no-untyped-def]
    authorize(policy.manage_directory(current_user))
    form = ImportForm()
    report = None
    status = 200
    if form.validate_on_submit():
        data = form.file.data.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            form.file.errors = [*form.file.errors, _("ファイルが大きすぎます（5MB まで）。")]
            status = 400
        else:
            report = importing.check(db.session, data, today=today())
            if form.run.data and report.ok:
                importing.apply(db.session, report, actor=current_user, now=dates.utcnow())
                db.session.commit()
                flash(_("%(n)s 行を取り込みました（新規 %(c)s、更新 %(u)s、変更なし %(s)s）。", n=len(report.rows),
                        c=report.count("create"), u=report.count("update"), s=report.count("unchanged")), "success")
                return redirect(url_for("directory.import_people"))
            db.session.rollback()
            status = 200 if report.ok else 400
    elif form.errors:
        status = 400
    return render_template("directory/import.html", form=form, report=report, problem_text=problem_text,
                           action_labels=ACTION_LABELS), status


@bp.route("/admin/directory/export.csv")
def export_csv():  # type: ignore[no-untyped-def]
    authorize(policy.manage_directory(current_user))
    from people.services import audit

    audit(db.session, current_user, "directory.export", None, "csv")
    db.session.commit()
    # Built whole (a few MB even at 100,000 people): a streamed body would hold the request open.
    body = "".join(importing.export_rows(db.session, today=today())).encode("utf-8")
    stamp = dates.tokyo_now().strftime("%Y%m%d")
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="renkei-directory-{stamp}.csv"'})


@bp.route("/admin/directory/erasure")
def erasure_requests():  # type: ignore[no-untyped-def]
    authorize(policy.manage_directory(current_user))
    pending = list(db.session.scalars(select(ErasureRequest).where(ErasureRequest.status == ErasureStatus.PENDING)
                                      .order_by(ErasureRequest.requested_at)))
    done = list(db.session.scalars(select(ErasureRequest).where(ErasureRequest.status != ErasureStatus.PENDING)
                                   .order_by(ErasureRequest.requested_at.desc()).limit(50)))
    return render_template("directory/erasure.html", pending=pending, done=done)


@bp.route("/admin/directory/people/<int:user_id>/anonymize", methods=["POST"])
def anonymize(user_id: int):  # type: ignore[no-untyped-def]
    person = db.get_or_404(User, user_id)
    authorize(policy.manage_directory(current_user))
    if not policy.anonymize(current_user, person):
        abort(409)
    try:
        privacy.anonymize(db.session, person, actor=current_user, now=dates.utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(str(MESSAGES.get(error.message, error.message)), "error")
        return redirect(url_for("directory.erasure_requests"))
    db.session.commit()
    flash(_("アカウント %(id)s を匿名化しました。", id=person.id), "success")
    return redirect(url_for("directory.erasure_requests"))
