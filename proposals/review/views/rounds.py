"""Facilitators run review rounds: open one, preview and adjust the allocation, publish, follow the
dashboard, extend deadlines, reassign, release the reviews, close, export the scores."""
from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Callable
from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from core import dates
from core.errors import DomainError
from core.extensions import db
from core.security import authorize
from curriculum.models import Cohort, CohortStatus
from people.models import Role, RoleGrant, User
from proposals.models import Proposal
from proposals.review import dashboard, policy, services
from proposals.review.forms import (ActionForm, AddAssignmentForm, AlumniForm, DeadlineForm, DueForm, OpensAtForm,
                                    ReviewerChoiceForm, RoundForm, SeedForm)
from proposals.review.models import ReviewAssignment, ReviewRound, RoundProposal, RoundStatus
from proposals.review.views.base import bp, field_error, flash_error, load_round, message
from proposals.ties import ties


def _cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _alumni(exclude: set[int] = frozenset()) -> list[tuple[int, str]]:  # type: ignore[assignment]
    rows = db.session.execute(
        select(User.id, User.name).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.ALUMNUS, RoleGrant.revoked_at.is_(None), User.is_active.is_(True))
        .order_by(User.name_kana, User.id))
    return [(uid, name) for uid, name in rows if uid not in exclude]


@bp.route("/review-rounds")
def rounds():  # type: ignore[no-untyped-def]
    authorize(policy.runs_rounds(current_user))
    t = ties(current_user)
    query = select(Cohort).order_by(Cohort.fiscal_year.desc())
    if not t.admin:
        query = query.where(Cohort.id.in_(t.facilitates))
    cohorts = db.session.scalars(query).all()
    found = db.session.scalars(select(ReviewRound).where(ReviewRound.cohort_id.in_([c.id for c in cohorts]))
                               .order_by(ReviewRound.id.desc())).all() if cohorts else []
    by_cohort: dict[int, list[ReviewRound]] = {}
    for rnd in found:
        by_cohort.setdefault(rnd.cohort_id, []).append(rnd)
    return render_template("proposals/review/rounds.html", cohorts=cohorts, by_cohort=by_cohort,
                           now=dates.utcnow())


def _round_form(cohort: Cohort, **kwargs: object) -> RoundForm:
    proposals = services.reviewable_proposals(db.session, cohort.id)
    return RoundForm(proposal_choices=[(p.id, p.display_title()) for p in proposals], alumni_choices=_alumni(),
                     **kwargs)


@bp.route("/cohorts/<int:cohort_id>/review-rounds/new", methods=["GET", "POST"])
def new_round(cohort_id: int):  # type: ignore[no-untyped-def]
    cohort = _cohort(cohort_id)
    authorize(policy.manage(current_user, cohort))
    if cohort.status is CohortStatus.CLOSED:
        abort(404)
    if request.method == "GET":
        default_deadline = dates.to_local_input(dates.utcnow().replace(hour=8, minute=0, second=0, microsecond=0)
                                                + timedelta(days=14))
        form = _round_form(cohort, deadline=default_deadline)
        form.proposals.data = [value for value, _label in ((c.value, c.label) for c in form.proposals.choices)]
    else:
        form = _round_form(cohort)
        if form.validate_on_submit():
            try:
                rnd = services.create_round(
                    db.session, cohort, title=form.title.data or "", deadline=form.deadline.moment,  # type: ignore[arg-type]
                    reviews_per_proposal=form.reviews_per_proposal.data or 3,
                    hide_reviewers=bool(form.hide_reviewers.data), hide_authors=bool(form.hide_authors.data),
                    include_alumni=bool(form.include_alumni.data), alumni_ids=form.alumni.data or [],
                    proposal_ids=form.proposals.data or [], instructions=form.instructions.data or "",
                    seed=form.seed.data if form.seed.data is not None else secrets.randbelow(2**31),
                    actor=current_user, now=dates.utcnow(), opens_at=form.opens_at.moment)
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                db.session.commit()
                flash(_("割り当て案を作りました。確認・調整してから公開してください。"), "success")
                return redirect(url_for("review.round", round_id=rnd.id))
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/review/round_new.html", cohort=cohort, form=form), status


