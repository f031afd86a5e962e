"""Sessions (回): schedule, agenda and materials, attendance; and the personal calendar feed."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from core import storage
from core.errors import DomainError
from core.extensions import db, limiter
from core.security import authorize, public
from curriculum import ical, policy
from curriculum.forms import ATTENDANCE_LABELS, AttendanceForm, MaterialForm, SessionForm
from curriculum.models import Assignment, AttendanceStatus, SessionMaterial, StudySession
from curriculum.services import sessions as services
from curriculum.services import Conflict, edit_token
from curriculum.views.common import bp, city_choices, get_cohort, locale, now, refuse, upload_dir


def _values(form: SessionForm) -> services.SessionValues:
    return services.SessionValues(
        number=int(form.number.data),
        title=form.title.data or "",
        starts_at=form.starts_at.data,
        ends_at=form.ends_at.data,
        host_city_id=int(form.host_city.data) if form.host_city.data else None,
        venue=form.venue.data or "",
        online_url=form.online_url.data or "",
        agenda=form.agenda.data or "",
    )


@bp.route("/cohorts/<int:cohort_id>/sessions")
def sessions(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.view_cohort(current_user, cohort))
    rows = services.sessions_of(db.session, cohort)
    mine = {}
    if policy.takes_part(current_user, cohort):
        mine = {a.session_id: a for s in rows for a in s.attendance if a.user_id == current_user.id}
    return render_template(
        "curriculum/sessions.html",
        cohort=cohort,
        sessions=rows,
        mine=mine,
        now=now(),
        labels=ATTENDANCE_LABELS,
    )


@bp.route("/cohorts/<int:cohort_id>/sessions/new", methods=["GET", "POST"])
def new_session(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.run_cohort(current_user, cohort))
    form = SessionForm(cities=city_choices())
    if request.method == "GET":
        form.number.data = services.next_session_number(db.session, cohort)
    if form.validate_on_submit():
        try:
            row = services.create_session(db.session, cohort, _values(form), actor=current_user, now=now())
        except DomainError as error:
            db.session.rollback()
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("第%(n)s回を登録しました。", n=row.number), "success")
            return redirect(url_for("curriculum.session", session_id=row.id))
    return render_template("curriculum/session_form.html", cohort=cohort, form=form, row=None), (
        400 if form.errors else 200
    )


@bp.route("/sessions/<int:session_id>")
def session(session_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(StudySession, session_id)
    authorize(policy.view_session(current_user, row))
    own = next((a for a in row.attendance if a.user_id == current_user.id), None)
    return render_template(
        "curriculum/session.html",
        cohort=row.cohort,
        row=row,
        own=own,
        now=now(),
        material_form=MaterialForm(),
        labels=ATTENDANCE_LABELS,
        human_size=storage.human_size,
    )


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(StudySession, session_id)
    authorize(policy.run_cohort(current_user, row.cohort))
    form = SessionForm(obj=row, cities=city_choices())
    if request.method == "GET":
        form.host_city.data = str(row.host_city_id) if row.host_city_id else ""
        form.edit_token.data = edit_token(row)
    stale = False
    if form.validate_on_submit():
        try:
            services.update_session(
                db.session, row, _values(form), now=now(), expected_token=form.edit_token.data or None
            )
        except DomainError as error:
            db.session.rollback()
            refuse(form, error)
            stale = getattr(error, "code", None) == "edit_stale"
            if stale:  # keep what they typed; show what is saved now; the next save merges
                form.edit_token.data = edit_token(row)
        else:
            db.session.commit()
            flash(_("第%(n)s回を更新しました。", n=row.number), "success")
            return redirect(url_for("curriculum.session", session_id=row.id))
    return render_template(
        "curriculum/session_form.html", cohort=row.cohort, form=form, row=row, stale=stale
    ), (409 if stale else 400 if form.errors else 200)


@bp.route("/sessions/<int:session_id>/materials", methods=["POST"])
def add_material(session_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(StudySession, session_id)
    authorize(policy.run_cohort(current_user, row.cohort))
    form = MaterialForm()
    uploads = [f for f in request.files.getlist("file") if f and f.filename]
    if form.validate_on_submit():
        if not uploads:
            form.file.errors = [*form.file.errors, _("ファイルを選んでください。")]
        else:
            try:
                for upload in uploads:
                    services.add_material(
                        db.session,
                        row,
                        upload.stream,
                        upload.filename or "",
                        upload_dir=upload_dir(),
                        actor=current_user,
                    )
            except DomainError as error:
                db.session.rollback()
                refuse(form, error, fallback="file")
            else:
                db.session.commit()
                flash(_("資料を%(n)s件追加しました。", n=len(uploads)), "success")
                return redirect(url_for("curriculum.session", session_id=row.id))
    own = next((a for a in row.attendance if a.user_id == current_user.id), None)
    return render_template(
        "curriculum/session.html",
        cohort=row.cohort,
        row=row,
        own=own,
        now=now(),
        material_form=form,
        labels=ATTENDANCE_LABELS,
        human_size=storage.human_size,
    ), 400


def _material(row: StudySession, material_id: int, *, removed: bool = False) -> SessionMaterial:
    material = db.session.get(SessionMaterial, material_id)
    if material is None or material.session_id != row.id or (material.removed_at is not None and not removed):
        abort(404)
    return material


@bp.route("/sessions/<int:session_id>/materials/<int:material_id>")
def material(session_id: int, material_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(StudySession, session_id)
    authorize(policy.view_session(current_user, row))
    return storage.download(_material(row, material_id).file, upload_dir())


@bp.route("/sessions/<int:session_id>/materials/<int:material_id>/remove", methods=["POST"])
def remove_material(session_id: int, material_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(StudySession, session_id)
    authorize(policy.run_cohort(current_user, row.cohort))
    item = _material(row, material_id, removed=True)
    if services.remove_material(db.session, item, actor=current_user, now=now()):
        db.session.commit()
        flash(_("資料「%(name)s」を外しました。", name=item.file.original_name), "info")
    else:
        flash(_("資料「%(name)s」は既に外されています。", name=item.file.original_name), "info")
    return redirect(url_for("curriculum.session", session_id=row.id))


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
def attendance(session_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(StudySession, session_id)
    authorize(policy.run_cohort(current_user, row.cohort))
    people = services.attendees(db.session, row)
    by_id = {e.user_id: e for e in people}
    form = AttendanceForm()
    if request.method == "GET":
        marks = {a.user_id: a for a in row.attendance}
        for e in people:
            mark = marks.get(e.user_id)
            form.rows.append_entry(
                {
                    "user_id": str(e.user_id),
                    "status": mark.status.value if mark else "",
                    "note": mark.note if mark else "",
                    "seen_status": mark.status.value if mark else "",
                    "seen_note": mark.note if mark else "",
                }
            )
    status_code = 200
    if form.validate_on_submit():
        marks_in: dict[int, tuple[AttendanceStatus, str]] = {}
        seen: dict[int, tuple[AttendanceStatus | None, str]] = {}
        for entry in form.rows:
            try:
                user_id = int(entry.form.user_id.data)
                seen_status = AttendanceStatus(entry.form.seen_status.data) if entry.form.seen_status.data else None
            except (TypeError, ValueError):
                abort(400)
            if user_id not in by_id:
                abort(400)
            if entry.form.seen_status.raw_data:  # forms from before this field existed are not checked
                seen[user_id] = (seen_status, entry.form.seen_note.data or "")
            if entry.form.status.data:
                marks_in[user_id] = (AttendanceStatus(entry.form.status.data), entry.form.note.data or "")
        try:
            changed = services.record_attendance(db.session, row, marks_in, actor=current_user, now=now(),
                                                 seen=seen or None)
        except Conflict as conflict:
            db.session.rollback()
            refuse(None, conflict)
            _show_saved_marks(form, row, conflict.params.get("user_ids", []))
            status_code = 409
        except DomainError as error:
            db.session.rollback()
            refuse(None, error)
        else:
            db.session.commit()
            flash(_("出欠を保存しました（%(n)s件を更新）。", n=changed), "success")
            return redirect(url_for("curriculum.session", session_id=row.id))
    rows = [(entry, by_id.get(_int_or_none(entry.form.user_id.data))) for entry in form.rows]
    return render_template("curriculum/attendance.html", cohort=row.cohort, row=row, form=form, rows=rows), (
        400 if form.errors else status_code
    )


def _show_saved_marks(form: AttendanceForm, row: StudySession, user_ids: list[int]) -> None:
    """Beside each clashing row, what is saved now (and the form now expects it, so saving again
    applies what the person kept or chose)."""
    saved = {a.user_id: a for a in db.session.get(StudySession, row.id).attendance}
    for entry in form.rows:
        uid = _int_or_none(entry.form.user_id.data)
        if uid not in user_ids:
            continue
        mark = saved.get(uid)
        entry.form.seen_status.data = mark.status.value if mark else ""
        entry.form.seen_note.data = mark.note if mark else ""
        label = ATTENDANCE_LABELS.get(mark.status) if mark else None
        entry.form.status.errors = [_("いま保存されている記録：%(status)s%(note)s", status=label or "—",
                                      note=f"（{mark.note}）" if mark and mark.note else "")]


def _int_or_none(value: object) -> int | None:
    """A posted id, or None when it is not a whole number (a tampered form re-renders, it never crashes)."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


