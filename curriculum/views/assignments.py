"""Assignments: posting, submitting, feedback, the submission matrix and its downloads."""

from __future__ import annotations

import io
import tempfile
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from core import storage
from core.dates import format_datetime_jst, to_local_input
from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from curriculum import exports, policy
from curriculum.forms import KIND_LABELS, STATUS_LABELS, AssignmentForm, FeedbackForm, SubmissionForm
from curriculum.models import Assignment, AssignmentKind, Cohort, Submission, SubmissionFile, SubmissionStatus
from curriculum.services import assignments as services
from curriculum.services import edit_token
from curriculum.views.common import bp, get_cohort, locale, now, refuse, upload_dir


def _values(form: AssignmentForm) -> services.AssignmentValues:
    return services.AssignmentValues(
        title=form.title.data or "",
        instructions=form.instructions.data or "",
        kind=AssignmentKind(form.kind.data),
        publish_at=form.publish_at.data or now(),
        due_at=form.due_at.data,
        late_until=form.late_until.data,
        allowed_types=list(form.allowed_types.data or []),
        max_mb=int(form.max_mb.data),
    )


def _render_form(cohort: Cohort, form: AssignmentForm, row: Assignment | None):  # type: ignore[no-untyped-def]
    return render_template("curriculum/assignment_form.html", cohort=cohort, form=form, row=row), (
        400 if form.errors else 200
    )


@bp.route("/cohorts/<int:cohort_id>/assignments")
def assignments(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.view_cohort(current_user, cohort))
    moment = now()
    staff = policy.facilitates(current_user, cohort)
    rows = services.assignments_of(db.session, cohort, published_by=None if staff else moment)
    mine = (
        {a.id: services.submission_for(db.session, a, current_user) for a in rows}
        if policy.takes_part(current_user, cohort)
        else {}
    )
    counts = {}
    if staff:
        grid = services.matrix(db.session, cohort)
        counts = {a.id: (len(grid.people) - len(grid.missing(a)), len(grid.people)) for a in rows}
    return render_template(
        "curriculum/assignments.html",
        cohort=cohort,
        rows=rows,
        mine=mine,
        counts=counts,
        now=moment,
        staff=staff,
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
    )