def _reviewer_choices(rnd: ReviewRound, rp: RoundProposal, loads: dict[int, int],
                      mentored: dict[int, set[int]]) -> list[tuple[int, str]]:
    """Eligible reviewers for a proposal, least loaded first (the allocation's own preference)."""
    team_id = rp.proposal.team_id
    taken = {a.reviewer_id for a in rnd.assignments if a.active and a.round_proposal_id == rp.id}
    out = []
    for rr in rnd.reviewers:
        if rr.team_id == team_id or team_id in mentored.get(rr.user_id, set()) or rr.user_id in taken:
            continue
        out.append((loads.get(rr.user_id, 0), rr.user.name_kana or rr.user.name, rr.user_id, rr.user.name))
    return [(uid, f"{name}（{load}件）") for load, _k, uid, name in sorted(out)]


def _page(rnd: ReviewRound, *, status: int = 200, **forms: object):  # type: ignore[no-untyped-def]
    now = dates.utcnow()
    loads = services.reviewer_loads(rnd)
    people = {rr.user_id: rr for rr in rnd.reviewers}
    board = dashboard.build(rnd, now) if rnd.status is not RoundStatus.DRAFT else None
    stats = services.current_stats(db.session, rnd) if rnd.status is RoundStatus.DRAFT else None
    mentored = services.mentored_teams(db.session, rnd.cohort_id)
    choices_for = {rp.id: _reviewer_choices(rnd, rp, loads, mentored) for rp in rnd.proposals}
    proposal_choices = [(rp.id, rp.proposal.display_title()) for rp in rnd.proposals]
    all_reviewers = sorted(((rr.user_id, rr.user.name) for rr in rnd.reviewers), key=lambda t: t[1])
    context = dict(
        round=rnd, now=now, loads=loads, people=people, board=board, stats=stats, choices_for=choices_for,
        action=ActionForm(version=str(rnd.version)),
        seed_form=forms.get("seed_form") or SeedForm(formdata=None, seed=rnd.seed),
        deadline_form=forms.get("deadline_form") or DeadlineForm(formdata=None, deadline=dates.to_local_input(
            rnd.deadline)),
        opens_form=forms.get("opens_form") or OpensAtForm(formdata=None, opens_at=dates.to_local_input(
            rnd.opens_at) if rnd.opens_at else ""),
        alumni_form=forms.get("alumni_form") or AlumniForm(formdata=None, alumni_choices=_alumni(set(people))),
        add_form=forms.get("add_form") or AddAssignmentForm(formdata=None, reviewer_choices=all_reviewers,
                                                           proposal_choices=proposal_choices),
        due_form=DueForm(formdata=None),
        reassign_error=forms.get("reassign_error"),
        extensions=services.deadline_extensions(db.session, rnd),
    )
    return render_template("proposals/review/round.html", **context), status


@bp.route("/review-rounds/<int:round_id>")
def round(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id, with_scores=True)
    authorize(policy.manage_round(current_user, rnd))
    return _page(rnd)


def _act(round_id: int, action: Callable[[ReviewRound], None], done: str, *, check_version: bool = True):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    authorize(policy.manage_round(current_user, rnd))
    form = ActionForm()
    if form.validate_on_submit():
        if check_version and form.version_number() not in (None, rnd.version):
            flash(_("このラウンドはほかの画面で変更されました。最新の状態を確認してください。"), "error")
            return redirect(url_for("review.round", round_id=rnd.id))
        try:
            action(rnd)
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(done, "success")
    return redirect(url_for("review.round", round_id=rnd.id))


