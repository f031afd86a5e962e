"""Reviewers write; authors read what was released, answer each review and rate it.

Anonymity lives here as much as in the data: when a round hides reviewers, the authors' pages, the
DOCX file and its metadata say "査読者A", never a name, an e-mail or a user id.
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from core import dates
from core.errors import ConflictError, DomainError
from core.extensions import db
from core.security import authorize
from people.models import City, User
from proposals import export, sections
from proposals import policy as proposal_policy
from proposals.models import Proposal, ProposalSnapshot
from proposals.review import policy, services
from proposals.review.forms import MESSAGES, HelpfulnessForm, ResponseForm, review_form
from proposals.review.models import (AssignmentStatus, ReviewAssignment, ReviewResponse, ReviewRound, RoundProposal,
                                     RoundStatus)
from proposals.review.views.base import bp, field_error, flash_error, load_assignment
from proposals.template import template_or_default
from proposals.views.base import load_proposal


@bp.route("/reviews")
def my_reviews():  # type: ignore[no-untyped-def]
    authorize(policy.my_reviews(current_user))
    assignments = db.session.scalars(
        select(ReviewAssignment).join(ReviewRound)
        .where(ReviewAssignment.reviewer_id == current_user.id, ReviewRound.status != RoundStatus.DRAFT,
               ReviewAssignment.withdrawn_at.is_(None))
        .options(joinedload(ReviewAssignment.round),
                 joinedload(ReviewAssignment.round_proposal).joinedload(RoundProposal.proposal),
                 lazyload(ReviewAssignment.reviewer))
        .order_by(ReviewRound.deadline.desc(), ReviewAssignment.id)).all()
    return render_template("proposals/review/my_reviews.html", assignments=assignments, now=dates.utcnow())


def _snapshot(rp: RoundProposal) -> ProposalSnapshot:
    snap = db.session.scalar(select(ProposalSnapshot).where(ProposalSnapshot.id == rp.snapshot_id)
                             .options(selectinload(ProposalSnapshot.sections)))
    assert snap is not None
    return snap


def _form_data(assignment: ReviewAssignment) -> dict[str, object]:
    data: dict[str, object] = {"overall": assignment.overall_comment, "version": str(assignment.version)}
    for s in assignment.scores:
        data[f"score_{s.criterion_id}"] = str(s.score) if s.score is not None else None
        data[f"comment_{s.criterion_id}"] = s.comment
    return data


def _review_page(assignment: ReviewAssignment, form, status: int = 200):  # type: ignore[no-untyped-def]
    rnd = assignment.round
    snap = _snapshot(assignment.round_proposal)
    cities = list(db.session.scalars(select(City).where(City.id.in_(snap.city_ids or [0]))
                                     .order_by(City.sort_order, City.code)))
    writable = services.can_write(assignment, dates.utcnow())
    response = db.session.scalar(select(ReviewResponse).where(ReviewResponse.assignment_id == assignment.id)) \
        if services.can_answer(assignment, dates.utcnow()) else None
    return render_template("proposals/review/review_form.html", assignment=assignment, round=rnd, snapshot=snap,
                           cities=cities, form=form, writable=writable, response=response,
                           show_team=policy.see_authors(current_user, rnd)), status


@bp.route("/reviews/<int:assignment_id>", methods=["GET", "POST"])
def review(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = load_assignment(assignment_id)
    authorize(policy.read_assignment(current_user, assignment))
    criteria = list(assignment.round.criteria)
    if request.method == "GET":
        return _review_page(assignment, review_form(criteria, formdata=None, data=_form_data(assignment)))
    authorize(policy.write(current_user, assignment))
    form = review_form(criteria)
    if form.validate_on_submit():
        scores = [services.ScoreInput(c.id, form.score_field(c).data, form.comment_field(c).data or "")
                  for c in criteria]
        try:
            services.save_review(db.session, assignment, scores=scores, overall=form.overall.data or "",
                                 version=form.version_number(), submit=bool(form.send.data), actor=current_user,
                                 now=dates.utcnow())
        except services.ReviewIncomplete as error:
            db.session.rollback()
            for name, key in error.problems.items():
                field = form[name] if name in form else None
                if field is not None:
                    field.errors = [*field.errors, str(MESSAGES[key])]
            flash(_("未入力の項目があるため提出できません。入力内容は残っています。"), "error")
        except ConflictError as error:
            db.session.rollback()
            flash_error(error)
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            submitted = assignment.status is AssignmentStatus.SUBMITTED
            flash(_("査読を提出しました。ありがとうございました。") if submitted else _("下書きを保存しました。"), "success")
            return redirect(url_for("review.review", assignment_id=assignment.id))
    return _review_page(assignment, form, 400)


# --- the authors' side ------------------------------------------------------------------------------

def _released_rounds(proposal_id: int) -> list[tuple[ReviewRound, RoundProposal]]:
    rows = db.session.execute(
        select(ReviewRound, RoundProposal).join(RoundProposal)
        .where(RoundProposal.proposal_id == proposal_id, ReviewRound.status != RoundStatus.DRAFT)
        .options(selectinload(ReviewRound.criteria), joinedload(RoundProposal.snapshot).lazyload(
            ProposalSnapshot.created_by)).order_by(ReviewRound.id))
    return [(r, rp) for r, rp in rows]


def _visible(proposal, rounds):  # type: ignore[no-untyped-def]
    return [(r, rp) for r, rp in rounds if policy.read_reviews(current_user, proposal, r)]


def _assignments(rp_ids: list[int], *, names: bool) -> list[ReviewAssignment]:
    if not rp_ids:
        return []
    query = (select(ReviewAssignment)
             .where(ReviewAssignment.round_proposal_id.in_(rp_ids), ReviewAssignment.withdrawn_at.is_(None),
                    ReviewAssignment.status == AssignmentStatus.SUBMITTED)
             .options(selectinload(ReviewAssignment.scores),
                      selectinload(ReviewAssignment.response).selectinload(ReviewResponse.links))
             .order_by(ReviewAssignment.round_proposal_id, ReviewAssignment.alias))
    query = query.options(joinedload(ReviewAssignment.reviewer).lazyload(User.grants) if names
                          else lazyload(ReviewAssignment.reviewer))
    return list(db.session.scalars(query))


def _revision_choices(proposal, since) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    template = template_or_default(db.session, proposal.cohort_id)
    headings = {s.key: s.heading for s in template.sections}
    out = []
    for key, rev in sections.revisions_since(db.session, proposal, since):
        label = _("%(heading)s 版%(n)s（%(when)s）", heading=headings.get(key, key), n=rev.number,
                  when=dates.format_datetime_jst(rev.created_at))
        out.append((f"{key}:{rev.id}", label))
    return out


def _response_form(assignment: ReviewAssignment, revision_choices: list[tuple[str, str]]) -> ResponseForm:
    """The answer form filled with what is saved (an empty version: no answer existed when it was shown)."""
    saved = assignment.response
    return ResponseForm(formdata=None, revision_choices=revision_choices, text=saved.text if saved else "",
                        revisions=[f"{link.section_key}:{link.revision_id}" for link in saved.links] if saved else [],
                        version=str(saved.version) if saved else "")


def _reviews_page(proposal: Proposal, *, posted: tuple[int, ResponseForm] | None = None,
                  status: int = 200):  # type: ignore[no-untyped-def]
    """The released reviews of a proposal; ``posted`` is an answer form sent back with its errors."""
    rounds = _visible(proposal, _released_rounds(proposal.id))
    names = {r.id: policy.see_reviewer_names(current_user, r) for r, _rp in rounds}
    assignments = _assignments([rp.id for _r, rp in rounds], names=any(names.values()))
    by_rp: dict[int, list[ReviewAssignment]] = {}
    for a in assignments:
        by_rp.setdefault(a.round_proposal_id, []).append(a)
    can_answer = proposal_policy.member(current_user, proposal)
    since = min((r.published_at or r.created_at for r, _rp in rounds), default=None)
    revision_choices = _revision_choices(proposal, since) if (rounds and since) else []
    labels = dict(revision_choices)
    forms = {}
    for a in assignments:
        answer = posted[1] if posted is not None and posted[0] == a.id else _response_form(a, revision_choices)
        forms[a.id] = (answer, HelpfulnessForm(formdata=None, value=a.helpfulness))
    return render_template("proposals/review/proposal_reviews.html", proposal=proposal, rounds=rounds, by_rp=by_rp,
                           names=names, forms=forms, can_answer=can_answer, labels=labels,
                           now=dates.utcnow()), status


@bp.route("/proposals/<int:proposal_id>/reviews")
def proposal_reviews(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(proposal_policy.view_history(current_user, proposal))
    return _reviews_page(proposal)


def _answerable(assignment_id: int) -> ReviewAssignment:
    assignment = load_assignment(assignment_id)
    proposal = assignment.round_proposal.proposal
    authorize(proposal_policy.view_history(current_user, proposal))
    authorize(policy.answer(current_user, assignment))
    return assignment


@bp.route("/reviews/<int:assignment_id>/response", methods=["POST"])
def respond(assignment_id: int):  # type: ignore[no-untyped-def]
    """Save the team's answer; on any refusal the page comes back with what was typed and the reason."""
    assignment = _answerable(assignment_id)
    proposal = assignment.round_proposal.proposal
    rnd = assignment.round
    choices = _revision_choices(proposal, rnd.published_at or rnd.created_at)
    form = ResponseForm(revision_choices=choices)
    if not form.validate_on_submit():
        return _reviews_page(proposal, posted=(assignment.id, form), status=400)
    allowed = [(value.rpartition(":")[0], int(value.rpartition(":")[2])) for value, _label in choices]
    try:
        # An empty version means the form was shown before any answer existed: one saved since is newer.
        services.respond(db.session, assignment, text=form.text.data or "", links=form.links(),
                         allowed_links=allowed, version=form.version_number() or 0, actor=current_user,
                         now=dates.utcnow())
    except ConflictError:
        db.session.rollback()
        saved = db.session.scalar(select(ReviewResponse.version).where(ReviewResponse.assignment_id == assignment_id))
        form.version.data = str(saved or "")  # saving again now replaces the answer shown above, knowingly
        form.text.errors = [*form.text.errors, str(MESSAGES["response_stale"])]
        return _reviews_page(proposal, posted=(assignment_id, form), status=409)
    except DomainError as error:
        db.session.rollback()
        field_error(form, error)
        return _reviews_page(proposal, posted=(assignment_id, form), status=400)
    db.session.commit()
    flash(_("査読者%(alias)sへの返答を保存しました。", alias=assignment.alias), "success")
    return redirect(url_for("review.proposal_reviews", proposal_id=proposal.id) + f"#review-{assignment.id}")