# --- calendar feed ---------------------------------------------------------------------------------


@bp.route("/calendar")
def calendar():  # type: ignore[no-untyped-def]
    authorize(policy.own_calendar(current_user))
    feed = services.feed_of(db.session, current_user)
    url = url_for("curriculum.calendar_feed", token=feed.token, _external=True) if feed else None
    schedule = services.schedule_for(db.session, current_user, now=now())
    return render_template("curriculum/calendar.html", feed=feed, url=url, schedule=schedule, now=now())


@bp.route("/calendar/issue", methods=["POST"])
def issue_calendar():  # type: ignore[no-untyped-def]
    authorize(policy.own_calendar(current_user))
    had = services.feed_of(db.session, current_user) is not None
    services.issue_feed(db.session, current_user)
    db.session.commit()
    flash(
        _("新しいアドレスを発行しました。以前のアドレスは使えなくなりました。")
        if had
        else _("カレンダー用のアドレスを発行しました。"),
        "success",
    )
    return redirect(url_for("curriculum.calendar"))


@bp.route("/calendar/revoke", methods=["POST"])
def revoke_calendar():  # type: ignore[no-untyped-def]
    authorize(policy.own_calendar(current_user))
    services.revoke_feed(db.session, current_user)
    db.session.commit()
    flash(_("カレンダー用のアドレスを無効にしました。"), "info")
    return redirect(url_for("curriculum.calendar"))


