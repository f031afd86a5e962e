"""Snapshots and their differences, the printable page and the DOCX file, and what happened after:
presentation to the meeting, the decision on 検討テーマ, follow-up notes."""
from __future__ import annotations

import dataclasses

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import dates
from core.errors import DomainError
from core.extensions import db
from core.i18n import current_locale
from core.security import authorize
from people.models import City
from proposals import contributions, export, policy, sections, services
from proposals.forms import DecisionForm, FollowUpForm, PresentForm
from proposals.models import Proposal, ProposalSnapshot
from proposals.views.base import bp, flash_error, load_proposal, template_of
from proposals.vocab import DIRECTION_JA, FIELD_JA, OUTCOMES, SNAPSHOT_KIND_JA, STATUS_JA, Direction, ProposalStatus
from wiki.cases import services as case_services
from wiki.links import case_slugs


def _snapshot_or_404(proposal: Proposal, number: int) -> ProposalSnapshot:
    snapshot = db.session.scalar(select(ProposalSnapshot).where(ProposalSnapshot.proposal_id == proposal.id,
                                                                ProposalSnapshot.number == number)
                                 .options(selectinload(ProposalSnapshot.sections)))
    if snapshot is None:
        abort(404)
    return snapshot


def _cities(ids: list[int]) -> list[City]:
    if not ids:
        return []
    return list(db.session.scalars(select(City).where(City.id.in_(ids)).order_by(City.sort_order, City.code)))


@bp.route("/proposals/<int:proposal_id>/snapshots/<int:number>")
def snapshot(proposal_id: int, number: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view(current_user, proposal))
    snap = _snapshot_or_404(proposal, number)
    numbers = list(db.session.scalars(select(ProposalSnapshot.number)
                                      .where(ProposalSnapshot.proposal_id == proposal.id)
                                      .order_by(ProposalSnapshot.number)))
    compare_to = request.args.get("compare", type=int)
    if compare_to is None and number > 1:
        compare_to = number - 1
    diffs = None
    other = None
    if compare_to is not None and compare_to in numbers and compare_to != number:
        other = _snapshot_or_404(proposal, compare_to)
        older, newer = (other, snap) if other.number < snap.number else (snap, other)
        keys = [s.section_key for s in newer.sections] + [s.section_key for s in older.sections
                                                          if newer.section(s.section_key) is None]
        diffs = []
        for key in keys:
            a, b = older.section(key), newer.section(key)
            heading = (b or a).heading  # type: ignore[union-attr]
            old_text, new_text = (a.text if a else ""), (b.text if b else "")
            diffs.append((heading, old_text == new_text, sections.diff(old_text, new_text)))
    return render_template("proposals/snapshot.html", proposal=proposal, snapshot=snap, numbers=numbers,
                           other=other, diffs=diffs, cities=_cities(snap.city_ids))


def _chosen_snapshot(proposal: Proposal) -> ProposalSnapshot | None:
    number = request.args.get("snapshot", type=int)
    if number is not None:
        return _snapshot_or_404(proposal, number)
    latest = db.session.scalar(select(ProposalSnapshot).where(ProposalSnapshot.proposal_id == proposal.id)
                               .order_by(ProposalSnapshot.number.desc()).limit(1)
                               .options(selectinload(ProposalSnapshot.sections)))
    return latest