@bp.route("/cohorts/<int:cohort_id>/assignments/new", methods=["GET", "POST"])
def new_assignment(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.run_cohort(current_user, cohort))
    form = AssignmentForm()
    if request.method == "GET":
        form.allowed_types.data = ["pdf", "docx", "xlsx", "pptx"]
    if form.validate_on_submit():
        try:
            row = services.create_assignment(db.session, cohort, _values(form), actor=current_user, now=now())
        except DomainError as error:
            db.session.rollback()
            refuse(form, error)
        else:
            db.session.commit()
            flash(_("課題「%(title)s」を登録しました。", title=row.title), "success")
            return redirect(url_for("curriculum.assignment", assignment_id=row.id))
    return _render_form(cohort, form, None)


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
def edit_assignment(assignment_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(Assignment, assignment_id)
    authorize(policy.run_cohort(current_user, row.cohort))
    form = AssignmentForm(obj=row)
    if request.method == "GET":
        form.allowed_types.data = row.extensions
        form.kind.data = row.kind.value
        form.edit_token.data = edit_token(row)
    if form.validate_on_submit():
        try:
            services.update_assignment(
                db.session, row, _values(form), now=now(), expected_token=form.edit_token.data or None
            )
        except DomainError as error:
            db.session.rollback()
            refuse(form, error)
            if getattr(error, "code", None) == "edit_stale":  # keep their text, show what is saved now
                form.edit_token.data = edit_token(row)
                return render_template(
                    "curriculum/assignment_form.html",
                    cohort=row.cohort,
                    form=form,
                    row=row,
                    stale=True,
                    kind_labels=KIND_LABELS,
                ), 409
        else:
            db.session.commit()
            flash(_("課題を更新しました。"), "success")
            return redirect(url_for("curriculum.assignment", assignment_id=row.id))
    return _render_form(row.cohort, form, row)


def _assignment_page(row: Assignment, form: SubmissionForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    moment = now()
    submission = services.submission_for(db.session, row, current_user)
    if form is None:
        form = SubmissionForm(base_version=str(submission.version_count if submission else 0))
    staff = policy.facilitates(current_user, row.cohort)
    grid = services.matrix(db.session, row.cohort) if staff else None
    team = (
        services.team_of(db.session, row.cohort_id, current_user.id)
        if row.kind is AssignmentKind.TEAM
        else None
    )
    return render_template(
        "curriculum/assignment.html",
        cohort=row.cohort,
        row=row,
        submission=submission,
        form=form,
        now=moment,
        staff=staff,
        grid=grid,
        team=team,
        can_submit=policy.submit(current_user, row, moment) and moment <= row.closes_at,
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
        human_size=storage.human_size,
    ), status


@bp.route("/assignments/<int:assignment_id>")
def assignment(assignment_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(Assignment, assignment_id)
    authorize(policy.view_assignment(current_user, row, now()))
    return _assignment_page(row)


@bp.route("/assignments/<int:assignment_id>/submit", methods=["POST"])
def submit(assignment_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(Assignment, assignment_id)
    authorize(policy.submit(current_user, row, now()))
    form = SubmissionForm()
    if form.validate_on_submit():
        uploads = [(f.stream, f.filename or "") for f in request.files.getlist("files") if f and f.filename]
        try:
            base = int(form.base_version.data or 0)
        except ValueError:
            abort(400)
        try:
            version = services.submit(
                db.session,
                row,
                user=current_user,
                text=form.text.data or "",
                uploads=uploads,
                base_version=base,
                upload_dir=upload_dir(),
                now=now(),
            )
        except DomainError as error:
            db.session.rollback()
            refuse(form, error, fallback="text")
        else:
            db.session.commit()
            if version.is_late:
                flash(
                    _("第%(n)s版を提出しました（締切後のため「遅延」と記録されます）。", n=version.number),
                    "warning",
                )
            else:
                flash(_("第%(n)s版を提出しました。", n=version.number), "success")
            return redirect(url_for("curriculum.submission", submission_id=version.submission_id))
    return _assignment_page(row, form, 400)


def _submission_page(row: Submission, form: FeedbackForm | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    latest = row.latest
    if form is None:
        form = FeedbackForm(status=row.status.value, version_id=str(latest.id) if latest else "",
                            seen_feedback=str(len(row.feedback)))
    history = sorted(
        [("version", v.submitted_at, v) for v in row.versions]
        + [("feedback", f.created_at, f) for f in row.feedback],
        key=lambda t: (t[1], t[0] == "feedback"),
    )
    return render_template(
        "curriculum/submission.html",
        cohort=row.assignment.cohort,
        row=row,
        assignment=row.assignment,
        history=history,
        form=form,
        can_feedback=policy.give_feedback(current_user, row),
        status_labels=STATUS_LABELS,
        human_size=storage.human_size,
    ), status


@bp.route("/submissions/<int:submission_id>")
def submission(submission_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(Submission, submission_id)
    authorize(policy.view_submission(current_user, row))
    return _submission_page(row)


@bp.route("/submissions/<int:submission_id>/feedback", methods=["POST"])
def feedback(submission_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(Submission, submission_id)
    authorize(policy.give_feedback(current_user, row))
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            version_id = int(form.version_id.data or 0)
        except ValueError:
            abort(400)
        try:
            services.give_feedback(
                db.session,
                row,
                author=current_user,
                status=SubmissionStatus(form.status.data),
                body=form.body.data or "",
                version_id=version_id,
                request_key=form.request_key.data or None,
                now=now(),
                seen_feedback=int(form.seen_feedback.data) if (form.seen_feedback.data or "").isdecimal() else None,
            )
        except DomainError as error:
            db.session.rollback()
            refuse(form, error, fallback="body")
            if getattr(error, "code", "") == "feedback_since":
                form.seen_feedback.data = str(len(db.session.get(Submission, row.id).feedback))  # now seen
        else:
            db.session.commit()
            flash(_("フィードバックを送りました。"), "success")
            return redirect(url_for("curriculum.submission", submission_id=row.id))
    return _submission_page(row, form, 400)


@bp.route("/submissions/<int:submission_id>/files/<int:file_id>")
def submission_file(submission_id: int, file_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(Submission, submission_id)
    authorize(policy.view_submission(current_user, row))
    item = db.session.get(SubmissionFile, file_id)
    if item is None or item.version.submission_id != row.id:
        abort(404)
    return storage.download(item.file, upload_dir())


# --- the facilitator's overview --------------------------------------------------------------------


def _cell_text(submission: Submission | None, assignment: Assignment, moment: datetime) -> str:
    if submission is None:
        return _("未提出（締切後）") if moment > assignment.due_at else _("未提出")
    text = str(STATUS_LABELS[submission.status])
    latest = submission.latest
    if latest is not None and latest.is_late:
        text += _("（遅延）")
    return text


@bp.route("/cohorts/<int:cohort_id>/submissions")
def submissions(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.view_submissions(current_user, cohort))
    return render_template(
        "curriculum/submissions.html",
        cohort=cohort,
        grid=services.matrix(db.session, cohort),
        now=now(),
        status_labels=STATUS_LABELS,
        kind_labels=KIND_LABELS,
    )


@bp.route("/cohorts/<int:cohort_id>/submissions.csv")
def submissions_csv(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = get_cohort(cohort_id)
    authorize(policy.view_submissions(current_user, cohort))
    grid = services.matrix(db.session, cohort)
    moment = now()
    header = [_("氏名"), _("ふりがな"), _("所属市"), _("チーム")]
    for a in grid.assignments:
        header += [a.title, _("%(title)s 最終提出", title=a.title)]
    rows = []
    for e in grid.people:
        team = grid.teams.get(e.user_id)
        row = [e.user.name, e.user.name_kana, e.city.display_name(locale()), team.name if team else ""]
        for a in grid.assignments:
            sub = grid.cell(e, a)
            latest = sub.latest if sub else None
            row += [
                _cell_text(sub, a, moment),
                format_datetime_jst(latest.submitted_at, locale()) if latest else "",
            ]
        rows.append(row)
    filename = _("提出状況_%(fy)s.csv", fy=cohort.fiscal_year)
    response = send_file(
        io.BytesIO(exports.csv_bytes(header, rows)),
        mimetype="text/csv",
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/assignments/<int:assignment_id>/files.zip")
def assignment_zip(assignment_id: int):  # type: ignore[no-untyped-def]
    row = db.get_or_404(Assignment, assignment_id)
    authorize(policy.view_submissions(current_user, row.cohort))
    city_of = {e.user_id: e.city for e in services.participants(db.session, row.cohort)}

    def folder(sub: Submission) -> str:
        if sub.team is not None:
            return exports.folder_name(sub.team.name)
        city = city_of.get(sub.user_id or 0)
        person = sub.user.name if sub.user else str(sub.user_id)
        return exports.folder_name(f"{city.display_name(locale()) if city else ''}_{person}")

    def version_folder(version) -> str:  # type: ignore[no-untyped-def]
        label = _("第%(n)s版", n=version.number)
        return (
            label
            + (_("（遅延）") if version.is_late else "")
            + "_"
            + to_local_input(version.submitted_at)[:10]
        )

    entries = services.archive_entries(
        db.session,
        row,
        upload_dir=upload_dir(),
        folder=folder,
        version_folder=version_folder,
        text_name=_("提出本文.md"),
    )
    spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (send_file closes it)
    exports.write_zip(spool, entries, when=now())
    spool.seek(0)
    name = exports.folder_name(f"{row.title}.zip")
    response = send_file(spool, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