@bp.route("/reviews/<int:assignment_id>/helpfulness", methods=["POST"])
def rate(assignment_id: int):  # type: ignore[no-untyped-def]
    assignment = _answerable(assignment_id)
    proposal = assignment.round_proposal.proposal
    form = HelpfulnessForm()
    if form.validate_on_submit():
        try:
            services.rate(db.session, assignment, form.value.data, actor=current_user, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("評価を記録しました。"), "success")
    else:
        flash(_("いずれかを選んでください。"), "error")
    return redirect(url_for("review.proposal_reviews", proposal_id=proposal.id) + f"#review-{assignment.id}")


@bp.route("/proposals/<int:proposal_id>/reviews.docx")
def reviews_docx(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(proposal_policy.view_history(current_user, proposal))
    rounds = _visible(proposal, _released_rounds(proposal.id))
    if not rounds:
        abort(404)
    wanted = request.args.get("round")
    if wanted is None:
        rnd, rp = rounds[-1]  # no round named: the latest one this person may read
    else:
        rnd, rp = next(((r, x) for r, x in rounds if str(r.id) == wanted.strip()), (None, None))
        if rnd is None or rp is None:  # not a round this proposal was in (or not one released to this reader)
            abort(404)
    show_names = policy.see_reviewer_names(current_user, rnd)
    entries = []
    for a in _assignments([rp.id], names=show_names):
        label = f"査読者{a.alias}" + (f"（{a.reviewer.name}）" if show_names else "")
        entries.append(export.ReviewEntry(
            label=label,
            scores=[(c.name, a.score_for(c.id).score if a.score_for(c.id) else None,
                     a.score_for(c.id).comment if a.score_for(c.id) else "") for c in rnd.criteria],
            overall=a.overall_comment, response=a.response.text if a.response else None))
    data = export.reviews_docx(export.ReviewsDocument(proposal.display_title(), rnd.title,
                                                      dates.tokyo_now().date(), entries))
    response = Response(data, mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response.headers["Content-Disposition"] = (f'attachment; filename="proposal-{proposal.id}-round-{rnd.id}'
                                               f'-reviews.docx"')
    return response