def _document(proposal: Proposal) -> tuple[export.ProposalDocument, ProposalSnapshot | None]:
    """What to print or export: a chosen snapshot, else the latest; the live draft for insiders without one."""
    snap = _chosen_snapshot(proposal)
    cohort_label = f"{dates.fiscal_year_label(proposal.cohort.fiscal_year)} {export.PROGRAMME}"
    outcome = STATUS_JA[proposal.status] if proposal.status in OUTCOMES else None
    if snap is not None:
        return export.ProposalDocument(
            title=snap.title, cohort_label=cohort_label, team=proposal.team.name,
            cities=[c.name_ja for c in _cities(snap.city_ids)],
            policy_field=FIELD_JA[snap.policy_field] if snap.policy_field else None,
            directions=[DIRECTION_JA[Direction(d)] for d in snap.directions],
            version_label=f"{SNAPSHOT_KIND_JA[snap.kind]}（第{snap.number}版）",
            dated=dates.to_tokyo(snap.created_at).date(),
            sections=[export.DocSection(s.heading, s.text) for s in snap.sections if not s.section_key == "title"],
            outcome=outcome), snap
    if not policy.view_history(current_user, proposal):
        abort(404)
    states = sections.load(db.session, proposal, template_of(proposal))
    return export.ProposalDocument(
        title=proposal.display_title(), cohort_label=cohort_label, team=proposal.team.name,
        cities=[c.name_ja for c in proposal.city_list],
        policy_field=FIELD_JA[proposal.policy_field] if proposal.policy_field else None,
        directions=[DIRECTION_JA[d] for d in proposal.directions], version_label="下書き",
        dated=dates.tokyo_now().date(),
        sections=[export.DocSection(s.spec.heading, s.text) for s in states if not s.spec.single_line]), None


@bp.route("/proposals/<int:proposal_id>/print")
def print_view(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view(current_user, proposal))
    document, snap = _document(proposal)
    return render_template("proposals/print.html", proposal=proposal, document=document, snapshot=snap)


@bp.route("/proposals/<int:proposal_id>/export.docx")
def export_docx(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.view(current_user, proposal))
    document, snap = _document(proposal)
    slugs = [slug for s in document.sections for slug in case_slugs(s.text)]
    document = dataclasses.replace(document, case_titles=case_services.titles_by_slug(db.session, slugs))
    suffix = f"v{snap.number}" if snap else "draft"
    filename = f"proposal-{proposal.id}-{suffix}.docx"
    response = Response(export.proposal_docx(document),
                        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- after the final version ---------------------------------------------------------------------

def _outcome_page(proposal: Proposal, present: PresentForm, decision: DecisionForm, status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("proposals/outcome.html", proposal=proposal, present=present, decision=decision,
                           locale=current_locale()), status


@bp.route("/proposals/<int:proposal_id>/outcome")
def outcome(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.record_outcome(current_user, proposal))
    present = PresentForm(presented_on=proposal.presented_on or dates.tokyo_now().date(),
                          meeting=proposal.presented_to or None)
    decision = DecisionForm(adopted="yes" if proposal.status is ProposalStatus.ADOPTED else (
        "no" if proposal.status is ProposalStatus.NOT_ADOPTED else None), note=proposal.decision_note)
    return _outcome_page(proposal, present, decision)


@bp.route("/proposals/<int:proposal_id>/presentation", methods=["POST"])
def present(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.record_outcome(current_user, proposal))
    form = PresentForm()
    if form.validate_on_submit():
        try:
            services.record_presentation(db.session, proposal, on=form.presented_on.data, meeting=form.meeting.data,
                                         note=form.note.data or "", actor=current_user, now=dates.utcnow())
            contributions.refresh_members(db.session, proposal.team_id)
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("発表を記録しました。"), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return _outcome_page(proposal, form, DecisionForm(formdata=None), 400)


@bp.route("/proposals/<int:proposal_id>/decision", methods=["POST"])
def decide(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.record_outcome(current_user, proposal))
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.record_decision(db.session, proposal, adopted=form.adopted.data == "yes",
                                     note=form.note.data or "", actor=current_user, now=dates.utcnow())
            contributions.refresh_members(db.session, proposal.team_id)
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("決定を記録しました。"), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id))
    return _outcome_page(proposal, PresentForm(formdata=None), form, 400)


@bp.route("/proposals/<int:proposal_id>/follow-ups", methods=["POST"])
def add_follow_up(proposal_id: int):  # type: ignore[no-untyped-def]
    proposal = load_proposal(proposal_id)
    authorize(policy.follow_up(current_user, proposal))
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            services.add_follow_up(db.session, proposal, text=form.text.data or "", noted_on=form.noted_on.data,
                                   actor=current_user, now=dates.utcnow())
        except DomainError as error:
            db.session.rollback()
            flash_error(error)
        else:
            db.session.commit()
            flash(_("経過を追加しました。"), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id) + "#follow-ups")
    return render_template("proposals/follow_up.html", proposal=proposal, form=form), 400