@bp.route("/review-rounds/<int:round_id>/publish", methods=["POST"])
def publish(round_id: int):  # type: ignore[no-untyped-def]
    return _act(round_id, lambda rnd: services.publish_round(db.session, rnd, actor=current_user, now=dates.utcnow()),
                _("ラウンドを公開しました。査読者に割り当てを知らせました。"))


@bp.route("/review-rounds/<int:round_id>/opens-at", methods=["POST"])
def schedule_opening(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    authorize(policy.manage_round(current_user, rnd))
    form = OpensAtForm()
    if form.validate_on_submit():
        try:
            services.schedule_opening(db.session, rnd, form.opens_at.moment, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("自動で開始する日時を保存しました。") if rnd.opens_at else _("自動での開始を取りやめました。"),
                  "success")
            return redirect(url_for("review.round", round_id=rnd.id))
    return _page(load_round(round_id, with_scores=True), opens_form=form, status=400)


@bp.route("/review-rounds/<int:round_id>/release", methods=["POST"])
def release(round_id: int):  # type: ignore[no-untyped-def]
    return _act(round_id, lambda rnd: services.release(db.session, rnd, actor=current_user, now=dates.utcnow()),
                _("査読結果を提案チームに公開しました。"))


@bp.route("/review-rounds/<int:round_id>/close", methods=["POST"])
def close(round_id: int):  # type: ignore[no-untyped-def]
    return _act(round_id, lambda rnd: services.close_round(db.session, rnd, actor=current_user, now=dates.utcnow()),
                _("ラウンドを終了しました。"))


@bp.route("/review-rounds/<int:round_id>/allocate", methods=["POST"])
def reallocate(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    authorize(policy.manage_round(current_user, rnd))
    form = SeedForm()
    if form.validate_on_submit():
        try:
            services.allocate(db.session, rnd, seed=form.seed.data)
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("割り当てを作り直しました（シード %(seed)s）。", seed=form.seed.data), "success")
        return redirect(url_for("review.round", round_id=rnd.id))
    return _page(load_round(round_id, with_scores=True), seed_form=form, status=400)


@bp.route("/review-rounds/<int:round_id>/alumni", methods=["POST"])
def add_alumni(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    authorize(policy.manage_round(current_user, rnd))
    form = AlumniForm(alumni_choices=_alumni({rr.user_id for rr in rnd.reviewers}))
    if form.validate_on_submit():
        try:
            added = services.add_alumni(db.session, rnd, form.alumni.data or [])
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(n)s人の修了生を査読者の候補に加えました。", n=len(added)), "success")
            return redirect(url_for("review.round", round_id=rnd.id))
    return _page(load_round(round_id, with_scores=True), alumni_form=form, status=400)


def _assignment_of(rnd: ReviewRound, assignment_id: int) -> ReviewAssignment:
    found = next((a for a in rnd.assignments if a.id == assignment_id), None)
    if found is None:
        abort(404)
    return found


@bp.route("/review-rounds/<int:round_id>/assignments", methods=["POST"])
def add_assignment(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    authorize(policy.manage_round(current_user, rnd))
    form = AddAssignmentForm(reviewer_choices=[(rr.user_id, rr.user.name) for rr in rnd.reviewers],
                             proposal_choices=[(rp.id, rp.proposal.display_title()) for rp in rnd.proposals])
    if form.validate_on_submit():
        rp = next(rp for rp in rnd.proposals if rp.id == form.proposal.data)
        try:
            services.add_assignment(db.session, rnd, rp, form.reviewer.data, actor=current_user, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("割り当てを追加しました。"), "success")
            return redirect(url_for("review.round", round_id=rnd.id))
    return _page(load_round(round_id, with_scores=True), add_form=form, status=400)


@bp.route("/review-rounds/<int:round_id>/assignments/<int:assignment_id>/reassign", methods=["POST"])
def reassign(round_id: int, assignment_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    authorize(policy.manage_round(current_user, rnd))
    assignment = _assignment_of(rnd, assignment_id)
    form = ReviewerChoiceForm(reviewer_choices=[(rr.user_id, rr.user.name) for rr in rnd.reviewers])
    if form.validate_on_submit():
        try:
            services.reassign(db.session, assignment, form.reviewer.data, actor=current_user, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            return _page(load_round(round_id, with_scores=True), reassign_error=(assignment_id, message(error)),
                         status=400)
        db.session.commit()
        flash(_("査読者を付け替えました。"), "success")
        return redirect(url_for("review.round", round_id=rnd.id) + f"#rp-{assignment.round_proposal_id}")
    return _page(load_round(round_id, with_scores=True), reassign_error=(
        assignment_id, " ".join(str(e) for e in form.reviewer.errors) or _("査読者を選んでください。")), status=400)


@bp.route("/review-rounds/<int:round_id>/assignments/<int:assignment_id>/remove", methods=["POST"])
def remove_assignment(round_id: int, assignment_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    authorize(policy.manage_round(current_user, rnd))
    assignment = next((a for a in rnd.assignments if a.id == assignment_id), None)
    if assignment is None:  # removed already (a second click, another facilitator)
        flash(_("この割り当てはすでに外されています。"), "info")
        return redirect(url_for("review.round", round_id=rnd.id))
    if ActionForm().validate_on_submit():
        try:
            services.remove_assignment(db.session, assignment)
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("割り当てを外しました。"), "info")
    return redirect(url_for("review.round", round_id=rnd.id))


@bp.route("/review-rounds/<int:round_id>/assignments/<int:assignment_id>/due", methods=["POST"])
def extend_assignment(round_id: int, assignment_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    authorize(policy.manage_round(current_user, rnd))
    assignment = _assignment_of(rnd, assignment_id)
    form = DueForm()
    if form.validate_on_submit() and form.due_at.moment is not None:
        try:
            services.extend_assignment(db.session, assignment, form.due_at.moment, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("この査読者の締切を延長しました。"), "success")
    else:
        flash(_("日時を正しく入力してください（例：2026-12-10T17:00）。"), "error")
    return redirect(url_for("review.round", round_id=rnd.id) + "#late")


@bp.route("/review-rounds/<int:round_id>/deadline", methods=["POST"])
def extend_deadline(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id)
    authorize(policy.manage_round(current_user, rnd))
    form = DeadlineForm()
    if form.validate_on_submit() and form.deadline.moment is not None:
        try:
            services.extend_deadline(db.session, rnd, form.deadline.moment, actor=current_user, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            field_error(form, error)
        else:
            db.session.commit()
            flash(_("締切を延長しました。"), "success")
            return redirect(url_for("review.round", round_id=rnd.id))
    return _page(load_round(round_id, with_scores=True), deadline_form=form, status=400)


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # no formulas in Excel


@bp.route("/review-rounds/<int:round_id>/export.csv")
def export_csv(round_id: int):  # type: ignore[no-untyped-def]
    rnd = load_round(round_id, with_scores=True)
    authorize(policy.manage_round(current_user, rnd))
    people = {rr.user_id: rr for rr in rnd.reviewers}
    teams = {rp.id: rp.proposal for rp in rnd.proposals}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["提案書", "チーム", "査読者", "記号", "査読者の市", "状態", "提出日時",
                     *[c.name for c in rnd.criteria], "総評", "参考度"])
    for a in sorted(rnd.assignments, key=lambda a: (a.round_proposal_id, a.alias)):
        proposal: Proposal = teams[a.round_proposal_id]
        rr = people.get(a.reviewer_id)
        writer.writerow([_csv_cell(v) for v in (
            proposal.display_title(), proposal.team.name, rr.user.name if rr else a.reviewer_id, a.alias,
            rr.city.name_ja if rr and rr.city else "", a.status.value,
            dates.format_datetime_jst(a.submitted_at) if a.submitted_at else "",
            *[(a.score_for(c.id).score if a.score_for(c.id) else "") for c in rnd.criteria],
            a.overall_comment, a.helpfulness or "")])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="review-round-{rnd.id}.csv"'
    return response

