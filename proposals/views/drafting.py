"""A team's proposals: list and create, the overview, section editing with history, tags."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from core import dates
from core.errors import ConflictError, DomainError
from core.extensions import db
from core.security import authorize
from curriculum.models import CohortStatus
from people.models import User, active_cities_query
from proposals import contributions, policy, sections, services
from proposals.forms import (TAG_LABELS, ConfirmForm, FollowUpForm, HandInForm, NewProposalForm, SectionForm, TagsForm,
                             TitleSectionForm)
from proposals.models import FollowUp, Proposal, ProposalSnapshot, ProposalStep
from proposals.review import services as review_services
from proposals.review.models import ReviewRound, RoundProposal, RoundStatus
from proposals.template import ensure_template
from proposals.views.base import bp, field_error, flash_error, load_proposal, load_team, template_of, texts_of
from proposals.vocab import Direction, PolicyField
from wiki.models import Revision


@bp.route("/teams/<int:team_id>/proposals", methods=["GET", "POST"])
def team_proposals(team_id: int):  # type: ignore[no-untyped-def]
    team = load_team(team_id)
    authorize(policy.view_team(current_user, team))
    form = NewProposalForm()
    if request.method == "POST":
        authorize(policy.create_in(current_user, team))
        if form.validate_on_submit():
            now = dates.utcnow()
            try:
                proposal = services.create_proposal(db.session, team, actor=current_user, now=now)
                template = ensure_template(db.session, team.cohort, actor=current_user)
                title_spec = next(s for s in template.sections if s.single_line)
                sections.save(db.session, proposal, title_spec, form.title.data or "", author=current_user,
                              base_revision_id=None, now=now, comment=_("提案書を作成"))
            except DomainError as error:
                db.session.rollback()
                field_error(form, error)
            else:
                db.session.commit()
                flash(_("提案書をつくりました。各項目を書き進めてください。"), "success")
                return redirect(url_for("proposals.show", proposal_id=proposal.id))
    proposals = db.session.scalars(select(Proposal).where(Proposal.team_id == team.id).order_by(Proposal.id)).all()
    status = 400 if form.errors else 200
    return render_template("proposals/team.html", team=team, proposals=proposals, form=form), status


def _rounds(proposal: Proposal) -> list[tuple[ReviewRound, RoundProposal]]:
    rows = db.session.execute(select(ReviewRound, RoundProposal).join(RoundProposal)
                              .where(RoundProposal.proposal_id == proposal.id, ReviewRound.status != RoundStatus.DRAFT)
                              .order_by(ReviewRound.id))
    return [(r, rp) for r, rp in rows]


def _show(proposal: Proposal, *, incomplete: services.Incomplete | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    insider = policy.view_history(current_user, proposal)
    template = template_of(proposal)
    states = sections.load(db.session, proposal, template, include_retired=True) if insider else []
    snapshots = db.session.scalars(select(ProposalSnapshot).where(ProposalSnapshot.proposal_id == proposal.id)
                                   .options(lazyload(ProposalSnapshot.created_by))
                                   .order_by(ProposalSnapshot.number)).all()
    shown = None if insider else (snapshots[-1] if snapshots else None)
    steps = db.session.scalars(select(ProposalStep).where(ProposalStep.proposal_id == proposal.id)
                               .options(joinedload(ProposalStep.by).lazyload(User.grants),
                                        joinedload(ProposalStep.snapshot).lazyload(ProposalSnapshot.created_by))
                               .order_by(ProposalStep.id)).all()
    follow_ups = db.session.scalars(select(FollowUp).where(FollowUp.proposal_id == proposal.id)
                                    .options(joinedload(FollowUp.author).lazyload(User.grants))
                                    .order_by(FollowUp.noted_on, FollowUp.id)).all()
    rounds = _rounds(proposal) if insider else []
    released = any(r.is_released(dates.utcnow()) for r, _rp in rounds[-1:])
    hand_in = HandInForm(expected=str(len(snapshots)))
    return render_template("proposals/show.html", proposal=proposal, template=template, states=states,
                           snapshots=snapshots, shown=shown, steps=steps, follow_ups=follow_ups, rounds=rounds,
                           released=released, hand_in=hand_in, confirm=ConfirmForm(), insider=insider,
                           incomplete=incomplete, now=dates.utcnow(), tag_labels=TAG_LABELS,
                           follow_up=FollowUpForm(formdata=None, noted_on=dates.tokyo_now().date())), status


@bp.route("/proposals/<int:proposal_id>")
def show(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view(current_user, proposal))
    return _show(proposal)


def _spec_or_404(proposal: Proposal, key: str):  # type: ignore[no-untyped-def]
    template = template_of(proposal)
    spec = template.section(key)
    if spec is None:
        abort(404)
    return template, spec


@bp.route("/proposals/<int:proposal_id>/sections/<key>", methods=["GET", "POST"])
def edit_section(proposal_id: int, key: str):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view_history(current_user, proposal))
    _template, spec = _spec_or_404(proposal, key)
    authorize(policy.edit(current_user, proposal))
    if spec.retired_at is not None:
        abort(404)  # no longer in the template: its text stays in the history and the snapshots
    state = sections.load_one(db.session, proposal, spec)
    form_class = TitleSectionForm if spec.single_line else SectionForm
    conflict: Any = None
    if request.method == "GET":
        form = form_class(text=state.text, base_revision_id=str(state.revision_id or ""))
    else:
        form = form_class()
        if form.validate_on_submit():
            try:
                sections.save(db.session, proposal, spec, form.text.data or "", author=current_user,
                              base_revision_id=form.base_id(), now=dates.utcnow(), comment=form.comment.data or "")
            except sections.EditConflict as exc:
                db.session.rollback()
                conflict = exc
                # The editor now holds the merge (with markers where both changed the same place),
                # based on the latest revision: nothing anyone wrote is lost.
                form.text.data = exc.merge.text
                form.base_revision_id.data = str(exc.latest.id)
            except (ConflictError, DomainError) as error:
                db.session.rollback()
                field_error(form, error)
            else:
                db.session.commit()
                flash(_("「%(heading)s」を保存しました。", heading=spec.heading), "success")
                return redirect(url_for("proposals.show", proposal_id=proposal.id) + f"#section-{spec.key}")
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render_template("proposals/section_edit.html", proposal=proposal, spec=spec, state=state, form=form,
                           conflict=conflict), status


@bp.route("/proposals/<int:proposal_id>/sections/<key>/history")
def section_history(proposal_id: int, key: str):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view_history(current_user, proposal))
    _template, spec = _spec_or_404(proposal, key)
    state = sections.load_one(db.session, proposal, spec)
    revisions = sections.history(db.session, state.page.id) if state.page is not None else []
    return render_template("proposals/section_history.html", proposal=proposal, spec=spec, state=state,
                           revisions=revisions, confirm=ConfirmForm())


def _revision_or_404(proposal: Proposal, revision_id: int):  # type: ignore[no-untyped-def]
    from proposals.models import ProposalSection

    row = db.session.execute(select(Revision, ProposalSection.section_key)
                             .join(ProposalSection, ProposalSection.page_id == Revision.page_id)
                             .where(Revision.id == revision_id, ProposalSection.proposal_id == proposal.id)).first()
    if row is None:
        abort(404)
    revision, key = row
    _template, spec = _spec_or_404(proposal, key)
    return revision, spec


@bp.route("/proposals/<int:proposal_id>/revisions/<int:revision_id>")
def revision(proposal_id: int, revision_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view_history(current_user, proposal))
    rev, spec = _revision_or_404(proposal, revision_id)
    previous = db.session.scalar(select(Revision).where(Revision.page_id == rev.page_id,
                                                        Revision.number < rev.number)
                                 .order_by(Revision.number.desc()).limit(1))
    diff = sections.diff(previous.text if previous else "", rev.text)
    return render_template("proposals/revision.html", proposal=proposal, spec=spec, revision=rev, previous=previous,
                           diff=diff, confirm=ConfirmForm())


@bp.route("/proposals/<int:proposal_id>/revisions/<int:revision_id>/restore", methods=["POST"])
def restore(proposal_id: int, revision_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view_history(current_user, proposal))
    rev, spec = _revision_or_404(proposal, revision_id)
    authorize(policy.edit(current_user, proposal))
    if ConfirmForm().validate_on_submit():
        try:
            sections.restore(db.session, proposal, spec, rev, author=current_user, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("「%(heading)s」を版%(n)sの内容に戻しました（新しい版として保存）。", heading=spec.heading,
                    n=rev.number), "success")
    return redirect(url_for("proposals.section_history", proposal_id=proposal.id, key=spec.key))


def _city_choices() -> list[tuple[int, str]]:
    from core.i18n import current_locale

    locale = current_locale()
    return [(c.id, c.display_name(locale)) for c in db.session.scalars(active_cities_query())]


@bp.route("/proposals/<int:proposal_id>/tags", methods=["GET", "POST"])
def tags(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view_history(current_user, proposal))
    authorize(policy.edit(current_user, proposal))
    if request.method == "GET":
        form = TagsForm(city_choices=_city_choices(), cities=[pc.city_id for pc in proposal.cities],
                        policy_field=proposal.policy_field.value if proposal.policy_field else "",
                        directions=[d.value for d in proposal.directions], version=str(proposal.version))
    else:
        form = TagsForm(city_choices=_city_choices())
        if form.validate_on_submit():
            version = int(form.version.data) if (form.version.data or "").isdecimal() else None
            try:
                services.update_tags(db.session, proposal, city_ids=form.cities.data or [],
                                     policy_field=PolicyField(form.policy_field.data) if form.policy_field.data else None,
                                     directions=[Direction(d) for d in form.directions.data or []], version=version,
                                     actor=current_user, now=dates.utcnow())
            except (ConflictError, DomainError) as error:
                db.session.rollback()
                field_error(form, error)
                if isinstance(error, ConflictError):
                    form.version.data = str(proposal.version)
            else:
                db.session.commit()
                flash(_("参加市・分野・方向性を保存しました。"), "success")
                return redirect(url_for("proposals.show", proposal_id=proposal.id))
    status = 400 if request.method == "POST" else 200
    return render_template("proposals/tags.html", proposal=proposal, form=form), status


# --- handing in ------------------------------------------------------------------------------------

def _hand_in(proposal: Proposal, action: str, *, allowed: bool):  # type: ignore[no-untyped-def]
    """Submit, revise or finalize. ``allowed`` is the action's policy (the state: a closed cohort, a
    status that no longer fits): refused with the reason, no snapshot."""
    form = HandInForm()
    if not form.validate_on_submit():
        abort(400)
    if not allowed:
        closed = proposal.cohort.status is CohortStatus.CLOSED
        flash_error(DomainError("hand_in_closed" if closed else "wrong_status"))
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    template = ensure_template(db.session, proposal.cohort, actor=current_user)
    texts = texts_of(sections.load(db.session, proposal, template, include_retired=True))
    now = dates.utcnow()
    released = review_services.latest_round_released(db.session, proposal.id, now=now)
    expected = form.expected_count()
    if expected is None:
        abort(400)
    try:
        if action == "submit":
            snapshot = services.submit(db.session, proposal, texts, expected=expected, actor=current_user, now=now)
        elif action == "revise":
            snapshot = services.submit_revision(db.session, proposal, texts, expected=expected, actor=current_user,
                                                now=now, released=released)
        else:
            snapshot = services.finalize(db.session, proposal, texts, expected=expected, actor=current_user, now=now,
                                         released=released)
    except services.Incomplete as error:
        db.session.rollback()
        return _show(proposal, incomplete=error, status=400)
    except ConflictError as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    except DomainError as error:
        db.session.rollback()
        flash_error(error)
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    if action == "finalize":
        contributions.refresh_members(db.session, proposal.team_id)  # now on the members' directory profiles
    db.session.commit()
    flash(_("第%(n)s版として提出しました。提出後も下書きは編集でき、次の版になります。", n=snapshot.number), "success")
    return redirect(url_for("proposals.snapshot", proposal_id=proposal.id, number=snapshot.number))


@bp.route("/proposals/<int:proposal_id>/submit", methods=["POST"])
def submit(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view_history(current_user, proposal))
    authorize(policy.member(current_user, proposal))
    return _hand_in(proposal, "submit", allowed=policy.submit(current_user, proposal))


@bp.route("/proposals/<int:proposal_id>/revise", methods=["POST"])
def revise(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view_history(current_user, proposal))
    authorize(policy.member(current_user, proposal))
    return _hand_in(proposal, "revise", allowed=policy.revise(current_user, proposal))


@bp.route("/proposals/<int:proposal_id>/finalize", methods=["POST"])
def finalize(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view_history(current_user, proposal))
    authorize(policy.member(current_user, proposal) or policy.staff_for(current_user, proposal.cohort_id))
    return _hand_in(proposal, "finalize", allowed=policy.finalize(current_user, proposal))


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
def withdraw(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view_history(current_user, proposal))
    authorize(policy.member(current_user, proposal))
    if ConfirmForm().validate_on_submit():
        in_round = proposal.id in review_services.open_proposals_in_rounds(db.session, proposal.cohort_id)
        try:
            services.withdraw(db.session, proposal, in_round=in_round, actor=current_user, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("提出を取り下げ、下書きに戻しました。提出版の記録は残ります。"), "info")
    return redirect(url_for("proposals.show", proposal_id=proposal.id))