@bp.route("/calendar/<token>.ics")
@public
@limiter.limit("60/minute")
def calendar_feed(token: str):  # type: ignore[no-untyped-def]
    """Public by design: the unguessable token is the key (calendar apps cannot sign in)."""
    feed = services.feed_by_token(db.session, token)
    if feed is None:
        abort(404)
    moment = now()
    schedule = services.schedule_for(db.session, feed.user, now=moment)
    with force_locale(feed.user.locale or "ja"):  # a calendar app sends no useful language: use the owner's
        entries = [_session_entry(s) for s in schedule.sessions] + [
            _deadline_entry(a) for a in schedule.assignments
        ]
        body = ical.build(_("8市連携スタディミーティング"), entries, now=moment)
    feed.last_used_at = moment
    db.session.commit()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="renkei.ics"'
    response.headers["Cache-Control"] = "private, max-age=0, no-store"
    return response


def _session_entry(row: StudySession) -> ical.CalendarEntry:
    where = [row.venue] if row.venue else []
    if row.online_url:
        where.append(row.online_url)
    host = row.host_city.display_name(locale()) if row.host_city else ""
    summary = _("第%(n)s回 %(title)s", n=row.number, title=row.title)
    description = "\n".join(x for x in (_("担当市：%(city)s", city=host) if host else "", row.agenda) if x)
    return ical.CalendarEntry(
        uid=f"session-{row.id}",
        summary=summary,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        location=" / ".join(where),
        description=description,
        url=url_for("curriculum.session", session_id=row.id, _external=True),
        updated_at=row.updated_at,
    )


def _deadline_entry(assignment: Assignment) -> ical.CalendarEntry:
    return ical.CalendarEntry(
        uid=f"assignment-{assignment.id}-due",
        summary=_("【締切】%(title)s", title=assignment.title),
        starts_at=assignment.due_at - timedelta(minutes=30),
        ends_at=assignment.due_at,
        url=url_for("curriculum.assignment", assignment_id=assignment.id, _external=True),
        updated_at=assignment.updated_at,
    )
